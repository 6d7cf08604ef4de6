"""The edit a quick fix makes: the finding's replacement, fitted into its sentence.

Replacing the quoted words verbatim can leave a sentence that reads worse than before:
deleting "Basically" from "Mondays. Basically the plan" gives "Mondays.  the plan",
with a double space and a lower-case start. `quick_fix` widens the edit just enough
to avoid that: a deletion takes one side's spaces with it (and, at a sentence start, a
comma that followed the words), and at a sentence start the first letter left standing
is capitalised. The edit never reaches past the spaces, a comma and one letter around
the quote, so it still only changes the words the finding is about.

The same function gives the language server its code action and the outcome tracker
its test for "the writer accepted the fix", so an edit wider than the quote still
counts as accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nudge.model import Finding
from nudge.positions import ChunkedText

SPACES = " \t"
CLOSERS = "\"')]}”’»*_"
ENDERS = ".!?…"
MARKER = re.compile(r"[ \t]*(?:#{1,6}|[-*+>]|\d{1,9}[.)])?[ \t]*")
TITLE_LENGTH = 48
WINDOW = 1000  # characters either side of the quote that decide its fix
ABBREVIATIONS = frozenset(
    {"e.g.", "i.e.", "etc.", "vs.", "cf.", "mr.", "mrs.", "ms.", "dr.", "st."}
)


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace text[start:end] by `text`; `title` says what it does, for the menu."""

    start: int
    end: int
    text: str
    title: str


def short(phrase: str, limit: int = TITLE_LENGTH) -> str:
    """Return a phrase on one line, cut with an ellipsis past `limit` characters."""
    flat = " ".join(phrase.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def at_sentence_start(text: str, offset: int) -> bool:
    """Tell whether a sentence (or heading, list item, paragraph) begins at `offset`."""
    line_start = text.rfind("\n", 0, offset) + 1
    if not MARKER.fullmatch(text, line_start, offset):
        before = text[:offset].rstrip(SPACES).rstrip(CLOSERS)
        last_word = before.rsplit(None, 1)[-1].casefold() if before.strip() else ""
        return not before or (before.endswith(tuple(ENDERS)) and last_word not in ABBREVIATIONS)
    if line_start == 0 or text[line_start:offset].strip():
        return True  # the first line, or after a heading, list or quote marker
    prev_start = text.rfind("\n", 0, line_start - 1) + 1
    prev_line = text[prev_start : line_start - 1].rstrip("\r").rstrip(SPACES)
    if not prev_line.strip() or prev_line.lstrip().startswith("#"):
        return True  # a new paragraph, or the line under a heading
    return prev_line.rstrip(CLOSERS).endswith(tuple(ENDERS))


def _capitalised(word: str) -> str:
    """Return `word` with a capital first letter, unless it is not plainly lower-case."""
    if word[:1].islower() and word.isalpha() and word.islower():
        return word[0].upper() + word[1:]
    return word


def quick_fix(text: str | ChunkedText, finding: Finding) -> Fix | None:
    """Return the fix for a finding in `text`, or None if it has none or has moved."""
    if finding.replacement is None or text[finding.start : finding.end] != finding.quote:
        return None
    lo = max(0, finding.start - WINDOW)
    window = text[lo : min(len(text), finding.end + WINDOW)]
    fix = _fit(window, finding.start - lo, finding.end - lo, finding)
    return Fix(fix.start + lo, fix.end + lo, fix.text, fix.title)


def _fit(text: str, start: int, end: int, finding: Finding) -> Fix:
    """Return the fix for the quote at [start, end) of `text`, a window of the document."""
    replacement = finding.replacement or ""
    sentence_start = at_sentence_start(text, start)
    new = replacement
    if replacement:
        if sentence_start:
            head, _, tail = new.partition(" ")
            new = _capitalised(head) + (" " + tail if _ else "")
        title = f"Replace '{short(finding.quote)}' with '{short(new)}'"
        return Fix(start, end, new, title)
    title = f"Delete '{short(finding.quote)}'"
    after = len(text[end:]) - len(text[end:].lstrip(SPACES))
    if sentence_start:
        if text.startswith(",", end + after):
            end += after + 1
            after = len(text[end:]) - len(text[end:].lstrip(SPACES))
        end += after
        word = re.match(r"\w+", text[end:])
        if word and _capitalised(word.group()) != word.group():
            return Fix(start, end + 1, text[end].upper(), title)
        return Fix(start, end, "", title)
    before = len(text[:start]) - len(text[:start].rstrip(SPACES))
    next_char = text[end + after : end + after + 1]
    if before and (not next_char or next_char in "\r\n" or not next_char.isalnum()):
        return Fix(start - before, end, "", title)  # "go basically." -> "go."
    return Fix(start, end + after, "", title)
