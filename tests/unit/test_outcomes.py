"""Every shown finding's fate, recorded once: accept in any edit shape, shifts, closes."""

from __future__ import annotations

import pytest

from nudge.model import Finding
from nudge.session import Session
from nudge.telemetry import FIELDS, OUTCOMES, Telemetry

URI = "file:///ws/a.md"
TEXT = "Intro line.\n\nWe write tests in order to sleep well.\n"
COL = TEXT.splitlines()[2].index("in order to")
QUOTE = "in order to"


@pytest.fixture
def session(tmp_path):
    s = Session(None, tmp_path / "cache", telemetry=Telemetry(None))
    s.open(URI, TEXT, "markdown", 1)
    publish(s)
    return s


def publish(session: Session) -> list[Finding]:
    shown = session.findings(URI)
    session.note_shown(URI, shown)
    return shown


def fates(session: Session) -> list[tuple[str, str]]:
    return [(e["event"], e["rule"]) for e in session.telemetry.events if e["event"] in OUTCOMES]


def shown_count(session: Session) -> int:
    return sum(e["count"] for e in session.telemetry.events if e["event"] == "shown")


def rng(col: int, length: int = 0, line: int = 2):
    return (line, col, line, col + length)


@pytest.mark.parametrize(
    "edits",
    [
        [[(rng(COL, len(QUOTE)), "to")]],  # one whole-range replace
        [[(rng(COL, len(QUOTE)), ""), (rng(COL), "to")]],  # delete then insert, one notification
        [[(rng(COL, len(QUOTE)), "")], [(rng(COL), "to")]],  # ... in two notifications
        [[(rng(COL), "to")], [(rng(COL + 2, len(QUOTE)), "")]],  # insert then delete
        [[(rng(COL + len(QUOTE)), "to")], [(rng(COL, len(QUOTE)), "")]],  # insert after, delete
        [[(None, TEXT.replace(QUOTE, "to"))]],  # the whole text sent again
    ],
)
def test_a_quick_fix_is_accepted_once_however_the_client_sends_it(session, edits):
    rule = session.findings(URI)[0].rule
    for version, notification in enumerate(edits, 2):
        session.change(URI, notification, version)
    publish(session)
    session.close(URI)
    assert fates(session) == [("accepted", rule)]
    assert shown_count(session) == 1


def test_text_typed_above_moves_a_finding_without_counting_it_again(session):
    for i, ch in enumerate("New first line. "):
        session.change(URI, [(rng(i, line=0), ch)], 2 + i)
        publish(session)
    session.change(URI, [(rng(0, line=0), "More.\n\n")], 50)  # the paragraph moves down
    publish(session)
    assert shown_count(session) == 1 and fates(session) == []
    session.close(URI)
    assert [e for e, _ in fates(session)] == ["closed"]


def test_editing_the_words_another_way_is_edited_away(session):
    rule = session.findings(URI)[0].rule
    session.change(URI, [(rng(COL, len(QUOTE)), "because we want to")], 2)
    publish(session)
    session.close(URI)
    assert fates(session) == [("edited", rule)]


def test_typing_inside_and_undoing_keeps_the_same_life(session):
    session.change(URI, [(rng(COL + 2), "x")], 2)
    session.change(URI, [(rng(COL + 2, 1), "")], 3)
    publish(session)
    assert fates(session) == [] and shown_count(session) == 1


def test_dismissed_is_the_only_outcome(session):
    (finding,) = session.findings(URI)
    session.dismiss(URI, finding)
    publish(session)
    session.close(URI)
    assert [e for e, _ in fates(session)] == ["dismissed"]


def test_ignored_everywhere_ends_the_finding_in_every_document(session):
    other = "file:///ws/b.md"
    session.open(other, "Work in order to rest.\n", "markdown", 1)
    session.note_shown(other, session.findings(other))
    assert session.note_ignored("in order to") == 2
    session.close(URI)
    session.close(other)
    assert [e for e, _ in fates(session)] == ["ignored", "ignored"]


def test_a_review_that_goes_and_comes_back_is_one_life(session):
    block = next(b for b in session.documents[URI].blocks() if "sleep" in b.text)
    at = block.text.index("sleep")
    claude = Finding(at, at + 5, "sleep", "clarity", "Vague.", "rest", 0.9, "claude:clarity",
                     "claude")  # fmt: skip
    session.set_remote_findings(URI, block.hash, [claude])
    publish(session)
    session.change(URI, [(rng(0), "Yes, ")], 2)  # the paragraph's hash changes
    publish(session)  # its review is pending: the Claude finding is not shown
    new_block = next(b for b in session.documents[URI].blocks() if "sleep" in b.text)
    session.set_remote_findings(URI, new_block.hash, [claude.shifted(len("Yes, "))])
    publish(session)
    session.close(URI)
    assert shown_count(session) == 2  # the local one and the Claude one, once each
    assert sorted(e for e, _ in fates(session)) == ["closed", "closed"]


def test_outcome_events_carry_whitelisted_fields_and_no_text(session):
    session.claude_identity = {"model": "claude-sonnet-5-5", "prompt": "critique@3"}
    session.close(URI)
    (event,) = [e for e in session.telemetry.events if e["event"] in OUTCOMES]
    assert set(event) - {"ts", "event"} <= FIELDS
    assert {"rule", "category", "critic", "confidence", "shown_ms"} <= set(event)
    assert not any(isinstance(v, str) and "order" in v and " " in v for v in event.values())


WIDE = "Intro line.\n\nWe meet on Mondays. Basically the plan works.\n"
WIDE_COL = WIDE.splitlines()[2].index("Basically")
WIDE_LEN = len("Basically t")  # the fix deletes "Basically " and writes "T" over "t"


@pytest.mark.parametrize(
    "edits",
    [
        [[(rng(WIDE_COL, WIDE_LEN), "T")]],  # the fix's one edit
        [[(rng(WIDE_COL, WIDE_LEN), ""), (rng(WIDE_COL), "T")]],  # delete then insert
        [[(rng(WIDE_COL, WIDE_LEN), "")], [(rng(WIDE_COL), "T")]],  # ... in two notifications
        [[(rng(WIDE_COL), "T")], [(rng(WIDE_COL + 1, WIDE_LEN), "")]],  # insert then delete
    ],
)
def test_a_fix_wider_than_its_quote_is_accepted(tmp_path, edits):
    session = Session(None, tmp_path / "cache", telemetry=Telemetry(None))
    session.open(URI, WIDE, "markdown", 1)
    publish(session)
    rule = "wordy:basically"
    assert any(f.rule == rule for f in session.findings(URI))
    for version, notification in enumerate(edits, 2):
        session.change(URI, notification, version)
    assert session.documents[URI].text == WIDE.replace("Basically the", "The")
    publish(session)
    session.close(URI)
    assert ("accepted", rule) in fates(session)
    assert ("edited", rule) not in fates(session)
