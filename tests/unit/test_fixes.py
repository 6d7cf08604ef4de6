"""Quick-fix edits fitted into their sentence (`nudge.fixes.quick_fix`)."""

from __future__ import annotations

import pytest

from nudge.fixes import at_sentence_start, quick_fix
from nudge.model import Finding


def _apply(text: str, quote: str, replacement: str | None) -> tuple[str, str] | None:
    start = text.index(quote)
    finding = Finding(start, start + len(quote), quote, "wordiness", "m", replacement, 1.0, "r")
    fix = quick_fix(text, finding)
    if fix is None:
        return None
    return text[: fix.start] + fix.text + text[fix.end :], fix.title


@pytest.mark.parametrize(
    ("text", "quote", "expected"),
    [
        (
            "We meet on Mondays. It is important to note that the new plan works.",
            "It is important to note that",
            "We meet on Mondays. The new plan works.",
        ),
        ("Basically, it was late.", "Basically", "It was late."),
        (
            "Mondays. Needless to say, the plan works.",
            "Needless to say,",
            "Mondays. The plan works.",
        ),
        ("We basically try.", "basically", "We try."),
        ("We try basically.", "basically", "We try."),
        ("We try basically, and fail.", "basically", "We try, and fail."),
        ("We try basically\nand fail.", "basically", "We try\nand fail."),
        ("- Basically the list item.", "Basically", "- The list item."),
        ("# Heading\n\nBasically the plan.", "Basically", "# Heading\n\nThe plan."),
        ('He said "yes." Basically the', "Basically", 'He said "yes." The'),
        ("Done. Basically iPhone sales.", "Basically", "Done. iPhone sales."),
        ("Use tools, e.g. basically the ones.", "basically", "Use tools, e.g. the ones."),
    ],
)
def test_a_deletion_leaves_one_space_and_a_capital_sentence_start(text, quote, expected):
    result, title = _apply(text, quote, "")
    assert result == expected
    assert "  " not in result
    assert title == f"Delete '{' '.join(quote.split())}'"


@pytest.mark.parametrize(
    ("text", "quote", "replacement", "expected"),
    [
        ("Done. in order to win, go", "in order to", "to", "Done. To win, go"),
        ("Done.\nin order to win, go", "in order to", "to", "Done.\nTo win, go"),
        ("So\nin order to win, go", "in order to", "to", "So\nto win, go"),  # a wrapped line
        ("We left in order to win.", "in order to", "to", "We left to win."),
        ("- in order to win", "in order to", "to", "- To win"),
    ],
)
def test_a_replacement_at_a_sentence_start_is_capitalised(text, quote, replacement, expected):
    result, title = _apply(text, quote, replacement)
    assert result == expected
    assert title.startswith(f"Replace '{quote}' with '")


def test_no_fix_without_a_replacement_or_when_the_words_moved():
    assert _apply("We basically try.", "basically", None) is None
    finding = Finding(3, 12, "basically", "wordiness", "m", "", 1.0, "r")
    assert quick_fix("We really try.", finding) is None


def test_a_long_quote_is_cut_in_the_title():
    text = "Done. " + "very " * 20 + "long."
    _, title = _apply(text, text[6:-5], "")
    assert len(title) < 70 and title.endswith("…'")


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [("Abc", 0, True), ("a. b", 3, True), ("a b", 2, False), ("a!\n\nb", 4, True),
     ("a\nb", 2, False), ("> b", 2, True), ("1. b", 3, True), ("Mr. b", 4, False)],
)  # fmt: skip
def test_sentence_start(text, offset, expected):
    assert at_sentence_start(text, offset) is expected
