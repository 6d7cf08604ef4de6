"""Find lexicon phrases in a text without compiling the whole lexicon first.

One pattern for all 5,000 entries (`phrases.compile_phrases`) scans fast but costs
about a second to compile, in every process. Yet a block of prose can only match the
entries whose every required word occurs in it, and that is rarely more than a few.
`PhraseMatcher` keeps an index from one word of each entry to the entry, finds those
few, and runs a small pattern per entry, compiled the first time it is needed.

The result is the same as the one big pattern's. Every match it could report at a
position belongs to an entry that passes the word test, and a pattern built from a
subset of entries orders their variants as the whole one does (`phrases` sorts each
trie node's items the same way), so where several entries match at one position with
different ends, the pattern for just those entries picks the one the whole would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nudge.critics.phrases import Token, compile_phrases

_RUN = re.compile(r"[\w'.]+")  # a phrase word lies within such a run (apostrophes straightened)
_CUTS = "'."  # a matched word may start or end next to these inside a run


def words_in(lowered: str) -> set[str]:
    """Return every string a phrase word could match in `lowered` text.

    A phrase word is matched between separators (space, hyphen, comma), at the pattern's
    word boundary, or next to an apostrophe or period inside a longer run ("don't",
    "e.g."), so each run is cut at those marks too.
    """
    lowered = lowered.replace("’", "'")
    words = set(_RUN.findall(lowered))
    for run in [r for r in words if "'" in r or "." in r]:
        cuts = {0, len(run)}
        for i, ch in enumerate(run):
            if ch in _CUTS:
                cuts.update((i, i + 1))
        ordered = sorted(cuts)
        words.update(run[a:b] for a in ordered for b in ordered if a < b)
    return words


def required_words(token: Token) -> frozenset[str] | None:
    """Return the words one of which a match of `token` covers, or None when not required.

    Slots and optional tokens are not required, and neither is a token with a form that
    is not a plain run of word characters (the test must never rule out a real match).
    """
    if token.optional or token.kind == "slot":
        return None
    forms = frozenset(o.replace("’", "'") for o in token.options)
    return forms if all(_RUN.fullmatch(f) for f in forms) else None


def _required_per_phrase(phrases: Sequence[Sequence[Token]]) -> list[list[frozenset[str]]]:
    """Return each phrase's required word sets (tokens are shared, so each is seen once)."""
    seen: dict[int, frozenset[str] | None] = {}
    out = []
    for phrase in phrases:
        sets = []
        for token in phrase:
            key = id(token)
            if key not in seen:
                seen[key] = required_words(token)
            if seen[key] is not None:
                sets.append(seen[key])
        out.append(sets)
    return out


class PhraseMatcher:
    """Candidate spans of many phrases, with one small pattern per phrase, compiled lazily."""

    def __init__(self, phrases: Sequence[Sequence[Token]]):
        self._phrases = [tuple(p) for p in phrases]
        required = _required_per_phrase(self._phrases)
        # Bit n of _masks[j][word] is set when phrase n's j-th required token can be
        # `word`; bit n of _lacking[j] when phrase n has fewer than j + 1 such tokens.
        depth = max((len(r) for r in required), default=0)
        bits: list[dict[str, list[int]]] = [{} for _ in range(depth)]
        for number, req in enumerate(required):
            for j, words in enumerate(req):
                for word in words:
                    bits[j].setdefault(word, []).append(number)
        self._masks = [{w: _mask(ns) for w, ns in level.items()} for level in bits]
        self._lacking = [
            _mask([n for n, req in enumerate(required) if len(req) <= j]) for j in range(depth)
        ]
        self._all = (1 << len(required)) - 1
        self._patterns: dict[tuple[int, ...], re.Pattern[str]] = {}

    def candidates(self, lowered: str) -> list[int]:
        """Return the phrases (by number) whose required words all occur in `lowered`."""
        words = words_in(lowered)
        found = self._all
        for masks, lacking in zip(self._masks, self._lacking, strict=True):
            present = lacking
            for word in words & masks.keys():
                present |= masks[word]
            found &= present
            if not found:
                return []
        numbers = []
        while found:
            low = found & -found
            numbers.append(low.bit_length() - 1)
            found ^= low
        return numbers

    def pattern(self, numbers: tuple[int, ...]) -> re.Pattern[str]:
        """Return the pattern for these phrases alone, compiled once."""
        pattern = self._patterns.get(numbers)
        if pattern is None:
            pattern = compile_phrases(self._phrases[n] for n in numbers)
            self._patterns[numbers] = pattern
        return pattern

    def find_spans(self, lowered: str) -> list[tuple[int, int]]:
        """Return the span the whole lexicon's pattern would report at each start."""
        ends: dict[int, dict[int, list[int]]] = {}
        for number in self.candidates(lowered):
            for match in self.pattern((number,)).finditer(lowered):
                ends.setdefault(match.start(1), {}).setdefault(match.end(1), []).append(number)
        spans = []
        for start in sorted(ends):
            by_end = ends[start]
            if len(by_end) == 1:
                spans.append((start, next(iter(by_end))))
                continue
            numbers = tuple(sorted(n for group in by_end.values() for n in group))
            match = self.pattern(numbers).match(lowered, start)
            assert match is not None  # each of these phrases matched here on its own
            spans.append(match.span(1))
        return spans


def _mask(numbers: Sequence[int]) -> int:
    """Return an int with the given bits set."""
    if len(numbers) < 16:
        mask = 0
        for number in numbers:
            mask |= 1 << number
        return mask
    octets = bytearray(max(numbers) // 8 + 1)
    for number in numbers:
        octets[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(octets, "little")
