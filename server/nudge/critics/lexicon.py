"""Nudge's own phrase lexicons: parsed from the TSV files in `nudge.data`, compiled for speed.

Each line of `cliches.tsv`, `wordy.tsv` and `clarity.tsv` is one entry written in a small
notation (documented at the top of each file): `spill~ the beans` names a verb to inflect,
`tongue+` a noun that may be plural, `[one's]` a slot for a possessive. Entries are
expanded with `morphology` into every surface form and put into one trie of words by
`matcher`, so a block is scanned once however many entries there are. A match is mapped
back to its entry by walking the entry's tokens over the matched words, which also tells
the tense and number to give the replacement. The parsed entries and the trie are stored
(`compiled`), so a new process reads them back and builds an entry only when it matches.

`precision.tsv` holds measured precision per rule or rule group; a finding's confidence
starts there, falling back to a prior for its category.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nudge.critics import compiled
from nudge.critics.matcher import PhraseMatcher
from nudge.critics.morphology import Morphology, choose_verb_tag, verb_tags_of
from nudge.critics.phrases import (
    MATCH_WORDS,
    SLOTS,
    Token,
    compile_phrases,
    first_words,
    last_words,
    norm,
    walk_tokens,
)
from nudge.model import Category

__all__ = ["MATCH_WORDS", "Entry", "Lexicon", "LexiconError", "default_lexicon", "load_lexicon"]

CATEGORY_PRIORS: dict[str, float] = {
    Category.CLICHE.value: 0.9,
    Category.WORDINESS.value: 0.85,
    Category.REDUNDANCY.value: 0.85,
    Category.CLARITY.value: 0.6,
}

KIND_CATEGORY: dict[str, str] = {
    "cliche": Category.CLICHE.value,
    "wordy": Category.WORDINESS.value,
    "nominal": Category.WORDINESS.value,
    "vague": Category.CLARITY.value,
    "hedge": Category.CLARITY.value,
    "redundant": Category.REDUNDANCY.value,
}

DELETE = "<delete>"  # a replacement column meaning "cut the phrase"
_FILES = ("cliches.tsv", "wordy.tsv", "clarity.tsv")
# Words of an idiom too common to tell its literal use when they recur nearby: function
# words, and words with many everyday senses ("the order was raised" is no tall order, a
# department "head" puts no heads together, "under 200 ms" says nothing of a hood).
_COMMON_WORDS = frozenset(
    "about above after again back before being best below come down each ever figure from give "  # noqa: SIM905
    "good have head here into just know last level like long made make more most much must next "
    "only order over running said same says since some still such take tell than that them then "
    "there they thin thing this time under very view well were what when where which while with "
    "would your".split()
)
# "as quiet as a mouse", "drink like a fish": a comparison says it is figurative, so a
# mouse in the pantry next door does not make it literal.
_SIMILE = re.compile(r"^(?:\S+ )?as \S+ as |\blike (?:a|an|the)\b")
_WORD_CHARS = re.compile(r"^[\w'’.]+$")


class LexiconError(ValueError):
    """A lexicon or table file is malformed; the message names the file and line."""


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
    literal: frozenset[str] = frozenset()  # literal= cues: the idiom's literal scene
    echo: frozenset[str] = frozenset()  # a cliché's own nouns, literal if they recur

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


def _slug(phrase: str) -> str:
    words = [w.split("|")[0] for w in phrase.split()]
    text = " ".join(words).lower().replace("’", "").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# Thousands of tokens carry the same few tag sets ({"sg"}, {"past", "pp"}), and thousands
# of entries the same words ("the", "of"): one copy of each per process. A token's tags
# are part of its key, since they come from the verb table it was parsed with.
_TAG_SETS: dict[frozenset[str], frozenset[str]] = {}
_SINGULAR, _PLURAL = frozenset({"sg"}), frozenset({"pl"})
_TOKENS: dict[tuple[Token, frozenset], Token] = {}


def _shared(tags: frozenset[str]) -> frozenset[str]:
    return _TAG_SETS.setdefault(tags, tags)


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
        alternatives = [norm(a) for a in word.split("|")]
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
                tags.update({s: _shared(verb_tags_of(forms, s)) for s in surfaces})
            elif kind == "noun":
                surfaces = [stem, *morphology.plurals(stem)]
                tags.update({stem: _SINGULAR})
                tags.update({p: _PLURAL for p in surfaces[1:] if p != stem})
            else:
                surfaces = [stem]
            options.extend(s for s in surfaces if s not in options)
        base = alternatives[0].rstrip("~+")
        token = Token(kind, tuple(sys.intern(o) for o in options), base, optional, comma, tags)
        tokens.append(_TOKENS.setdefault((token, frozenset(tags.items())), token))
    if not tokens or all(t.optional for t in tokens):
        raise LexiconError(f"{where}: empty phrase")
    return tuple(tokens)


# A cliché written with "a" ("a silver bullet") is as worn with "the" or "no". Not bare:
# "heads up" and "must have" are plain words where "a heads-up" is a stock phrase.
_ARTICLES = ("a", "an", "the", "no")


def _flexible_article(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    """Let a cliché's leading "a"/"an" be any of `_ARTICLES` when two words follow."""
    first = tokens[0]
    if first.kind != "word" or first.optional or first.options not in (("a",), ("an",)):
        return tokens
    if sum(not t.optional for t in tokens[1:]) < 2:
        return tokens
    return (Token("word", _ARTICLES, first.base, False, first.comma), *tokens[1:])


def _article_changed(match: Match) -> bool:
    """Tell whether a flexible article matched something other than the written one."""
    first = match.entry.tokens[0]
    if first.options is not _ARTICLES:
        return False
    return norm(dict(match.parts)[0][0]) in ("no", "the")


def _check_replacement(replacement: str, tokens: Sequence[Token], where: str) -> None:
    slots = {t.base for t in tokens if t.kind == "slot"}
    for word in replacement.split():
        if word.startswith("[") and word.strip("[],").lower() not in slots:
            raise LexiconError(f"{where}: replacement uses {word!r}, which the phrase lacks")
        if word.endswith("~") and not any(t.kind == "verb" for t in tokens):
            raise LexiconError(
                f"{where}: replacement inflects {word!r} but the phrase has no verb~"
            )


_OPTIONS = ("not_after", "only_after", "literal")


def _parse_options(text: str, where: str) -> dict[str, frozenset[str]]:
    """Parse `not_after=w1,w2`, `only_after=w1,w2` and `literal=w1,w2` into word sets."""
    found: dict[str, set[str]] = {}
    for option in text.split():
        key, eq, value = option.partition("=")
        if key not in _OPTIONS or not eq or not value:
            raise LexiconError(
                f"{where}: unknown option {option!r} (expected one of "
                f"{', '.join(o + '=w1,w2' for o in _OPTIONS)})"
            )
        found.setdefault(key, set()).update(sys.intern(norm(v)) for v in value.split(",") if v)
    return {key: frozenset(words) for key, words in found.items()}


def _echo_words(tokens: Sequence[Token]) -> frozenset[str]:
    """Return a cliché's own content words, whose recurrence nearby signals literal use.

    "The sword from grave 14 is a double-edged sword": a figurative idiom rarely shares
    its nouns with the sentences around it, a literal one usually does. Words offered as
    alternatives ("literature|research|work") and common words are left out.
    """
    return frozenset(
        option
        for token in tokens
        if token.kind == "noun" or (token.kind == "word" and len(token.options) == 1)
        for option in token.options
        if len(option) >= 4 and option.isalpha() and not in_either_number(option, _COMMON_WORDS)
    )


def in_either_number(word: str, words: frozenset[str]) -> bool:
    """Tell whether `word` is in `words` as it stands, with an "s", or without one."""
    return word in words or word + "s" in words or (word.endswith("s") and word[:-1] in words)


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
        replacement: str | None = cols[1].strip() if len(cols) > 1 else ""
        if kind == "wordy" and not replacement:  # '-' must be said, not forgotten
            raise LexiconError(f"{where}: a wordy phrase needs a replacement (or '-')")
        replacement = None if replacement in ("", "-") else replacement
        replacement = "" if replacement == DELETE else replacement
        tokens = _parse_tokens(phrase, morphology, where)
        if kind == "cliche":
            tokens = _flexible_article(tokens)
        if replacement:
            _check_replacement(replacement, tokens, where)
        options = _parse_options(cols[2] if len(cols) > 2 else "", where)
        simile = kind == "cliche" and _SIMILE.search(phrase) is not None
        if simile and "literal" in options:
            raise LexiconError(f"{where}: a simile is never literal; drop its literal= cues")
        rule = f"{kind}:{_slug(phrase)}"
        category = KIND_CATEGORY[kind]
        entries.append(
            Entry(
                rule,
                kind,
                category,
                phrase,
                tokens,
                replacement,
                where,
                options.get("not_after", frozenset()),
                options.get("only_after"),
                options.get("literal", frozenset()),
                _echo_words(tokens) if kind == "cliche" and not simile else frozenset(),
            )
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


class Lexicon:
    """All entries, the matcher that finds them, and precision per rule."""

    def __init__(
        self,
        entries: Sequence[Entry],
        morphology: Morphology,
        precision: dict[str, tuple[float, int]] | None = None,
    ):
        self.morphology = morphology
        self.precision = dict(precision or {})
        seen: dict[str, Entry] = {}
        for entry in entries:
            if entry.rule in seen:
                raise LexiconError(
                    f"{entry.origin}: duplicate of {seen[entry.rule].origin} ({entry.rule})"
                )
            seen[entry.rule] = entry
        self.__dict__["entries"] = tuple(entries)
        self.__dict__["by_rule"] = seen
        # first word -> numbers of the entries that can start with it, and each entry's
        # last words (None when any may end it): the last word rules out most entries
        # sharing a first word ("a", "in") before any walk.
        self._firsts: dict[str, list[int]] = {}
        for number, entry in enumerate(self.entries):
            for first in sorted(first_words(entry.tokens)):
                self._firsts.setdefault(first, []).append(number)
        self._lasts: list = [last_words(entry.tokens) for entry in self.entries]
        self._entry = self.entries.__getitem__
        self._matcher = PhraseMatcher.from_phrases([entry.tokens for entry in self.entries])

    @classmethod
    def from_stored(
        cls,
        stored: compiled.Stored,
        morphology: Morphology,
        precision: dict[str, tuple[float, int]] | None = None,
    ) -> Lexicon:
        """Return the lexicon read back from its stored form; entries are built on demand."""
        self = cls.__new__(cls)
        self.morphology = morphology
        self.precision = dict(precision or {})
        self._stored = stored
        self._firsts = stored.firsts
        self._lasts = [None if t < 0 else stored.options(t) for t in stored.lasts]
        self._entry = stored.entry
        self._matcher = PhraseMatcher(stored.matcher, lambda n: stored.entry(n).tokens)
        return self

    @functools.cached_property
    def entries(self) -> tuple[Entry, ...]:
        """Return every entry, in the lexicon files' order."""
        return tuple(self._entry(n) for n in range(len(self._stored)))

    @functools.cached_property
    def by_rule(self) -> dict[str, Entry]:
        """Return the entries by rule id."""
        return {entry.rule: entry for entry in self.entries}

    def tables(self) -> dict:
        """Return the matcher's tables, to store beside the entries."""
        return self._matcher.tables

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """Return one pattern for every entry (slow to compile; `find_spans` needs none)."""
        return compile_phrases(entry.tokens for entry in self.entries)

    def find_spans(self, text: str) -> list[tuple[int, int]]:
        """Return the (start, end) of every candidate phrase in `text`, overlaps included."""
        lowered = text.lower()
        if len(lowered) != len(text):
            # A character whose lower case is longer ("İ") would shift every offset after
            # it; such characters are kept as they are (no phrase contains them).
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        return self._matcher.find_spans(lowered)

    def counts(self) -> dict[str, int]:
        """Return the number of entries per kind (cliche, wordy, nominal, ...)."""
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.kind] = counts.get(entry.kind, 0) + 1
        return counts

    def confidence(self, entry: Entry) -> float:
        """Return the precision for a rule: measured per rule, else per kind, else a prior."""
        return self.precision_of(entry.rule, entry.kind, entry.category)

    def precision_of(self, rule: str, kind: str, category: str) -> float:
        """Return the measured precision of a rule, else of its kind, else a prior."""
        for key in (rule, kind, category):
            if key in self.precision:
                return self.precision[key][0]
        return CATEGORY_PRIORS.get(category, 0.5)

    def identify(self, words: Sequence[str]) -> Match | None:
        """Find the entry whose tokens cover exactly `words` (as found by `pattern`)."""
        normed = [norm(w) for w in words]
        lasts = self._lasts
        for number in self._firsts.get(normed[0], ()):
            last = lasts[number]
            if last is not None and normed[-1] not in last:
                continue
            entry = self._entry(number)
            parts = walk_tokens(entry.tokens, words, normed)
            if parts is not None:
                return Match(entry, tuple(parts))
        return None

    def render(self, match: Match, previous_word: str = "") -> str | None:
        """Return the entry's replacement inflected to fit the matched words, or None."""
        template = match.entry.replacement
        if template is None or _article_changed(match):
            return None  # "no walk in the park" is not "easy"
        verb_tag, plural = "base", False
        for index, covered in match.parts:
            token = match.entry.tokens[index]
            if token.kind == "verb" and verb_tag == "base":
                tags = token.tags.get(norm(covered[0]), frozenset())
                before = previous_word if index == 0 else ""
                verb_tag = choose_verb_tag(tags, before)
            elif token.kind == "noun" and not plural:
                plural = "pl" in token.tags.get(norm(covered[0]), frozenset())
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


def read_data(directory: Path | None, name: str) -> tuple[str, str]:
    """Return a data file's text and the name to quote in errors (`directory` or shipped)."""
    if directory is not None:
        path = directory / name
        return path.read_text("utf-8"), str(path)
    return resources.files("nudge.data").joinpath(name).read_text("utf-8"), name


def load_lexicon(directory: Path | None = None) -> Lexicon:
    """Load the lexicon files from `directory` (default: the shipped data).

    The parsed entries are stored in the cache folder (see `compiled`) and read back
    by later processes while the data, the package and its parsing code are unchanged.
    """
    sources: dict[str, tuple[str, str]] = {}
    for name in ("verbs.tsv", "nouns.tsv", *_FILES, "precision.tsv"):
        try:
            sources[name] = read_data(directory, name)
        except FileNotFoundError:
            if name != "precision.tsv":
                raise
    verbs = parse_verb_table(*sources["verbs.tsv"])
    nouns = parse_noun_table(*sources["nouns.tsv"])
    morphology = Morphology(verbs, nouns)
    key = compiled.cache_key({quoted: text for text, quoted in sources.values()})
    path = compiled.cache_path(key)
    precision = parse_precision(*sources["precision.tsv"]) if "precision.tsv" in sources else {}
    stored = compiled.read(path, key, _ARTICLES, Entry, KIND_CATEGORY)
    if stored is None and directory is None and _build_elsewhere(path):
        stored = compiled.read(path, key, _ARTICLES, Entry, KIND_CATEGORY)
    if stored is not None:
        return Lexicon.from_stored(stored, morphology, precision)
    entries = []
    for name in _FILES:
        entries.extend(parse_entries(*sources[name], morphology))
    lexicon = Lexicon(entries, morphology, precision)
    with contextlib.suppress(compiled.CompiledError):
        compiled.write(path, compiled.dump(entries, key, _ARTICLES, lexicon.tables()))
    return lexicon


_CHILD = "NUDGE_LEXICON_BUILD"


def _build_elsewhere(path: Path) -> bool:
    """Build and store the shipped lexicon in a child process; tell whether it did.

    Building takes about 150 MB more than the stored form it leaves, and a process does
    not give that back: a language server that built it itself would keep the peak for
    its whole life. A child builds, stores and exits; the caller reads the stored form.
    """
    if os.environ.get(_CHILD) or not _writable(path.parent):
        return False
    code = "from nudge.critics.lexicon import default_lexicon; default_lexicon()"
    env = {**os.environ, _CHILD: "1"}
    try:
        done = subprocess.run([sys.executable, "-c", code], env=env, timeout=120,
                              stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and path.is_file()


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


@functools.cache
def default_lexicon() -> Lexicon:
    """Return the shipped lexicon, loaded and compiled once per process."""
    return load_lexicon()
