"""Which reading an idiom has in its sentence, read off the grammar around it.

A lexicon entry's cue words name a literal scene ("pear tree" near "low-hanging
fruit"). Scenes no list names still show in how the sentence is built:

- a physical complement right after the idiom: a preposition and a concrete noun
  ("dropped the ball into the bin", "cut corners off each square"), or a preposition
  only a place takes ("sat on the fence along the car park", "twisted her arm behind
  her back"); an idiom that ends in a preposition takes the noun directly ("open the
  door to the garden");
- a measured quantity in its clause ("kept in hot water at 60 °C for 48 h");
- an abstract complement in the same place says the opposite ("dropped the ball on
  the renewal", "on the fence about the annual plan").

Some idioms are read literally so often in ordinary prose, and figuratively in words so
like it, that no offline sign settles them ("scratched his head", "dropped the ball"):
`senses.tsv` lists them as ambiguous, with the few words that do mark the figurative
reading, and `LocalCritic` reports them below the default threshold otherwise, for
Claude's grading to decide. The table's other word classes (physical actions and
qualities, neutral words, institutions, people, markers of a figure) let
`figurative.py` find such idioms from their words and read positive figurative signs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nudge.critics.lexicon import in_either_number, read_data

LITERAL = "literal"
FIGURATIVE = "figurative"
_KINDS = (
    "thing",
    "abstract",
    "preposition",
    "place",
    "unit",
    "action",
    "quality",
    "neutral",
    "agent",
    "person",
    "marker",
    "ambiguous",
)
_DETERMINERS = frozenset(
    "a an the this that these those my your his her its our their one's someone's each every "  # noqa: SIM905
    "some any both".split()
)
_STOPS = frozenset(
    "how what why which who whom where when whether that to and or but as than".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+(?:[.,]\d+)*")
_CLAUSE_END = re.compile(r"[,.;:!?()\[\]\"“”\n]")
_ABSTRACT_ENDING = re.compile(r"\w{3}(?:tion|sion|ment|ness|ity|ance|ence|ship|ism|ing)s?$")
# "60 °C", "60 C" where math was masked, "14 cm", "200 Hz": a number and a unit of measure.
_TEMPERATURE = re.compile(r"\d\s*(?:°\s*|℃|\s{2,})[CF]\b|\d\s*℃")
_MEASURE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?\s*(?:-\s*)?([^\W\d_]+)\b")


class SensesError(ValueError):
    """`senses.tsv` is malformed; the message names the line."""


@dataclass(frozen=True)
class Senses:
    """The word classes that tell an idiom's reading, and the idioms that need them most."""

    things: frozenset[str]
    abstracts: frozenset[str]
    prepositions: frozenset[str]
    places: frozenset[str]
    units: frozenset[str]
    ambiguous: dict[str, frozenset[str]]
    actions: frozenset[str] = frozenset()  # physical verbs: with things, a concrete idiom
    qualities: frozenset[str] = frozenset()  # physical adjectives ("hot", "wet", "thin")
    neutral: frozenset[str] = frozenset()  # words that make an idiom neither concrete nor not
    agents: frozenset[str] = frozenset()  # organisations and groups: figurative subjects
    markers: frozenset[str] = frozenset()  # words that announce a figure ("proverbial")
    persons: frozenset[str] = frozenset()  # people: "the editor is a big fish" is a metaphor

    def reading(self, text: str, start: int, end: int, ends_in_preposition: bool) -> str | None:
        """Return LITERAL, FIGURATIVE or None for the idiom at text[start:end]."""
        after = _words_after(text, end)
        sign = self._complement(after, ends_in_preposition)
        if sign is not None:
            return sign
        if self._measured(text, start, end):
            return LITERAL
        return None

    def figurative_cue(self, rule: str, text: str, start: int, end: int) -> bool:
        """Tell whether an ambiguous idiom has one of its figurative cue words nearby."""
        cues = self.ambiguous.get(rule, frozenset())
        if not cues:
            return False
        near = _words_before(text, start, 2) + _words_after(text, end)[:4]
        return any(w in cues for w in near)

    def _complement(self, words: Sequence[str], ends_in_preposition: bool) -> str | None:
        index = 0
        if not ends_in_preposition:
            if len(words) < 2 or words[0] not in self.prepositions | self.places:
                return None
            if words[0] in self.places and words[1] in _DETERMINERS:
                return LITERAL
            index = 1
        content = 0
        for word in words[index : index + 5]:
            if word in _DETERMINERS or word[:1].isdigit():
                continue
            if in_either_number(word, self.things):
                return LITERAL
            if in_either_number(word, self.abstracts) or _ABSTRACT_ENDING.match(word):
                return FIGURATIVE
            content += 1
            if word in _STOPS or word in self.prepositions or content == 2:
                return None  # an adjective and its noun at most: "the new slides"
        return None

    def _measured(self, text: str, start: int, end: int) -> bool:
        """Tell whether the idiom's clause measures something ("at 60 °C", "14 cm thick")."""
        left = max(text.rfind(mark, 0, start) for mark in ",;.!?\n") + 1
        stop = _CLAUSE_END.search(text, end)
        clause = text[left : stop.start() if stop else len(text)]
        if _TEMPERATURE.search(clause):
            return True
        return any(m.group(1).lower() in self.units for m in _MEASURE.finditer(clause))


def _words_after(text: str, end: int, limit: int = 6) -> list[str]:
    stop = _CLAUSE_END.search(text, end)
    window = text[end : stop.start() if stop else len(text)]
    return [w.lower().replace("’", "'") for w in _WORD.findall(window)[:limit]]


def _words_before(text: str, start: int, limit: int) -> list[str]:
    window = text[max(0, start - 60) : start]
    stop = max(window.rfind(mark) for mark in ",.;:!?\n")
    words = _WORD.findall(window[stop + 1 :])
    return [w.lower().replace("’", "'") for w in words[-limit:]]


def parse_senses(text: str, source: str) -> Senses:
    """Parse `senses.tsv`: word classes and the ambiguous idioms with their cue words."""
    classes: dict[str, set[str]] = {kind: set() for kind in _KINDS if kind != "ambiguous"}
    ambiguous: dict[str, frozenset[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\r\n").split("\t")
        kind = cols[0].strip()
        if kind not in _KINDS or len(cols) < 2 or not cols[1].strip():
            raise SensesError(f"{source}:{number}: expected one of {', '.join(_KINDS)} and words")
        if kind == "ambiguous":
            rule = cols[1].strip()
            if ":" not in rule or len(cols) > 3:
                raise SensesError(f"{source}:{number}: expected ambiguous<TAB>rule<TAB>cue words")
            ambiguous[rule] = frozenset(cols[2].lower().split() if len(cols) > 2 else ())
        else:
            classes[kind].update(cols[1].lower().split())
    return Senses(
        frozenset(classes["thing"]),
        frozenset(classes["abstract"]),
        frozenset(classes["preposition"]),
        frozenset(classes["place"]),
        frozenset(classes["unit"]),
        ambiguous,
        frozenset(classes["action"]),
        frozenset(classes["quality"]),
        frozenset(classes["neutral"]),
        frozenset(classes["agent"]),
        frozenset(classes["marker"]),
        frozenset(classes["person"]),
    )


def load_senses(directory: Path | None = None) -> Senses:
    """Load `senses.tsv` from `directory` (default: the shipped data)."""
    return parse_senses(*read_data(directory, "senses.tsv"))


@functools.cache
def default_senses() -> Senses:
    """Return the shipped senses table, loaded once per process."""
    return load_senses()
