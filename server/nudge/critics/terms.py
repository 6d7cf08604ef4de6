"""TermsCritic: the team's terminology (`[terms]` in `.nudge.toml`), enforced offline.

A team lists its preferred terms and the words to avoid (`"sign in" = ["log in",
"login"]`). Each word to avoid is expanded to the forms a writer types: the first word
of a phrase as a verb (logs in, logged in, logging in) and the last word in the plural
(logins). Matching ignores case, respects word boundaries, and reads the block's masked
text, so code, URLs and markup are never flagged. The fix is the preferred term in the
same form and case as the words it replaces ("Logged in" -> "Signed in").
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence

from nudge.critics.base import CritiqueRequest
from nudge.critics.morphology import Morphology
from nudge.model import Block, Finding

CATEGORY = "clarity"  # one concept, one word: a reader should not wonder if two differ
CONFIDENCE = 0.95  # the team chose the term; what is left is the odd quotation or name
_WORD = re.compile(r"[\w'’-]+")


@functools.cache
def _morphology() -> Morphology:
    from nudge.critics.lexicon import parse_noun_table, parse_verb_table, read_data

    return Morphology(
        parse_verb_table(*read_data(None, "verbs.tsv")),
        parse_noun_table(*read_data(None, "nouns.tsv")),
    )


def rule_id(preferred: str) -> str:
    """Return the stable rule id of a preferred term ("sign in" -> "term:sign-in")."""
    return "term:" + "-".join(_WORD.findall(preferred.casefold()))


def _forms(phrase: str) -> dict[str, tuple[str, str]]:
    """Map each surface form of `phrase` (lower case) to (how it was inflected, tag)."""
    words = phrase.casefold().split()
    morphology = _morphology()
    forms: dict[str, tuple[str, str]] = {" ".join(words): ("same", "")}
    plurals = {" ".join([*words[:-1], p]): ("plural", "") for p in morphology.plurals(words[-1])}
    if len(words) == 1:  # "logins" is more often a plural noun than a verb
        forms.update(plurals)
    for tag, variants in morphology.verb_forms(words[0]).items():
        for variant in variants:
            forms.setdefault(" ".join([variant, *words[1:]]), ("verb", tag))
    for form, how in plurals.items():
        forms.setdefault(form, how)
    return forms


def _inflect(preferred: str, how: str, tag: str) -> str:
    words = preferred.split()
    morphology = _morphology()
    if how == "verb" and tag != "base":
        words[0] = morphology.inflect_verb(words[0], tag)
    elif how == "plural":
        words[-1] = morphology.plurals(words[-1])[0]
    return " ".join(words)


def fit_case(found: str, replacement: str) -> str:
    """Return `replacement` in the case of `found`: UPPER, Capitalised or as written."""
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if found[:1].isupper() and not replacement[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class TermsCritic:
    """Flag words the team avoids and offer its preferred term as the fix."""

    name = "terms"
    description = "The team's terminology from [terms] in .nudge.toml (no key)."

    def __init__(self, terms: Mapping[str, Sequence[str]]):
        self.terms = {p: tuple(a) for p, a in terms.items() if a}
        self._forms: dict[str, tuple[str, str, str]] = {}
        for preferred, avoid in self.terms.items():
            for phrase in avoid:
                for form, (how, tag) in _forms(phrase).items():
                    self._forms.setdefault(form, (preferred, how, tag))
        alternatives = sorted(self._forms, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, f.split())) for f in alternatives)
        self._pattern = re.compile(rf"(?<![\w'’-])(?:{body})(?![\w'’-])", re.I) if body else None

    def identity(self) -> dict[str, str]:
        """Return a hash of the terms: they alone decide this critic's findings."""
        blob = repr(sorted(self.terms.items())).encode()
        return {"critic": self.name, "terms": hashlib.blake2b(blob, digest_size=8).hexdigest()}

    def check_block(self, block: Block) -> list[Finding]:
        """Return a finding for each avoided word in the block's prose, relative to it."""
        if self._pattern is None:
            return []
        out = []
        for match in self._pattern.finditer(block.masked):
            start, end = match.span()
            quote = block.text[start:end]
            if quote != block.masked[start:end]:
                continue  # touches masked code or markup
            preferred, how, tag = self._forms[" ".join(quote.casefold().split())]
            replacement = fit_case(quote, _inflect(preferred, how, tag))
            out.append(
                Finding(start, end, quote, CATEGORY,
                        f"This team writes '{preferred}', not '{' '.join(quote.split())}'.",
                        replacement, CONFIDENCE, rule_id(preferred), self.name)
            )  # fmt: skip
        return out

    async def critique(self, batch: Sequence[CritiqueRequest]) -> list[list[Finding]]:
        """Return findings for each request's block, in order."""
        return [self.check_block(request.block) for request in batch]


class LocalGroup:
    """The offline critics together (lexicon, then the team's terms) behind one interface."""

    name = "local"
    description = "Offline lexicon of clichés, wordy phrases and clarity patterns, and [terms]."

    def __init__(self, *critics: object):
        self.critics = critics

    def identity(self) -> dict[str, object]:
        """Return every member's identity."""
        return {"critic": self.name, "members": [c.identity() for c in self.critics]}  # type: ignore[attr-defined]

    def check_block(self, block: Block) -> list[Finding]:
        """Return every member's findings for a block, sorted by start."""
        found = [f for c in self.critics for f in c.check_block(block)]  # type: ignore[attr-defined]
        return sorted(found, key=lambda f: (f.start, f.end))

    async def critique(self, batch: Sequence[CritiqueRequest]) -> list[list[Finding]]:
        """Return findings for each request's block, in order."""
        return [self.check_block(request.block) for request in batch]


def with_terms(local: object, terms: Mapping[str, Sequence[str]]) -> object:
    """Return `local` alone, or grouped with a TermsCritic when the team lists terms."""
    return LocalGroup(local, TermsCritic(terms)) if terms else local
