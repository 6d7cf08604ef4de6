"""Nudge's own phrase lexicons: parsed from the TSV files in `nudge.data`, compiled for speed.

Each line of `cliches.tsv`, `wordy.tsv` and `clarity.tsv` is one entry written in a small
notation (documented at the top of each file): `spill~ the beans` names a verb to inflect,
`tongue+` a noun that may be plural, `[one's]` a slot for a possessive. Entries are
expanded with `morphology` into every surface form and folded into ONE regular expression,
a trie of characters, so a block is scanned once however many entries there are. A match
is then mapped back to its entry by walking the entry's tokens over the matched words,
which also tells the tense and number to give the replacement.

`precision.tsv` holds measured precision per rule or rule group; a finding's confidence
starts there, falling back to a prior for its category.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from nudge.critics.morphology import Morphology, choose_verb_tag, verb_tags_of
from nudge.model import Category

CATEGORY_PRIORS: dict[str, float] = {
    Category.CLICHE.value: 0.9,
    Category.WORDINESS.value: 0.85,
    Category.REDUNDANCY.value: 0.85,
    Category.CLARITY.value: 0.6,
}

KIND_CATEGORY: dict[str, str] = {
    "cliche": Category.CLICHE.value,
    "wordy": Category.WORDINESS.value,
    "nominal": Category.CLARITY.value,
    "vague": Category.CLARITY.value,
    "hedge": Category.CLARITY.value,
    "redundant": Category.REDUNDANCY.value,
}

_DETERMINERS = ("the", "a", "an", "my", "your", "his", "her", "our", "their", "this", "that")
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

_FILES = ("cliches.tsv", "wordy.tsv", "clarity.tsv")
_WORD_CHARS = re.compile(r"^[\w'’.]+$")
MATCH_WORDS = re.compile(r"[\w'’]+")
_SEP_RE = r"(?:\s+|-)"
_END = ""
_SEP = "\x00sep"
_COMMA = "\x00comma"


class LexiconError(ValueError):
    """A lexicon or table file is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Token:
    """One position in a phrase: a literal word, an inflectable verb or noun, or a slot."""

    kind: str  # "word", "verb", "noun" or "slot"
    options: tuple[str, ...]  # lower-case surface forms (a slot's words)
    base: str = ""  # verb base, noun singular, or slot name
    optional: bool = False
    comma: bool = False
    tags: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry: a phrase pattern, what it is, and what to say instead."""

    rule: str
    kind: str
    category: str
    phrase: str
    tokens: tuple[Token, ...]
    replacement: str | None
    origin: str
    not_after: frozenset[str] = frozenset()
    only_after: frozenset[str] | None = None

    def allowed_after(self, previous_word: str) -> bool:
        """Tell whether the entry may match after `previous_word` (lower case)."""
        if previous_word in self.not_after:
            return False
        return self.only_after is None or previous_word in self.only_after


@dataclass(frozen=True, slots=True)
class Match:
    """An entry matched against words: for each token, the original words it covered."""

    entry: Entry
    parts: tuple[tuple[int, tuple[str, ...]], ...]


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


def _slug(phrase: str) -> str:
    words = [w.split("|")[0] for w in phrase.split()]
    text = " ".join(words).lower().replace("’", "").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _parse_tokens(phrase: str, morphology: Morphology, where: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    for raw in phrase.split():
        word = raw
        comma = word.endswith(",")
        word = word.rstrip(",")
        optional = word.endswith("?")
        word = word.rstrip("?")
        if word.startswith("[") or word.endswith("]"):
            name = word.strip("[]").lower().replace("’", "'")
            if not (word.startswith("[") and word.endswith("]")) or name not in SLOTS:
                raise LexiconError(f"{where}: unknown slot {raw!r} (known: {', '.join(SLOTS)})")
            tokens.append(Token("slot", SLOTS[name], name, optional, comma))
            continue
        alternatives = [_norm(a) for a in word.split("|")]
        if any(not a for a in alternatives):
            raise LexiconError(f"{where}: empty alternative in {raw!r}")
        options: list[str] = []
        tags: dict[str, frozenset[str]] = {}
        kinds = {
            "verb" if a.endswith("~") else "noun" if a.endswith("+") else "word"
            for a in alternatives
        }
        if len(kinds) > 1:
            raise LexiconError(f"{where}: mixed markers in {raw!r}")
        kind = kinds.pop()
        for alt in alternatives:
            stem = alt.rstrip("~+")
            if not _WORD_CHARS.match(stem) or stem.strip("'.") == "":
                raise LexiconError(f"{where}: bad word {raw!r}")
            if kind == "verb":
                forms = morphology.verb_forms(stem)
                surfaces = [s for variants in forms.values() for s in variants]
                tags.update({s: verb_tags_of(forms, s) for s in surfaces})
            elif kind == "noun":
                surfaces = [stem, *morphology.plurals(stem)]
                tags.update({stem: frozenset({"sg"})})
                tags.update({p: frozenset({"pl"}) for p in surfaces[1:] if p != stem})
            else:
                surfaces = [stem]
            options.extend(s for s in surfaces if s not in options)
        base = alternatives[0].rstrip("~+")
        tokens.append(Token(kind, tuple(options), base, optional, comma, tags))
    if not tokens or all(t.optional for t in tokens):
        raise LexiconError(f"{where}: empty phrase")
    return tuple(tokens)


def _check_replacement(replacement: str, tokens: Sequence[Token], where: str) -> None:
    slots = {t.base for t in tokens if t.kind == "slot"}
    for word in replacement.split():
        if word.startswith("[") and word.strip("[],").lower() not in slots:
            raise LexiconError(f"{where}: replacement uses {word!r}, which the phrase lacks")
        if word.endswith("~") and not any(t.kind == "verb" for t in tokens):
            raise LexiconError(
                f"{where}: replacement inflects {word!r} but the phrase has no verb~"
            )


def _parse_options(text: str, where: str) -> tuple[frozenset[str], frozenset[str] | None]:
    """Parse `not_after=w1,w2` and `only_after=w1,w2` into word sets."""
    found: dict[str, set[str]] = {}
    for option in text.split():
        key, eq, value = option.partition("=")
        if key not in ("not_after", "only_after") or not eq or not value:
            raise LexiconError(
                f"{where}: unknown option {option!r} (expected not_after=w1,w2 or only_after=w1,w2)"
            )
        found.setdefault(key, set()).update(_norm(v) for v in value.split(",") if v)
    only = found.get("only_after")
    return frozenset(found.get("not_after", ())), None if only is None else frozenset(only)


def parse_entries(text: str, source: str, morphology: Morphology) -> list[Entry]:
    """Parse one lexicon file's text; `source` (its file name) picks the column layout."""
    name = Path(source).name
    entries: list[Entry] = []
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{source}:{number}"
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\r\n").split("\t")
        if name == "clarity.tsv":
            kind, cols = cols[0].strip(), cols[1:]
            if kind not in ("nominal", "redundant", "vague", "hedge"):
                raise LexiconError(f"{where}: unknown kind {kind!r}")
        else:
            kind = "cliche" if name == "cliches.tsv" else "wordy"
        if not 1 <= len(cols) <= 3 or not cols[0].strip():
            raise LexiconError(f"{where}: expected phrase, replacement and options columns")
        phrase = cols[0].strip()
        replacement: str | None = cols[1].strip() if len(cols) > 1 else "-"
        replacement = None if replacement in ("", "-") else replacement
        if kind == "wordy" and replacement is None:
            raise LexiconError(f"{where}: a wordy phrase needs a replacement")
        tokens = _parse_tokens(phrase, morphology, where)
        if replacement is not None:
            _check_replacement(replacement, tokens, where)
        not_after, only_after = _parse_options(cols[2] if len(cols) > 2 else "", where)
        rule = f"{kind}:{_slug(phrase)}"
        category = KIND_CATEGORY[kind]
        entries.append(
            Entry(rule, kind, category, phrase, tokens, replacement, where, not_after, only_after)
        )
    return entries


def parse_verb_table(text: str, source: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """Parse `verbs.tsv`: base, -s, past, participle and -ing columns ('-' = regular)."""
    table: dict[str, dict[str, tuple[str, ...]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = [c.strip().lower() for c in line.split("\t")]
        if len(cols) != 5 or not all(cols):
            raise LexiconError(f"{source}:{number}: expected 5 tab-separated columns")
        table[cols[0]] = {
            tag: tuple(cols[i].split("|"))
            for i, tag in enumerate(("base", "s", "past", "pp", "ing"))
            if i and cols[i] != "-"
        }
    return table


def parse_noun_table(text: str, source: str) -> dict[str, tuple[str, ...]]:
    """Parse `nouns.tsv`: singular and plural columns."""
    table: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = [c.strip().lower() for c in line.split("\t")]
        if len(cols) != 2 or not all(cols):
            raise LexiconError(f"{source}:{number}: expected singular<TAB>plural")
        table[cols[0]] = tuple(cols[1].split("|"))
    return table


def parse_precision(text: str, source: str) -> dict[str, tuple[float, int]]:
    """Parse `precision.tsv`: rule id, rule group or category -> (precision, count)."""
    table: dict[str, tuple[float, int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        try:
            key, value, count = cols
            precision, n = float(value), int(count)
        except ValueError:
            raise LexiconError(f"{source}:{number}: expected key<TAB>precision<TAB>count") from None
        if not key or not 0.0 <= precision <= 1.0 or n < 0:
            raise LexiconError(f"{source}:{number}: precision must be in 0..1, count >= 0")
        table[key] = (precision, n)
    return table


def _variants(tokens: Sequence[Token]) -> Iterable[list[str]]:
    """Yield each entry's surface forms as lists of trie items.

    The first word is spelt out character by character, so entries share prefixes and the
    pattern dispatches on the first letter; a word with several forms keeps only their
    common prefix as characters. Everything after is one item per token, so the rest of
    the phrase is not repeated for every form of the first word.
    """
    sequences: list[list[str]] = [[]]
    for token in tokens:
        if token.kind == "slot":
            choices = [["\x00slot:" + token.base]]
        elif len(token.options) == 1:
            choices = [list(token.options[0])]
        else:
            stem = os.path.commonprefix(list(token.options))  # noqa: RUF071 (strings, not paths)
            rest = "|".join(
                sorted({o[len(stem) :] for o in token.options}, key=lambda r: (-len(r), r))
            )
            choices = [[*stem, "\x00alt:" + rest]]
        if token.comma:
            choices = [[*c, _COMMA] for c in choices]
        grown = []
        for seq in sequences:
            if token.optional:
                grown.append(seq)
            for choice in choices:
                if seq:
                    grown.append([*seq, _SEP, "\x00word:" + "".join(choice)])
                else:
                    grown.append(list(choice))
        sequences = grown
    return sequences


def _item_regex(item: str) -> str:
    if item == _SEP:
        return _SEP_RE
    if item == _COMMA:
        return ",?"
    if item.startswith("\x00word:"):
        return "".join(_item_regex(part) for part in _split_word_item(item[len("\x00word:") :]))
    if item.startswith("\x00alt:"):
        options = item[len("\x00alt:") :].split("|")
        return "(?:" + "|".join("".join(map(_item_regex, o)) for o in options) + ")"
    if item.startswith("\x00slot:"):
        name = item[len("\x00slot:") :]
        words = sorted(SLOTS[name], key=len, reverse=True)
        alternation = "|".join(re.escape(w).replace("'", "['’]") for w in words)
        if name == "someone":
            determiners = "|".join(_DETERMINERS)
            alternation = f"(?:{determiners}){_SEP_RE}\\w+|{alternation}"
        return f"(?:{alternation})"
    if item in "'’":
        return "['’]"
    return re.escape(item)


def _split_word_item(text: str) -> list[str]:
    """Split a joined word item back into characters and embedded special items."""
    parts: list[str] = []
    while text:
        if text[0] == "\x00":
            end = text.find("\x00", 1)
            end = len(text) if end < 0 else end
            parts.append(text[:end])
            text = text[end:]
        else:
            parts.append(text[0])
            text = text[1:]
    return parts


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


class Lexicon:
    """All entries, one compiled pattern that finds them, and precision per rule."""

    def __init__(
        self,
        entries: Sequence[Entry],
        morphology: Morphology,
        precision: dict[str, tuple[float, int]] | None = None,
    ):
        self.entries = tuple(entries)
        self.morphology = morphology
        self.precision = dict(precision or {})
        seen: dict[str, Entry] = {}
        for entry in self.entries:
            if entry.rule in seen:
                raise LexiconError(
                    f"{entry.origin}: duplicate of {seen[entry.rule].origin} ({entry.rule})"
                )
            seen[entry.rule] = entry
        self.by_rule = seen
        self._index: dict[str, list[Entry]] = {}
        trie: dict = {}
        for entry in self.entries:
            for first in self._first_words(entry.tokens):
                self._index.setdefault(first, []).append(entry)
            for sequence in _variants(entry.tokens):
                node = trie
                for item in sequence:
                    node = node.setdefault(item, {})
                node[_END] = True
        # Matching lower-cased text case-sensitively is about three times faster than
        # re.IGNORECASE; the lookahead reports every start, so overlaps can be resolved.
        self.pattern = re.compile(rf"\b(?=({_trie_regex(trie)})(?!\w))")

    @functools.cached_property
    def _pattern_ignorecase(self) -> re.Pattern[str]:
        return re.compile(self.pattern.pattern, re.IGNORECASE)

    def find_spans(self, text: str) -> list[tuple[int, int]]:
        """Return the (start, end) of every candidate phrase in `text`, overlaps included."""
        lowered = text.lower()
        if len(lowered) == len(text):
            return [m.span(1) for m in self.pattern.finditer(lowered)]
        return [m.span(1) for m in self._pattern_ignorecase.finditer(text)]

    @staticmethod
    def _first_words(tokens: Sequence[Token]) -> set[str]:
        firsts: set[str] = set()
        for token in tokens:
            firsts.update(token.options)
            if token.kind == "slot" and token.base == "someone":
                firsts.update(_DETERMINERS)
            if not token.optional:
                break
        return firsts

    def counts(self) -> dict[str, int]:
        """Return the number of entries per kind (cliche, wordy, nominal, ...)."""
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.kind] = counts.get(entry.kind, 0) + 1
        return counts

    def confidence(self, entry: Entry) -> float:
        """Return the precision for a rule: measured per rule, else per kind, else a prior."""
        for key in (entry.rule, entry.kind, entry.category):
            if key in self.precision:
                return self.precision[key][0]
        return CATEGORY_PRIORS.get(entry.category, 0.5)

    def identify(self, words: Sequence[str]) -> Match | None:
        """Find the entry whose tokens cover exactly `words` (as found by `pattern`)."""
        lowered = [_norm(w) for w in words]
        for entry in self._index.get(lowered[0], ()):
            parts = _walk(entry.tokens, 0, lowered, 0, words)
            if parts is not None:
                return Match(entry, tuple(parts))
        return None

    def render(self, match: Match, previous_word: str = "") -> str | None:
        """Return the entry's replacement inflected to fit the matched words, or None."""
        template = match.entry.replacement
        if template is None:
            return None
        verb_tag, plural = "base", False
        for index, covered in match.parts:
            token = match.entry.tokens[index]
            if token.kind == "verb" and verb_tag == "base":
                tags = token.tags.get(_norm(covered[0]), frozenset())
                before = previous_word if index == 0 else ""
                verb_tag = choose_verb_tag(tags, before)
            elif token.kind == "noun" and not plural:
                plural = "pl" in token.tags.get(_norm(covered[0]), frozenset())
        slot_words = {
            match.entry.tokens[i].base: " ".join(covered)
            for i, covered in match.parts
            if match.entry.tokens[i].kind == "slot"
        }
        out = []
        for word in template.split():
            if word.endswith("~"):
                out.append(self.morphology.inflect_verb(word[:-1], verb_tag))
            elif word.endswith("+"):
                stem = word[:-1]
                out.append(self.morphology.plurals(stem)[0] if plural else stem)
                if plural and stem.isupper():
                    out[-1] = stem + "s"
            elif word.startswith("["):
                out.append(slot_words.get(word.strip("[]").lower(), word))
            else:
                out.append(word)
        return " ".join(out)


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
    if token.kind == "slot" and token.base == "someone" and lowered[j] in _DETERMINERS:
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


def _read(directory: Path | None, name: str) -> tuple[str, str]:
    if directory is not None:
        path = directory / name
        return path.read_text("utf-8"), str(path)
    return resources.files("nudge.data").joinpath(name).read_text("utf-8"), name


def load_lexicon(directory: Path | None = None) -> Lexicon:
    """Load and compile the lexicon files from `directory` (default: the shipped data)."""
    verbs = parse_verb_table(*_read(directory, "verbs.tsv"))
    nouns = parse_noun_table(*_read(directory, "nouns.tsv"))
    morphology = Morphology(verbs, nouns)
    entries: list[Entry] = []
    for name in _FILES:
        entries.extend(parse_entries(*_read(directory, name), morphology))
    try:
        precision = parse_precision(*_read(directory, "precision.tsv"))
    except FileNotFoundError:
        precision = {}
    return Lexicon(entries, morphology, precision)


@functools.cache
def default_lexicon() -> Lexicon:
    """Return the shipped lexicon, loaded and compiled once per process."""
    return load_lexicon()
