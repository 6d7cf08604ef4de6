"""Compile many phrase patterns into one fast regular expression, and map matches back.

A phrase is a sequence of `Token`s: literal words, the surface forms of a verb or noun,
or a slot such as "[one's]". `compile_phrases` folds every phrase into a single trie of
characters rendered as a regex, so a text is scanned once however many phrases there
are; `walk_tokens` then checks which phrase a matched run of words is, and which words
each token covered (needed to inflect a replacement and to fill slots).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DETERMINERS = ("the", "a", "an", "my", "your", "his", "her", "our", "their", "this", "that")
SLOTS: dict[str, tuple[str, ...]] = {
    "one's": (
        *("my", "your", "his", "her", "its", "our", "their", "one's", "someone's"),
        *("somebody's", "everyone's", "anyone's"),
    ),
    "someone": (
        *("me", "you", "him", "her", "it", "us", "them", "someone", "somebody"),
        *("everyone", "everybody", "anyone", "anybody", "people", "others"),
    ),
    "one": ("i", "you", "he", "she", "it", "we", "they", "one"),
    "oneself": (
        *("myself", "yourself", "himself", "herself", "itself", "ourselves"),
        *("yourselves", "themselves", "oneself"),
    ),
    "a": ("a", "an", "the", "this", "that", "these", "those"),
}

MATCH_WORDS = re.compile(r"[\w'’]+")
_SEP_RE = r"[-\s]\s*"  # one hyphen or a run of whitespace (a soft line break included)
_END = ""
_SEP = "\x00sep"
_COMMA = "\x00comma"


@dataclass(frozen=True, slots=True)
class Token:
    """One position in a phrase: a literal word, an inflectable verb or noun, or a slot."""

    kind: str  # "word", "verb", "noun" or "slot"
    options: tuple[str, ...]  # lower-case surface forms (a slot's words)
    base: str = ""  # verb base, noun singular, or slot name
    optional: bool = False
    comma: bool = False
    tags: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, hash=False)


def norm(word: str) -> str:
    """Lower-case a word and straighten its apostrophes."""
    return word.lower().replace("’", "'")


def _variants(tokens: Sequence[Token]) -> Iterable[list[str]]:
    """Yield each entry's surface forms as lists of trie items.

    Every word is spelt out character by character, so entries share prefixes and the
    pattern dispatches on one character at a time, after "in the" as much as at a word's
    start (a word item there made the engine try hundreds of words in turn). A word with
    several forms keeps their common prefix as characters and one item for the endings,
    so the rest of the phrase is not repeated for every form.
    """
    sequences: list[list[str]] = [[]]
    for index, token in enumerate(tokens):
        can_start = all(t.optional for t in tokens[:index])
        if token.kind == "slot" and not (can_start and token.base != "someone"):
            choices = [["\x00slot:" + token.base]]
        elif len(token.options) == 1:
            choices = [list(token.options[0])]
        else:
            # One choice per first letter, so the pattern still dispatches on a character
            # ("conduct~|perform~ an audit of" would otherwise try every form of both verbs).
            by_letter: dict[str, list[str]] = {}
            for option in token.options:
                by_letter.setdefault(option[:1], []).append(option)
            choices = [_stem_and_rest(group) for _, group in sorted(by_letter.items())]
        choices = [c for choice in choices for c in _without_empty_ending(choice)]
        if token.comma:
            choices = [[*c, _COMMA] for c in choices]
        grown = []
        for seq in sequences:
            if token.optional:
                grown.append(seq)
            for choice in choices:
                if seq:
                    grown.append([*seq, _SEP, *choice])
                else:
                    grown.append(list(choice))
        sequences = grown
    return sequences


def _without_empty_ending(choice: list[str]) -> list[list[str]]:
    """Split "purchase" + "(s|)" into "purchase" and "purchase" + "(s)".

    An ending that may be empty would match beside a longer continuation ("purchase of")
    and win, since a regex alternation takes the first branch that fits, not the longest.
    """
    if not choice or not choice[-1].startswith("\x00alt:"):
        return [choice]
    endings = choice[-1][len("\x00alt:") :].split("|")
    if "" not in endings:
        return [choice]
    rest = [e for e in endings if e]
    return [choice[:-1], [*choice[:-1], "\x00alt:" + "|".join(rest)]]


def _stem_and_rest(options: list[str]) -> list[str]:
    """Spell the options' common prefix as characters, then one item for the endings."""
    if len(options) == 1:
        return list(options[0])
    stem = os.path.commonprefix(options)  # noqa: RUF071 (strings, not paths)
    rest = "|".join(sorted({o[len(stem) :] for o in options}, key=lambda r: (-len(r), r)))
    return [*stem, "\x00alt:" + rest]


def _item_regex(item: str) -> str:
    if item == _SEP:
        return _SEP_RE
    if item == _COMMA:
        return ",?"
    if item.startswith("\x00alt:"):
        options = item[len("\x00alt:") :].split("|")
        return "(?:" + "|".join("".join(map(_item_regex, o)) for o in options) + ")"
    if item.startswith("\x00slot:"):
        name = item[len("\x00slot:") :]
        words = sorted(SLOTS[name], key=len, reverse=True)
        alternation = "|".join(re.escape(w).replace("'", "['’]") for w in words)
        if name == "someone":
            determiners = "|".join(DETERMINERS)
            alternation = f"(?:{determiners}){_SEP_RE}\\w+|{alternation}"
        return f"(?:{alternation})"
    if item in "'’":
        return "['’]"
    return re.escape(item)


def _trie_regex(node: dict) -> str:
    """Turn a trie of items into a regex that prefers the longest continuation."""
    terminal = _END in node
    singles, alternatives = [], []
    for item in sorted(k for k in node if k != _END):
        child = node[item]
        if len(item) == 1 and item not in "'’" and child.keys() == {_END}:
            singles.append(item)
        else:
            alternatives.append(_item_regex(item) + _trie_regex(child))
    if singles:
        chars = "".join(re.escape(c) for c in singles)
        alternatives.append(chars if len(singles) == 1 else f"[{chars}]")
    if not alternatives:
        return ""
    if len(alternatives) == 1 and not terminal:
        return alternatives[0]
    body = "(?:" + "|".join(alternatives) + ")"
    return body + "?" if terminal else body


def _walk(tokens, i, lowered, j, words) -> list[tuple[int, tuple[str, ...]]] | None:
    """Match tokens[i:] against words[j:] exactly; return what each token covered."""
    if i == len(tokens):
        return [] if j == len(lowered) else None
    token = tokens[i]
    if token.optional:
        rest = _walk(tokens, i + 1, lowered, j, words)
        if rest is not None:
            return rest
    if j >= len(lowered):
        return None
    widths = [1]
    if token.kind == "slot" and token.base == "someone" and lowered[j] in DETERMINERS:
        widths = [2, 1]
    for width in widths:
        if width == 1 and lowered[j] not in token.options:
            continue
        if j + width > len(lowered):
            continue
        rest = _walk(tokens, i + 1, lowered, j + width, words)
        if rest is not None:
            return [(i, tuple(words[j : j + width])), *rest]
    return None


def walk_tokens(
    tokens: Sequence[Token], words: Sequence[str], normed: Sequence[str] | None = None
) -> list[tuple[int, tuple[str, ...]]] | None:
    """Match `tokens` against exactly `words`; return (token index, covered words) pairs.

    `normed` is `words` already passed through `norm`, for callers trying many entries.
    """
    return _walk(tokens, 0, normed if normed is not None else [norm(w) for w in words], 0, words)


def last_words(tokens: Sequence[Token]) -> frozenset[str] | None:
    """Return the words a match of `tokens` must end with, or None when any may."""
    last = tokens[-1]
    if last.optional or last.kind == "slot":
        return None
    return frozenset(last.options)


def first_words(tokens: Sequence[Token]) -> set[str]:
    """Return the words a match of `tokens` can start with."""
    firsts: set[str] = set()
    for token in tokens:
        firsts.update(token.options)
        if token.kind == "slot" and token.base == "someone":
            firsts.update(DETERMINERS)
        if not token.optional:
            break
    return firsts


def compile_phrases(phrases: Iterable[Sequence[Token]]) -> re.Pattern[str]:
    """Compile phrases into one case-sensitive pattern for lower-cased text.

    Group 1 of each match is a phrase; the lookahead reports every start, so callers see
    overlapping candidates and choose among them. Matching lower-cased text without
    re.IGNORECASE is about three times faster.
    """
    trie: dict = {}
    for tokens in phrases:
        for sequence in _variants(tokens):
            node = trie
            for item in sequence:
                node = node.setdefault(item, {})
            node[_END] = True
    return re.compile(rf"\b(?=({_trie_regex(trie)})(?!\w))")
