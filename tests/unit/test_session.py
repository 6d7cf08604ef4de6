"""The pure Session: merging remote findings, dismissals and accept detection."""

from __future__ import annotations

import pytest

from nudge.model import Finding
from nudge.session import Session
from nudge.telemetry import Telemetry

URI = "file:///ws/a.md"
TEXT = "Intro line.\n\nWe write tests in order to sleep well.\n"
PARAGRAPH = TEXT.index("We write")
QUOTE_AT = TEXT.index("in order to") - PARAGRAPH  # relative to the paragraph block


def claude(start: int, quote: str, category: str = "wordiness", replacement: str = "to"):
    return Finding(start, start + len(quote), quote, category, "Shorter.", replacement, 0.9,
                   f"claude:{category}", "claude")  # fmt: skip


@pytest.fixture
def session(tmp_path):
    s = Session(None, tmp_path / "cache", telemetry=Telemetry(None))
    s.open(URI, TEXT, "markdown", 1)
    return s


def paragraph_hash(session: Session) -> str:
    return next(b.hash for b in session.documents[URI].blocks() if b.start == PARAGRAPH)


def summary(session: Session) -> list[tuple[str, str, str]]:
    return [(f.quote, f.category, f.critic) for f in session.findings(URI)]


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ([], [("in order to", "wordiness", "local")]),
        # Same words, same category: the Claude finding wins, shown once.
        ([claude(QUOTE_AT, "in order to")], [("in order to", "wordiness", "claude")]),
        # Different words: both shown.
        (
            [claude(QUOTE_AT + len("in order to "), "sleep", "clarity", "rest")],
            [("in order to", "wordiness", "local"), ("sleep", "clarity", "claude")],
        ),
    ],
)
def test_remote_findings_merge_with_local(session, remote, expected):
    session.set_remote_findings(URI, paragraph_hash(session), remote)
    assert summary(session) == expected
    shown = session.findings(URI)
    assert all(TEXT[f.start : f.end] == f.quote for f in shown)


def test_remote_findings_for_a_vanished_block_are_not_shown(session):
    session.set_remote_findings(URI, "no-such-hash", [claude(0, "Intro")])
    assert summary(session) == [("in order to", "wordiness", "local")]


def test_dismissed_remote_finding_never_comes_back(session):
    block = paragraph_hash(session)
    session.set_remote_findings(URI, block, [claude(QUOTE_AT, "in order to")])
    session.dismiss(URI, session.findings(URI)[0])
    assert summary(session) == []
    session.set_remote_findings(URI, block, [claude(QUOTE_AT, "in order to")])
    assert summary(session) == []
    events = [(e["event"], e["category"], e["critic"]) for e in session.telemetry.events
              if e["event"] != "opened"]  # fmt: skip
    assert events == [("dismissed", "wordiness", "claude")]


def edit_at(offset: int, length: int, text: str):
    """Return a protocol edit on line 2 (the paragraph) replacing `length` characters."""
    column = offset - PARAGRAPH
    return ((2, column, 2, column + length), text)


@pytest.mark.parametrize(
    ("edit", "accepted"),
    [
        (edit_at(PARAGRAPH + QUOTE_AT, len("in order to"), "to"), True),
        (edit_at(PARAGRAPH + QUOTE_AT, len("in order to"), "so as to"), False),  # other text
        (edit_at(PARAGRAPH + QUOTE_AT, len("in order"), "to"), False),  # other range
        (edit_at(PARAGRAPH + QUOTE_AT + 3, 0, "x"), False),  # typing inside the words
    ],
)
def test_accept_detection(session, edit, accepted):
    shown = session.findings(URI)
    session.note_shown(URI, shown)
    session.telemetry.events.clear()  # only the edit's events below
    session.change(URI, [edit], 2)
    session.note_shown(URI, session.findings(URI))  # the publish after the edit settles it
    events = [(e["event"], e["category"], e["rule"]) for e in session.telemetry.events
              if e["event"] != "shown"]  # fmt: skip
    assert events == [("accepted" if accepted else "edited", "wordiness", shown[0].rule)]


def test_shown_counts_only_new_local_findings(session):
    findings = session.findings(URI)
    session.note_shown(URI, findings)
    session.note_shown(URI, findings)
    shown = [(e["event"], e["category"], e["count"]) for e in session.telemetry.events
             if e["event"] != "opened"]  # fmt: skip
    assert shown == [("shown", "wordiness", 1)]


def test_cursor_follows_the_last_edit(session):
    session.change(URI, [edit_at(PARAGRAPH, 0, "So ")], 2)
    assert session.cursors[URI] == PARAGRAPH + 3
    session.change(URI, [(None, "All new.\n")], 3)
    assert session.cursors[URI] is None


def test_a_lower_threshold_shows_a_kept_low_confidence_finding(session):
    low = Finding(0, 2, "We", "wordiness", "m", "", 0.3, "claude:wordiness", "claude")
    session.set_remote_findings(URI, paragraph_hash(session), [low])
    assert ("We", "wordiness", "claude") not in summary(session)
    session.reload_settings({"minConfidence": 0.2})
    assert ("We", "wordiness", "claude") in summary(session)


def test_edits_in_one_notification_net_out_blocks_added_then_removed(session):
    from collections import Counter

    before = Counter(b.hash for b in session.documents[URI].prose_blocks())
    line = len("We write tests in order to sleep well.")
    edits = [((2, line, 2, line), " Yes"), ((2, line + 4, 2, line + 4), " indeed.")]
    result = session.change(URI, edits, 2)
    assert result is not None and not result.full
    after = Counter(b.hash for b in session.documents[URI].prose_blocks())
    # Taking out `removed` and putting in `added` turns the old blocks into the new ones,
    # although the block the first edit made was gone again after the second.
    assert (
        before - Counter(b.hash for b in result.removed) + Counter(b.hash for b in result.added)
        == after
    )


def test_symlinked_folder_cannot_escape_its_exclusion(tmp_path):
    root = tmp_path / "ws"
    (root / "private").mkdir(parents=True)
    (root / "private" / "a.md").write_text("secret")
    (root / "linked").symlink_to(root / "private")
    (root / "elsewhere").mkdir()
    (root / "view").symlink_to(root / "elsewhere")
    (root / ".nudge.toml").write_text('exclude = ["linked/**", "private/"]\n')
    s = Session(root, tmp_path / "cache")
    for name in ("linked/a.md", "private/a.md"):
        assert not s.open((root / name).as_uri(), "In order to go.", "markdown").checked, name
    (root / ".nudge.toml").write_text('exclude = ["elsewhere/"]\n')
    s.reload_settings()
    assert not s.open((root / "view" / "b.md").as_uri(), "In order to go.", "markdown").checked
