"""LocalCritic: the offline, deterministic critic built on Nudge's own phrase lexicons.

One compiled pattern (see `lexicon.py`) finds every candidate phrase in a block's masked
text in a single pass; each candidate is mapped back to its lexicon entry, checked for
the cheap signs of a false positive, and turned into a `Finding` whose confidence starts
from the rule's measured precision. Inside quotation marks, in block quotes and in
Title Case names, and when the sentence names things from an idiom's literal domain
(a pear tree near "low-hanging fruit"), the confidence drops rather than the finding
vanishing, so thresholds in settings decide. Overlapping candidates keep the longest.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from nudge.critics.base import CritiqueRequest
from nudge.critics.figurative import STRONG, figurative_sign, is_concrete
from nudge.critics.lexicon import (
    MATCH_WORDS,
    Entry,
    Lexicon,
    Match,
    default_lexicon,
    in_either_number,
)
from nudge.critics.senses import FIGURATIVE, LITERAL, Senses, default_senses
from nudge.critics.structure import Hit, SentenceChecks, default_sentence_checks
from nudge.model import Block, Finding

QUOTED_FACTOR = 0.5
TITLE_CASE_FACTOR = 0.3
LITERAL_FACTOR = 0.4
AMBIGUOUS_FACTOR = 0.45
_PREPOSITIONS = frozenset("to of for on in into with at from up under over out off behind".split())  # noqa: SIM905
_QUOTED = re.compile(
    r"\"[^\"\n]{1,600}\"|“[^”]{1,600}”|(?<!\w)['‘][^'‘’\n]{0,600}?\w[.,!?;:]?['’](?!\w)"
    r"|``[^`'\n]{1,600}''|«[^»]{1,600}»"
)
_QUOTE_MARKS = ('"', "“", "'", "‘", "``", "«")
# LaTeX's \enquote{...}: the command itself is masked, so it is looked for in the raw text.
_ENQUOTE = re.compile(r"\\enquote\*?\{[^{}]{1,600}\}")
_SENTENCE_ENDS = ".!?\n"
_LITERAL_MARKERS = re.compile(r"\bliteral(?:ly)?\b")
_PREVIOUS_WORD = re.compile(r"([\w'’]+)[ \t]*$")
_MINOR = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of"}
    | {"on", "or", "the", "to", "with", "i"}
)
_MESSAGES: dict[str, tuple[str, str]] = {
    # kind: (message with a replacement, message without one)
    "cliche": ("'{q}' is a cliché; '{r}' says it plainly.", "'{q}' is a cliché; say it plainly."),
    "wordy": ("'{q}' is wordy; '{r}' says the same.", "'{q}' is wordy; say it in fewer words."),
    "nominal": (
        "'{q}' hides the action in a noun; '{r}' is more direct.",
        "'{q}' hides the action in a noun; use the verb.",
    ),
    "redundant": ("'{q}' is redundant; '{r}' says the same.", "'{q}' says the same thing twice."),
    "vague": ("'{q}' is vague; '{r}' is clearer.", "'{q}' is vague; say exactly what you mean."),
    "hedge": (
        "'{q}' weakens the sentence; '{r}' is enough.",
        "'{q}' is an empty hedge; cut it or be specific.",
    ),
}


@cache
def alternatives() -> dict[str, str]:
    """Return the plain wording suggested per cliché rule (`data/alternatives.tsv`)."""
    text = files("nudge.data").joinpath("alternatives.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t", 1) for line in text.splitlines() if line and line[0] != "#")
    return {rule.strip(): wording.strip() for rule, wording in rows}


def _message(entry: Entry, quote: str, replacement: str | None) -> str:
    with_replacement, without = _MESSAGES[entry.kind]
    quote = " ".join(quote.split())
    if replacement == "":
        return f"'{quote}' adds nothing; cut it."
    if replacement:
        return with_replacement.format(q=quote, r=replacement)
    if entry.kind == "cliche" and (wording := alternatives().get(entry.rule)):
        return f"'{quote}' is a cliché; try {wording}."
    return without.format(q=quote)


def _fit_case(quote: str, replacement: str) -> str:
    """Capitalise the replacement's first letter when the quote's is a capital."""
    if replacement and quote[:1].isupper() and not replacement[:1].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement


def _looks_like_title(words: Sequence[str]) -> bool:
    """Tell whether words look like part of a name or title ("Piece of Cake Bakery")."""
    return any(w[:1].isupper() and w.lower() not in _MINOR for w in words[1:])


def _sentence_start(text: str, before: int) -> int:
    return max(text.rfind(mark, 0, before) for mark in _SENTENCE_ENDS) + 1


def _sentence_end(text: str, after: int) -> int:
    ends = (text.find(mark, after) for mark in _SENTENCE_ENDS)
    return min((i for i in ends if i >= 0), default=len(text))


def _window_start(text: str, start: int) -> int:
    """Return where the sentence before the one at `start` begins, skipping blank lines."""
    left = _sentence_start(text, start)
    while left > 0:
        previous = _sentence_start(text, left - 1)
        blank, left = not text[previous:left].strip(), previous
        if not blank:
            break
    return left


def _window_end(text: str, end: int) -> int:
    """Return where the sentence after the one at `end` ends, skipping blank lines."""
    right = _sentence_end(text, end)
    while right < len(text):
        following = _sentence_end(text, right + 1)
        blank, right = not text[right + 1 : following].strip(), following
        if not blank:
            break
    return right


def _names_any(
    text: str, left: int, right: int, words: frozenset[str], skip: Sequence[tuple[int, int]]
) -> bool:
    """Tell whether text[left:right], outside the `skip` spans, has one of `words`.

    A word counts in either number ("fire wardens" names "fires") and without its 's.
    """
    for m in MATCH_WORDS.finditer(text, left, right):
        if any(a < m.end() and m.start() < b for a, b in skip):
            continue
        word = m.group().lower()
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        if in_either_number(word, words):
            return True
    return False


def _literal_use(
    block: Block, start: int, end: int, entry: Entry, others: list[tuple[int, int]]
) -> bool:
    """Tell whether the idiom at start..end reads as literal in its paragraph.

    - Its own nouns recur anywhere else in the paragraph: "The arm lifts a foam ball.
      … If the grip slips, it will drop the ball." A figurative idiom rarely repeats
      its nouns nearby.
    - Its sentence, or one either side, names its literal domain (the entry's cues).
      Writers set the scene in the sentence before ("The farmer lost a ring in the
      barn.") as often as in the same one; blank lines do not use up the window.
    - Its sentence says "literal" or "literally".
    Words inside another candidate phrase never count ("world-class" does not make
    "best-in-class" literal).
    """
    text = block.masked
    skip = [(start, end), *others]
    if _names_any(text, 0, len(text), entry.echo, skip):
        return True
    if _names_any(text, _window_start(text, start), _window_end(text, end), entry.literal, skip):
        return True
    own = text[_sentence_start(text, start) : _sentence_end(text, end)].lower()
    return _LITERAL_MARKERS.search(own) is not None


def _in_quotes(block: Block, start: int, end: int, quoted: list[tuple[int, int]]) -> bool:
    """Tell whether a span is someone else's words: a block quote or inside quote marks."""
    return block.kind == "quote" or any(s <= start and end <= e for s, e in quoted)


def _quoted_spans(masked: str, text: str) -> list[tuple[int, int]]:
    spans = []
    if any(mark in masked for mark in _QUOTE_MARKS):
        spans = [m.span() for m in _QUOTED.finditer(masked)]
    if "\\enquote" in text:
        spans += [m.span() for m in _ENQUOTE.finditer(text)]
    return spans


class LocalCritic:
    """Find clichés, wordy phrases, redundancies and vague hedges with the shipped lexicons."""

    name = "local"
    description = "Offline lexicon of clichés, wordy phrases and clarity patterns."

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        checks: SentenceChecks | None = None,
        senses: Senses | None = None,
    ):
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self.checks = checks if checks is not None else default_sentence_checks()
        self.senses = senses if senses is not None else default_senses()
        self._concrete_rules: dict[str, bool] = {}

    def check_text(self, text: str) -> list[Finding]:
        """Check a whole text as one unmasked paragraph."""
        return self.check_block(Block(0, text, text))

    def check_block(self, block: Block) -> list[Finding]:
        """Return findings for one block, offsets relative to the block, sorted by start."""
        masked, text = block.masked, block.text
        candidates: list[tuple[int, int]] = []
        for start, end in self.lexicon.find_spans(masked):
            if end > start and (masked is text or text[start:end] == masked[start:end]):
                candidates.append((start, end))
        hits = self.checks.check(masked)
        if not candidates and not hits:
            return []
        quoted = _quoted_spans(masked, text)
        findings = []
        for start, end in _longest_first(candidates):
            finding = self._finding(block, start, end, quoted, candidates)
            if finding is not None:
                findings.append(finding)
        taken: dict[str, _Spans] = {}
        for f in findings:
            taken.setdefault(f.category, _Spans()).add(f.start, f.end)
        for hit in hits:  # a lexicon phrase on the same words says it more precisely
            same = taken.setdefault(hit.category, _Spans())
            if same.free(hit.start, hit.end):
                findings.append(self._hit_finding(block, hit, quoted))
                same.add(hit.start, hit.end)
        return sorted(findings, key=lambda f: (f.start, f.end))

    def _hit_finding(self, block: Block, hit: Hit, quoted: list[tuple[int, int]]) -> Finding:
        confidence = self.lexicon.precision_of(hit.rule, hit.kind, hit.category)
        if _in_quotes(block, hit.start, hit.end, quoted):
            confidence *= QUOTED_FACTOR
        return Finding(
            start=hit.start,
            end=hit.end,
            quote=block.text[hit.start : hit.end],
            category=hit.category,
            message=hit.message,
            replacement=hit.replacement,
            confidence=round(confidence, 4),
            rule=hit.rule,
            critic=self.name,
        )

    def _finding(
        self,
        block: Block,
        start: int,
        end: int,
        quoted: list[tuple[int, int]],
        candidates: Sequence[tuple[int, int]] = (),
    ) -> Finding | None:
        quote = block.text[start:end]
        words = MATCH_WORDS.findall(quote)
        match = self.lexicon.identify(words) if words else None
        if match is None:
            return None
        entry = match.entry
        before = _PREVIOUS_WORD.search(block.masked, max(0, start - 40), start)
        previous = before.group(1).lower().replace("’", "'") if before else ""
        if not entry.allowed_after(previous):
            return None
        replacement = self.lexicon.render(match, previous)
        if replacement is not None:
            replacement = _fit_case(quote, replacement)
        confidence = self.lexicon.confidence(entry)
        if _in_quotes(block, start, end, quoted):
            confidence *= QUOTED_FACTOR
        if _looks_like_title(words):
            confidence *= TITLE_CASE_FACTOR
        confidence *= self._sense_factor(block, start, end, match, candidates)
        return Finding(
            start=start,
            end=end,
            quote=quote,
            category=entry.category,
            message=_message(entry, quote, replacement),
            replacement=replacement,
            confidence=round(confidence, 4),
            rule=entry.rule,
            critic=self.name,
        )

    def identity(self) -> dict[str, str]:
        """Return what determines this critic's findings besides the text (its name)."""
        return {"critic": self.name}

    def _sense_factor(
        self,
        block: Block,
        start: int,
        end: int,
        match: Match,
        candidates: Sequence[tuple[int, int]],
    ) -> float:
        """Return the factor for how the sentence reads the idiom: literal, ambiguous or not.

        A physical complement or a measure says literal, an abstract complement figurative;
        then the idiom's scene words nearby say literal. A concrete idiom (figurative.py)
        with no sign of its figurative sense is left to Claude's grading.
        """
        entry = match.entry
        concrete = self._concrete(entry)
        if not (entry.literal or entry.echo or concrete):
            return 1.0  # a simile, or a buzz phrase with no literal reading
        text = block.masked
        reading = None
        if _predicate(entry):
            last = entry.tokens[-1].options
            reading = self.senses.reading(text, start, end, set(last) <= _PREPOSITIONS)
        if reading == LITERAL:
            return LITERAL_FACTOR
        if reading == FIGURATIVE:
            return 1.0
        others = [c for c in candidates if c[1] <= start or c[0] >= end]
        slots = [w for i, words in match.parts if entry.tokens[i].kind == "slot" for w in words]
        if (entry.literal or entry.echo) and _literal_use(block, start, end, entry, others):
            return LITERAL_FACTOR
        sign = figurative_sign(text, start, end, entry, self.senses, slots, others)
        if sign == STRONG:
            return 1.0
        # An `ambiguous` idiom needs a strong sign; the sentence's topic is not enough.
        if concrete and (sign is None or entry.rule in self.senses.ambiguous):
            return AMBIGUOUS_FACTOR
        return 1.0

    def _concrete(self, entry: Entry) -> bool:
        known = self._concrete_rules.get(entry.rule)
        if known is None:
            known = self._concrete_rules[entry.rule] = is_concrete(entry, self.senses)
        return known

    async def critique(self, batch: Sequence[CritiqueRequest]) -> list[list[Finding]]:
        """Return findings for each request's block, in order."""
        return [self.check_block(request.block) for request in batch]


def _predicate(entry: Entry) -> bool:
    """Tell whether an idiom is a verb or preposition phrase, which a complement can make literal.

    A noun phrase keeps its figurative sense wherever its referent stands: "a hidden gem
    in the hills", "a stone's throw from our door".
    """
    first = entry.tokens[0]
    return any(t.kind == "verb" for t in entry.tokens) or (
        first.kind == "word" and set(first.options) <= _PREPOSITIONS
    )


def _longest_first(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep the longest of overlapping spans (earliest on ties), one per region, by start."""
    if len(spans) == 1:
        return spans
    kept = _Spans()
    for start, end in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if kept.free(start, end):
            kept.add(start, end)
    return list(zip(kept.starts, kept.ends, strict=True))


class _Spans:
    """Disjoint spans kept sorted, so testing a new one for overlap costs a bisection."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        """Tell whether [start, end) overlaps no kept span."""
        i = bisect.bisect_right(self.starts, start)
        if i and self.ends[i - 1] > start:
            return False
        return i == len(self.starts) or self.starts[i] >= end

    def add(self, start: int, end: int) -> None:
        """Keep [start, end), which must be free."""
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
