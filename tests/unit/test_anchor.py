"""Anchoring model quotes to block spans."""

import pytest

from nudge.anchor import anchor_quote

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
