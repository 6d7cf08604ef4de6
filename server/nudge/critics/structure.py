"""Clarity checks that a phrase list cannot express, read off a block's sentences.

The lexicon finds fixed phrases; these checks look at how a sentence is built:

- `convoluted:double-negative`: a negation of a word that is already negative ("not
  unreasonable", "had not gone unnoticed"), listed in `negated.tsv`;
- `convoluted:long-sentence`: a sentence of `LONG_SENTENCE_WORDS` words or more (the span
  is its opening words, so the squiggle is short and the message says how long it runs);
- `nominalisation:noun-subject`: an action buried in a noun with its doer tacked on
  ("the provision of feedback to students by teachers"), or followed by an empty verb
  ("the implementation of the rota was carried out");
- `vague:various-x`: "various" before a noun phrase ("various improvements"), unless a
  determiner makes it a known set ("the various adapters");
- `vague:some-things`: a loose quantity of a catch-all noun ("some weird stuff", "a few
  other tweaks", "numerous other enhancements");
- `wordy:adjective-manner`: "in a reliable manner" for "reliably", with the adverb as the fix;
- `redundant:clock-time`: "3 p.m. in the afternoon", where the clock already says which
  half of the day.

An ambiguous "this" or "it" needs to know what the earlier sentences are about; a
sentence-opening "This" plus a verb was tried and flagged well-edited prose (the rust book)
over a hundred times, so it is left to the Claude critic.

Every check works on the masked text, so code, URLs and math never count, and returns
`Hit`s; `LocalCritic` gives them confidence from the measured precision table, as it
does for lexicon entries.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from nudge.critics.lexicon import read_data
from nudge.model import Category

LONG_SENTENCE_WORDS = 55
OPENING_WORDS = 6

# kind -> category, for the precision table and the calibration script.
KIND_CATEGORY: dict[str, str] = {
    "convoluted": Category.CLARITY.value,
    "nominalisation": Category.CLARITY.value,
    "vague": Category.CLARITY.value,
    "wordy": Category.WORDINESS.value,
    "redundant": Category.REDUNDANCY.value,
}
RULES: dict[str, str] = {
    "convoluted:double-negative": "convoluted",
    "convoluted:long-sentence": "convoluted",
    "nominalisation:noun-subject": "nominalisation",
    "vague:various-x": "vague",
    "vague:some-things": "vague",
    "wordy:adjective-manner": "wordy",
    "redundant:clock-time": "redundant",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# A sentence ends at . ! or ? (plus closing quotes or brackets) before whitespace, unless
# a lower-case letter follows ("e.g. the"); "2.4" has no whitespace and does not end one.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+(?P<next>\S)|\s*$)")
# Patterns start with a literal so the scan over a block stays cheap; the word boundary
# before them is checked in code.
# A line break that does not run on: the line before ends in something other than a
# lower-case letter or comma, or the next line starts with something other than one.
_HARD_BREAK = re.compile(r"\n(?:(?<![^\W\d_A-Z,]\n)(?<![^\W\d_A-Z,][ \t]\n)|(?![ \t]*[^\W\d_A-Z]))")
_NEGATOR = r"(?:not|never|n['’]t)"
# Words that may sit between the negator and the negative word: "not be unfair",
# "not an unrealistic goal", "not gone unnoticed", "not entirely unexpected".
_BETWEEN = (
    r"(?:(?:a|an|be|been|being|go|gone|goes|went|seem|seems|seemed|look|looks|looked|"
    r"entirely|altogether|wholly|completely|totally|quite|so|all|that|too|exactly|"
    r"necessarily|always|particularly|at\s+all)\s+){0,2}"
)
# Nouns of action: -tion, -sion, -ment, -ance, -ence, -ure (the lexicon's light-verb
# entries cover "make a decision"; this is the noun as a sentence's subject).
_ACTION_NOUN = r"[A-Za-z-]*(?:tion|sion|ment|ance|ence|ure|isation|ization)"
_ACTION_OF = re.compile(r"(?:ion|ment|nce|ure)\s+of\s")
_SUBJECT_DETERMINER = r"(?:[Tt]he|[Oo]ur|[Yy]our|[Tt]heir|[Ii]ts)"
_DETERMINER_BEFORE = re.compile(rf"{_SUBJECT_DETERMINER}\s+$")
_NOUN_SUBJECT = re.compile(
    rf"{_SUBJECT_DETERMINER}\s+(?P<noun>{_ACTION_NOUN})\s+of\s+"
    r"(?P<object>[^.;:!?()\n]{1,90}?)"
    r"(?:\s+(?P<by>by)\s(?P<agent>(?:[\w'’-]+\s+){0,4}?[\w'’-]+)(?=\s+(?:is|was|were|are|has|have|had|"
    r"will|would|can|could|may|might|must|should|took|takes|starts|began|begins|led|leads|"
    r"happens|happened|resulted|results|meant|means|made|makes|remains|remained|requires|"
    r"required|comes|came|proved)\b|\s*[,.;:]|\s*$)"
    r"|\s+(?P<empty>(?:is|was|were|are|has\s+been|have\s+been|had\s+been|will\s+be)\s+"
    r"(?:carried\s+out|completed|achieved|performed|undertaken|conducted|effected|done)"
    r"|took\s+place|takes\s+place))"
)
# First words after "by" that name a means, an amount or a time, not a doer.
_NOT_AGENT = _words(
    "about accident air almost approximately around bus car chance comparison contrast "
    "default definition design email far half hand law mail means mistake more less name "
    "nature nearly now over phone post reference roughly then train under up down way "
    "well itself themselves"
)
_VARIOUS = re.compile(r"[Vv]arious\s+(?P<rest>(?:[A-Za-z][\w'’-]*\s+){0,3}[A-Za-z][\w'’-]*)")
_PHRASE_STOP = _words(
    "of to in for on with and or that which who from across at by since are is was were "
    "have has had can may will would could should as than but so into onto over under "
    "between within without through during before after about such"
)
# A loose quantity of a catch-all noun: "some weird stuff", "a few other tweaks". A
# countable noun ("some changes", "a few aspects") is vague only after "other" or a loose
# quantifier ("numerous enhancements"): "some bugs" may be exactly the bugs meant.
_LOOSE = (
    r"(?:numerous|a\s+range\s+of|a\s+lot\s+of|lots\s+of|loads\s+of|a\s+bunch\s+of|a\s+host\s+of|"
    r"all\s+sorts\s+of|all\s+kinds\s+of|assorted|miscellaneous)"
)
_CATCH_ALL = "stuff|things|tweaks|bits"
_COUNTABLE = "enhancements|improvements|fixes|changes|factors|issues|aspects|problems|bugs"
_SOME_THINGS = re.compile(
    rf"\b(?:(?:some|a\s+few|{_LOOSE})\s+(?:other\s+)?(?P<modifiers>(?:[a-z][\w'’-]*\s+){{0,2}}?)"
    rf"(?:{_CATCH_ALL})"
    rf"|(?:{_LOOSE}\s+(?:other\s+)?|(?:some|a\s+few)\s+other\s+)(?P<more>(?:[a-z][\w'’-]*\s+){{0,2}}?)"
    rf"(?:{_COUNTABLE}))\b",
    re.IGNORECASE,
)
# The nouns alone, found first: the full pattern then runs only on the words before one.
_HEAD_NOUNS = (*_CATCH_ALL.split("|"), *_COUNTABLE.split("|"))
_HEAD_NOUN = re.compile(rf"\b(?:{_CATCH_ALL}|{_COUNTABLE})\b", re.IGNORECASE)
# "in a reliable manner", "in a more careful fashion": an adverb said at length.
_MANNER = re.compile(
    r"\b[Ii]n\s+an?\s+(?P<more>(?:more|less)\s+)?(?P<adjective>[a-z]+(?:-[a-z]+)?)\s+(?:manner|fashion)\b"
)
# Adjectives whose "-ly" form is not the adverb, or that the lexicon words better.
_NO_ADVERB = _words("same similar different following certain such this that other general")
# "3 p.m. in the afternoon": the clock already says which half of the day.
_CLOCK_HALF = re.compile(
    r"\b(?P<time>\d{1,2}(?:[:.]\d{2})?\s*(?:(?P<am>a\.\s?m\.|am\b)|(?P<pm>p\.\s?m\.|pm\b)))"
    r"\s+(?P<half>in\s+the\s+(?P<part>morning|afternoon|evening)|at\s+night)\b",
    re.IGNORECASE,
)
# "the various adapters", "its various options": a known set, not a vague one.
_DETERMINERS = _words("the these those its their our your his her my")
# Words with an action-noun ending that name a thing, not an action.
_NOT_ACTIONS = _words(
    "instance distance evidence sentence experience audience licence license science "
    "silence element document environment argument department comment moment segment "
    "fragment apartment equipment government instrument nature feature structure picture "
    "future figure culture temperature signature creature mixture texture architecture "
    "literature furniture measure pressure station nation section question function "
    "portion population edition condition option emotion fiction tradition version "
    "mission session vision tension mansion dimension occasion"
)
# "followed by", "provided by": the doer belongs to the participle, not to the noun.
_PARTICIPLES = _words(
    "made done given shown written taken seen known held built sent run set put paid "
    "kept led brought caught taught thought found told"
)


class StructureError(ValueError):
    """`negated.tsv` is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding of a sentence check, offsets relative to the checked text."""

    start: int
    end: int
    rule: str
    message: str
    replacement: str | None = None

    @property
    def kind(self) -> str:
        """The rule's group, as keyed in the precision table."""
        return RULES[self.rule]

    @property
    def category(self) -> str:
        """The finding category the rule reports."""
        return KIND_CATEGORY[self.kind]


def parse_negated(text: str, source: str) -> dict[str, str | None]:
    """Parse `negated.tsv`: negative word -> its positive form (None for '-')."""
    table: dict[str, str | None] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) != 2 or not cols[0] or not cols[1] or " " in cols[0]:
            raise StructureError(f"{source}:{number}: expected word<TAB>positive form (or -)")
        table[cols[0].lower()] = None if cols[1] == "-" else cols[1]
    return table


def sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence in `text`, trimmed of surrounding whitespace.

    A line break ends a sentence too unless the line runs on: it ends in a lower-case
    letter or a comma and the next line starts in lower case (a soft-wrapped paragraph).
    """
    cuts = [m.end() for m in _SENTENCE_END.finditer(text) if not (m.group("next") or "").islower()]
    cuts += [m.start() for m in _HARD_BREAK.finditer(text)]
    spans, start = [], 0
    for cut in [*sorted(set(cuts)), len(text)]:
        piece = text[start:cut]
        stripped = piece.strip()
        if stripped:
            left = start + len(piece) - len(piece.lstrip())
            spans.append((left, left + len(stripped)))
        start = cut
    return spans


class SentenceChecks:
    """The sentence-level clarity checks, with their word table."""

    def __init__(self, negated: dict[str, str | None]):
        self.negated = dict(negated)
        words = "|".join(re.escape(w) for w in sorted(self.negated, key=len, reverse=True))
        self._double_negative = re.compile(
            rf"{_NEGATOR}\s+{_BETWEEN}(?P<word>{words})\b" if words else r"(?!)",
            re.IGNORECASE,
        )

    def check(self, masked: str) -> list[Hit]:
        """Return every hit in a block's masked text, sorted by start."""
        hits = self._double_negatives(masked)
        hits += _noun_subjects(masked)
        if "arious" in masked:
            hits += _various(masked)
        lower = masked.lower()  # cheap substring tests spare most blocks the patterns
        if any(noun in lower for noun in _HEAD_NOUNS):
            hits += _some_things(masked)
        if "manner" in lower or "fashion" in lower:
            hits += _adjective_manner(masked)
        if any(word in lower for word in ("morning", "afternoon", "evening", "night")):
            hits += _clock_half(masked)
        if masked.count(" ") + masked.count("\n") >= LONG_SENTENCE_WORDS:  # cheap bound
            for start, end in sentences(masked):
                hits += _long_sentence(masked, start, end)
        return sorted(hits, key=lambda h: (h.start, h.end))

    def _double_negatives(self, text: str) -> list[Hit]:
        hits = []
        for m in self._double_negative.finditer(text):
            start = m.start()
            if text[start + 1] in "'’":
                start = _word_start(text, start)  # "isn't unusual": from "isn't"
            elif start > 0 and text[start - 1].isalnum():
                continue  # "cannot", "knot"
            word = m.group("word")
            positive = self.negated[word.lower()]
            quote = text[start : m.end()]
            replacement = None
            if positive and re.fullmatch(r"not\s+\S+", quote, re.IGNORECASE):
                replacement = positive if quote[:1].islower() else positive.capitalize()
            message = f"'{' '.join(quote.split())}' is a double negative; say what you mean" + (
                f": '{replacement}'." if replacement else "."
            )
            hits.append(Hit(start, m.end(), "convoluted:double-negative", message, replacement))
        return hits


def _previous_word(text: str, index: int) -> str:
    """Return the lower-cased word before `index`, looking back a short way only."""
    words = text[max(0, index - 30) : index].split()
    return words[-1].lower() if words else ""


def _word_start(text: str, index: int) -> int:
    while index > 0 and (text[index - 1].isalnum() or text[index - 1] in "'’"):
        index -= 1
    return index


def _noun_subjects(text: str) -> list[Hit]:
    hits = []
    for anchor in _ACTION_OF.finditer(text):
        noun_start = _word_start(text, anchor.start())
        before = _DETERMINER_BEFORE.search(text, max(0, noun_start - 12), noun_start)
        if before is None or (before.start() > 0 and text[before.start() - 1].isalnum()):
            continue
        m = _NOUN_SUBJECT.match(text, before.start())
        if m is None or m.group("noun").lower() in _NOT_ACTIONS:
            continue
        if m.group("agent") is not None:
            before_by = _previous_word(text, m.start("by"))
            if before_by.endswith("ed") or before_by in _PARTICIPLES:
                continue
            first = m.group("agent").split()[0].lower()
            if first in _NOT_AGENT or first[:1].isdigit() or first.endswith("ing"):
                continue
            end = m.end("agent")
        else:
            end = m.end("empty")
        noun = m.group("noun").lower()
        message = (
            f"'{noun} of …' buries the action in a noun; "
            "say who does what with a verb (e.g. 'teachers gave students feedback')."
        )
        hits.append(Hit(m.start(), end, "nominalisation:noun-subject", message))
    return hits


def _various(text: str) -> list[Hit]:
    hits = []
    for m in _VARIOUS.finditer(text):
        if m.start() > 0 and text[m.start() - 1].isalnum():
            continue
        if _previous_word(text, m.start()) in _DETERMINERS:
            continue
        words = list(re.finditer(r"[\w'’-]+", m.group("rest")))
        end = None
        for word in words:
            if word.group().lower() in _PHRASE_STOP:
                break
            end = m.start("rest") + word.end()
        if end is None or words[0].group().lower() == "different":
            continue  # "various different" is a redundancy, not this
        quote = " ".join(text[m.start() : end].split())
        message = f"'{quote}' is vague; name them, or say how many."
        hits.append(Hit(m.start(), end, "vague:various-x", message))
    return hits


def _some_things(text: str) -> list[Hit]:
    hits = []
    for noun in _HEAD_NOUN.finditer(text):
        window = _SOME_THINGS.finditer(text, max(0, noun.start() - 80), noun.end())
        m = next((m for m in window if m.end() == noun.end()), None)
        if m is None:
            continue
        if _PHRASE_STOP & _words(m.group("modifiers") or m.group("more") or ""):
            continue  # "some kinds of bugs": the quantity is of something else
        quote = " ".join(m.group().split())
        message = f"'{quote}' is vague; name them, or say how many."
        hits.append(Hit(m.start(), m.end(), "vague:some-things", message))
    return hits


def adverb(adjective: str) -> str | None:
    """Return the "-ly" adverb of an adjective ("reliable" -> "reliably"), or None."""
    if adjective.endswith("ly") or adjective in _NO_ADVERB:
        return None  # "timely", "friendly": no adverb to offer
    if adjective.endswith("le") and len(adjective) > 3 and adjective[-3] not in "aeiou":
        return adjective[:-1] + "y"  # reliable, simple, gentle
    if adjective.endswith("ic"):
        return adjective + "ally"
    if adjective.endswith("y"):
        return adjective[:-1] + "ily"
    if adjective.endswith("ll"):
        return adjective + "y"  # full
    if adjective.endswith("ue"):
        return adjective[:-1] + "ly"  # true
    return adjective + "ly"


def _adjective_manner(text: str) -> list[Hit]:
    hits = []
    for m in _MANNER.finditer(text):
        plain = adverb(m.group("adjective"))
        if plain is None:
            continue
        replacement = " ".join([*(m.group("more") or "").lower().split(), plain])
        if m.group()[0] == "I":
            replacement = replacement[0].upper() + replacement[1:]
        quote = " ".join(m.group().split())
        message = f"'{quote}' says '{replacement}' at length."
        hits.append(Hit(m.start(), m.end(), "wordy:adjective-manner", message, replacement))
    return hits


def _clock_half(text: str) -> list[Hit]:
    hits = []
    for m in _CLOCK_HALF.finditer(text):
        part = (m.group("part") or "night").lower()
        if (part == "morning") != (m.group("am") is not None):
            continue  # "8 p.m. in the morning" is a mistake, not a repetition
        time = m.group("time")
        message = f"'{time}' already says '{' '.join(m.group('half').split())}'."
        hits.append(Hit(m.start(), m.end(), "redundant:clock-time", message, time))
    return hits


def _long_sentence(text: str, start: int, end: int) -> list[Hit]:
    if len(text[start:end].split()) * 2 < LONG_SENTENCE_WORDS:
        return []  # far too short even if every token held two words ("and/or")
    words = list(_WORD.finditer(text, start, end))
    if len(words) < LONG_SENTENCE_WORDS:
        return []
    opening_end = words[min(OPENING_WORDS, len(words)) - 1].end()
    clause = re.search(r"[,;:(—–]", text[start:opening_end])
    if clause and clause.start() > 0:
        opening_end = start + len(text[start : start + clause.start()].rstrip())
    message = f"This sentence runs to {len(words)} words; split it, or lead with the main clause."
    return [Hit(start, opening_end, "convoluted:long-sentence", message)]


def load_sentence_checks(directory: Path | None = None) -> SentenceChecks:
    """Load the checks' word table from `directory` (default: the shipped data)."""
    return SentenceChecks(parse_negated(*read_data(directory, "negated.tsv")))


@functools.cache
def default_sentence_checks() -> SentenceChecks:
    """Return the shipped checks, loaded once per process."""
    return load_sentence_checks()
