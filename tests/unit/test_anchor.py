"""Anchoring model quotes to block spans."""

import pytest

from nudge.anchor import anchor_finding, anchor_quote, reanchor
from nudge.model import Finding

TEXT = "At the end of the day, the “big picture”  matters.\nIn order to win, we  must\ttry."

ANCHOR_CASES = [
    ("exact", TEXT, "At the end of the day", None, "At the end of the day"),
    ("exact later", TEXT, "In order to", None, "In order to"),
    ("curly quotes", TEXT, '"big picture"', None, "“big picture”"),
    ("whitespace runs", TEXT, "big picture” matters", None, "big picture”  matters"),
    ("newline in text", TEXT, "matters. In order", None, "matters.\nIn order"),
    ("tab and double space", TEXT, "we must try", None, "we  must\ttry"),
    ("fuzzy typo", TEXT, "At the end of teh day", None, "At the end of the day"),
    (
        "fuzzy snaps to words",
        "We reached the end of the road today.",
        "the end of the roa",
        None,
        "the end of the road",
    ),
    ("missing", TEXT, "a needle in a haystack", None, None),
    ("empty", TEXT, "", None, None),
    ("blank", TEXT, "   ", None, None),
    ("short fuzzy refused", "the cat sat", "the cot", None, None),
    ("longer than block", "short", "a much longer quote than the block", None, None),
]


@pytest.mark.parametrize(("name", "text", "quote", "hint", "expected"), ANCHOR_CASES)
def test_anchor_quote(name, text, quote, hint, expected):
    span = anchor_quote(text, quote, hint)
    if expected is None:
        assert span is None, name
    else:
        assert span is not None, name
        assert text[span[0] : span[1]] == expected, name


@pytest.mark.parametrize(("hint", "expected_start"), [(None, 0), (0, 0), (20, 23), (100, 23)])
def test_repeated_quote_prefers_hint(hint, expected_start):
    text = "very good, and then... very good again"
    span = anchor_quote(text, "very good", hint)
    assert span == (expected_start, expected_start + len("very good"))


def test_exact_match_inside_a_word_is_not_taken():
    assert anchor_quote("The scattered cat.", "cat") == (14, 17)
    assert anchor_quote("The scattered dog.", "cat") is None


def _finding(text, quote):
    start = text.index(quote)
    return Finding(start, start + len(quote), quote, "cliche", "m", "x", 0.9, "r", "claude")


def test_anchor_finding_uses_document_text():
    f = Finding(0, 0, "in order  to", "wordiness", "m", "to", 0.9, "r", "claude")
    text = "We met in order to talk."
    placed = anchor_finding(text, f)
    assert placed is not None
    assert placed.quote == "in order to" == text[placed.start : placed.end]


REANCHOR_CASES = [
    (
        "edit before shifts",
        "Hello. At the end of the day, go.",
        "Hello there. At the end of the day, go.",
        "At the end of the day",
        True,
    ),
    (
        "edit after keeps",
        "At the end of the day, go.",
        "At the end of the day, go home.",
        "At the end of the day",
        True,
    ),
    (
        "edit inside drops",
        "At the end of the day, go.",
        "At the end of a day, go.",
        "At the end of the day",
        False,
    ),
    ("identical", "In order to win.", "In order to win.", "In order to", True),
    (
        "quote moved far away drops",
        "In order to win." + " filler" * 30,
        " filler" * 30 + " In order to win.",
        "In order to",
        False,
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "quote", "kept"), REANCHOR_CASES)
def test_reanchor(name, old, new, quote, kept):
    moved = reanchor(old, new, _finding(old, quote))
    if not kept:
        assert moved is None, name
    else:
        assert moved is not None, name
        assert new[moved.start : moved.end] == quote, name


def test_reanchor_refuses_stale_offsets():
    f = Finding(0, 5, "nope!", "cliche", "m", None, 0.9, "r", "claude")
    assert reanchor("Hello world", "Hello world", f) is None
