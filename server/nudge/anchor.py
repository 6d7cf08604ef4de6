"""Turn the quotes a model returns into exact spans of the block, or refuse.

A model quotes the words it wants changed; it does not count characters. We look the
quote up in three passes, strictest first: an exact match, then a match after
normalising whitespace runs and curly quotes (mapped back to the original offsets),
then a fuzzy alignment with rapidfuzz that must score at least `FUZZY_CUTOFF` and is
snapped outwards to word boundaries. Whatever span we settle on, the finding's quote
becomes the document's own text at that span, so a quick fix replaces exactly the
words the writer sees and nothing else. A quote we cannot place is dropped, never
guessed. Nothing needs re-anchoring later: a finding is kept against the content hash
of the block it was made on, so it is only ever shown on that exact text.
"""

from __future__ import annotations

from rapidfuzz import fuzz

FUZZY_CUTOFF = 90.0
MIN_FUZZY_LENGTH = 8
_QUOTE_MAP = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})


def _occurrences(text: str, quote: str) -> list[int]:
    found, at = [], text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def _nearest(starts: list[int], hint: int | None) -> int:
    if hint is None:
        return starts[0]
    return min(starts, key=lambda s: (abs(s - hint), s))


def _on_word_boundaries(text: str, starts: list[int], length: int) -> list[int]:
    """Keep the matches that neither begin nor end in the middle of a word."""
    return [s for s in starts if _snap(text, s, s + length) == (s, s + length)]


def _normalise(text: str) -> tuple[str, list[int]]:
    """Collapse whitespace runs and straighten quotes; return text and offset map."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text.translate(_QUOTE_MAP)):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        where.append(i)
    return "".join(out), where


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "'’_-"


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words, then trim surrounding spaces."""
    while start > 0 and _is_word(text[start - 1]) and _is_word(text[start]):
        start -= 1
    while end < len(text) and end > 0 and _is_word(text[end - 1]) and _is_word(text[end]):
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def anchor_quote(block_text: str, quote: str, hint: int | None = None) -> tuple[int, int] | None:
    """Return the (start, end) of `quote` in `block_text`, or None if it is not there."""
    if not quote or not quote.strip():
        return None
    starts = _on_word_boundaries(block_text, _occurrences(block_text, quote), len(quote))
    if starts:
        at = _nearest(starts, hint)
        return at, at + len(quote)
    norm_text, where = _normalise(block_text)
    norm_quote = _normalise(quote.strip())[0]
    starts = _on_word_boundaries(norm_text, _occurrences(norm_text, norm_quote), len(norm_quote))
    if starts:
        at = _nearest(starts, None if hint is None else _nearest_index(where, hint))
        return where[at], where[at + len(norm_quote) - 1] + 1
    return _fuzzy(block_text, quote.strip())


def _nearest_index(where: list[int], offset: int) -> int:
    for i, original in enumerate(where):
        if original >= offset:
            return i
    return len(where)


def _fuzzy(block_text: str, quote: str) -> tuple[int, int] | None:
    if len(quote) < MIN_FUZZY_LENGTH or len(quote) > len(block_text):
        return None
    found = fuzz.partial_ratio_alignment(quote, block_text, score_cutoff=FUZZY_CUTOFF)
    if found is None:
        return None
    start, end = _snap(block_text, found.dest_start, found.dest_end)
    if end <= start or fuzz.ratio(block_text[start:end], quote) < FUZZY_CUTOFF:
        return None
    return start, end
