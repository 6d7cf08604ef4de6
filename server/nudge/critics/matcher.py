"""Find lexicon phrases in a text by walking a trie of words, with no pattern to compile.

One pattern for all 5,000 entries (`phrases.compile_phrases`) scans fast but costs
about a second to compile, in every process. Instead the entries' surface forms go
into a trie whose edges are the text's *units*: runs of word characters, and single
apostrophes and periods (a phrase word such as "don't" or "e.g." is several units
with nothing between them). A block is split into units and the gaps between them
in one call, and from each unit the trie is walked as far as the text allows. The
trie is built once, folded into a graph with shared tails (the five forms of "spill"
lead on to one "the beans"), and stored with the lexicon (see `compiled`) as plain
lists and dicts, so a process only reads it back.

The walk reports every end each phrase can have at a start; the whole pattern keeps
one. Where all ends at a start agree, that is the span. Where they differ ("in order"
and "in order to"), a small pattern built from just the phrases that match there is
asked which end the whole pattern prefers: a pattern built from a subset orders
their variants as the whole one does (`phrases` sorts each trie node's items the
same way), and phrases that do not match at a start cannot change what matches.

Matching rules, as the pattern's: a phrase starts at a word boundary and ends where
no word character follows; consecutive words are parted by one hyphen or a run of
whitespace (`phrases._SEP_RE`), after a comma for a token written with one; a slot
is any of its words, and "[someone]" also a determiner and any word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import accumulate, chain

from nudge.critics.phrases import DETERMINERS, Token, compile_phrases

_UNITS = re.compile(r"(\w+|['.])")  # split() gives gap, unit, gap, unit, ..., gap
_SEPARATOR = re.compile(r"(,?)[-\s]\s*")  # phrases._SEP_RE, after an optional comma
_CUTS = ("'", ".")
# Edge keys: a unit after a separator as it stands, after a comma and a separator with
# this prefix, glued to the unit before with that one; any word for "[someone]".
COMMA, GLUE, ANY = ",", "+", "*"


def _units(word: str) -> list[str]:
    return [u for u in _UNITS.split(word) if u]


def _steps(tokens: Sequence[Token]) -> list[list[tuple[tuple[str, ...], bool]]]:
    """Return each variant of a phrase as steps of (words one of which comes next, comma)."""
    variants: list[list[tuple[tuple[str, ...], bool]]] = [[]]
    for token in tokens:
        choices = [[(tuple(o.replace("’", "'") for o in token.options), token.comma)]]
        if token.kind == "slot" and token.base == "someone":
            choices.append([(DETERMINERS, False), ((ANY,), token.comma)])
        grown = []
        for variant in variants:
            if token.optional:
                grown.append(variant)
            grown.extend(variant + choice for choice in choices)
        variants = grown
    return [v for v in variants if v]


def build_tables(phrases: Sequence[Sequence[Token]]) -> dict:
    """Return the trie of all phrases as JSON-ready tables (see `PhraseMatcher`)."""
    edges: list[dict[str, int]] = [{}]
    finals: list[set[int]] = [set()]
    comma_finals: list[set[int]] = [set()]

    def child(node: int, key: str) -> int:
        found = edges[node].get(key)
        if found is None:
            found = edges[node][key] = len(edges)
            edges.append({})
            finals.append(set())
            comma_finals.append(set())
        return found

    for number, tokens in enumerate(phrases):
        for variant in _steps(tokens):
            frontier, comma = [0], False
            for step, (words, next_comma) in enumerate(variant):
                prefixes = ("",) if not (step and comma) else ("", COMMA)
                grown = []
                for node in frontier:
                    for word in words:
                        first, *rest = [ANY] if word == ANY else _units(word)
                        for prefix in prefixes:
                            here = child(node, prefix + first)
                            for unit in rest:
                                here = child(here, GLUE + unit)
                            grown.append(here)
                frontier, comma = grown, next_comma
            for node in frontier:
                (comma_finals if comma else finals)[node].add(number)
    return _fold(edges, finals, comma_finals)


def _fold(edges: list[dict[str, int]], finals: list[set[int]], comma_finals: list[set[int]]):
    """Merge nodes with the same ends and the same edges to merged nodes (a minimal DAG)."""
    order: list[int] = []
    stack = [0]
    seen = {0}
    while stack:  # children before parents: reverse of a pre-order walk of a tree
        node = stack.pop()
        order.append(node)
        for target in edges[node].values():
            if target not in seen:
                seen.add(target)
                stack.append(target)
    ids: dict[tuple, int] = {}
    new: dict[int, int] = {}
    out_edges: list[dict[str, int]] = []
    out_finals: list[list[int] | int] = []
    out_commas: list[list[int] | int] = []
    for node in reversed(order):
        kids = tuple(sorted((key, new[target]) for key, target in edges[node].items()))
        signature = (tuple(sorted(finals[node])), tuple(sorted(comma_finals[node])), kids)
        number = ids.get(signature)
        if number is None:
            number = ids[signature] = len(out_edges)
            out_edges.append(dict(kids))
            out_finals.append(sorted(finals[node]) or 0)
            out_commas.append(sorted(comma_finals[node]) or 0)
        new[node] = number
    return {"root": new[0], "edges": out_edges, "finals": out_finals, "commas": out_commas}


def check_tables(tables: object, phrases: int) -> None:
    """Raise ValueError unless `tables` has the shape `build_tables` gives, for `phrases`."""
    if type(tables) is not dict or set(tables) != {"root", "edges", "finals", "commas"}:
        raise ValueError("matcher tables")
    edges, finals, commas, root = (tables[k] for k in ("edges", "finals", "commas", "root"))
    if not (type(edges) is type(finals) is type(commas) is list) or not edges:
        raise ValueError("matcher tables")
    if not len(edges) == len(finals) == len(commas) or type(root) is not int:
        raise ValueError("matcher tables")
    try:
        targets = list(chain.from_iterable(map(dict.values, edges)))
    except TypeError:
        raise ValueError("matcher edges") from None
    _ints(targets, len(edges))
    _ints([root], len(edges))
    for column in (finals, commas):
        lists = [x for x in column if not (type(x) is int and x == 0)]
        if any(type(x) is not list for x in lists):
            raise ValueError("matcher ends")
        _ints(list(chain.from_iterable(lists)), phrases)


def _ints(values: list, bound: int) -> None:
    if values and (set(map(type, values)) != {int} or min(values) < 0 or max(values) >= bound):
        raise ValueError("matcher numbers")


class PhraseMatcher:
    """Candidate spans of many phrases, found by walking a trie of their words.

    `tables` are `build_tables`' (or read back from the stored lexicon); `tokens_of`
    returns phrase n's tokens, needed only where phrases disagree on an end.
    """

    def __init__(self, tables: dict, tokens_of: Callable[[int], Sequence[Token]]):
        self.tables = tables
        self._edges: list[dict[str, int]] = tables["edges"]
        self._finals: list = tables["finals"]
        self._commas: list = tables["commas"]
        self._root = self._edges[tables["root"]]
        self._tokens_of = tokens_of
        self._patterns: dict[tuple[int, ...], re.Pattern[str]] = {}
        # Nodes where a phrase neither ends nor takes any word: the common case, made fast.
        self._plain = {
            n
            for n in self._root.values()
            if not (self._finals[n] or self._commas[n] or ANY in self._edges[n])
            and COMMA + ANY not in self._edges[n]
        }

    @classmethod
    def from_phrases(cls, phrases: Sequence[Sequence[Token]]) -> PhraseMatcher:
        """Build the matcher (and its tables) for `phrases`."""
        phrases = [tuple(p) for p in phrases]
        return cls(build_tables(phrases), phrases.__getitem__)

    def pattern(self, numbers: tuple[int, ...]) -> re.Pattern[str]:
        """Return the pattern for these phrases alone, compiled once."""
        pattern = self._patterns.get(numbers)
        if pattern is None:
            pattern = compile_phrases(self._tokens_of(n) for n in numbers)
            self._patterns[numbers] = pattern
        return pattern

    def find_spans(self, lowered: str) -> list[tuple[int, int]]:
        """Return the span the whole lexicon's pattern would report at each start."""
        parts = _UNITS.split(lowered.replace("’", "'"))
        found = self._walk(parts)
        if not found:
            return []
        offsets = [0, *accumulate(map(len, parts))]
        spans = []
        for first in sorted(found):
            ends, numbers = found[first]
            start = offsets[2 * first + 1]
            at = {offsets[2 * i + 2] + comma for i, comma in ends}
            if len(at) == 1:
                spans.append((start, at.pop()))
                continue
            match = self.pattern(tuple(sorted(numbers))).match(lowered, start)
            assert match is not None  # each of these phrases matched here on its own
            spans.append(match.span(1))
        return spans

    def _walk(self, parts: list[str]) -> dict[int, tuple[set, set]]:
        """Return {first unit: (ends, phrase numbers)} for every phrase matching there.

        Unit i is parts[2i + 1] and the gap after it parts[2i + 2]; an end (i, comma)
        is after unit i, and after the comma that follows it when `comma` is true.
        """
        edges, finals, commas = self._edges, self._finals, self._commas
        units, gaps = parts[1::2], parts[2::2]
        last = len(gaps) - 1
        found: dict[int, tuple[set, set]] = {}
        get, plain = self._root.get, self._plain
        units.append("\0")  # no phrase has it: unit i + 1 always exists below
        for first, unit in enumerate(units):
            node = get(unit)
            if node is None:
                continue
            i = first
            if node in plain and gaps[i] == " ":
                # Most words of a text start a phrase ("the", "to"); few go on with the next.
                node = edges[node].get(units[i + 1])
                if node is None:
                    continue
                i += 1
            elif unit in _CUTS and not (
                first and gaps[first - 1] == "" and units[first - 1] not in _CUTS
            ):
                continue  # an apostrophe or period starts a phrase only right after a word
            pending = None
            while True:
                gap = gaps[i]
                if finals[node] or commas[node]:
                    self._ends(found, first, node, i, units, gaps)
                out = edges[node]
                if out and i < last:
                    after = units[i + 1]
                    if gap == " ":
                        prefix = ""
                    elif gap == "":
                        prefix = GLUE
                    else:
                        separator = _SEPARATOR.fullmatch(gap)
                        prefix = None if separator is None else separator.group(1)
                    if prefix is not None:
                        target = out.get(prefix + after if prefix else after)
                        if prefix != GLUE and after not in _CUTS and (prefix + ANY) in out:
                            pending = pending or []
                            pending.append((out[prefix + ANY], i + 1))
                        if target is not None:
                            node, i = target, i + 1
                            continue
                if not pending:
                    break
                node, i = pending.pop()
        return found

    def _ends(self, found, first: int, node: int, i: int, units, gaps) -> None:
        """Record where phrases ending at `node` end after unit i, if they can."""
        gap = gaps[i]
        if not (gap or i + 1 == len(gaps) or units[i + 1] in _CUTS):
            return  # a word character follows
        if self._finals[node]:
            _add(found, first, (i, False), self._finals[node])
        numbers = self._commas[node]
        if numbers:
            _add(found, first, (i, False), numbers)
            if gap[:1] == "," and (len(gap) > 1 or i + 1 == len(gaps) or units[i + 1] in _CUTS):
                _add(found, first, (i, True), numbers)


def _add(found: dict[int, tuple[set, set]], first: int, end: tuple[int, bool], numbers) -> None:
    hit = found.get(first)
    if hit is None:
        found[first] = ({end}, set(numbers))
    else:
        hit[0].add(end)
        hit[1].update(numbers)
