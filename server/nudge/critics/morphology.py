"""English inflection, just enough to match idioms in any tense and number.

The lexicons name a verb once in its base form ("spill~ the beans") and a noun once in
the singular ("tongue+"); this module expands them to every surface form a writer might
type (spills, spilled, spilt, spilling; tongues) and, going the other way, tells which
form a matched word is, so a replacement can be inflected to fit ("made a decision" ->
"decided"). Regular rules cover most words; the exceptions are data (`verbs.tsv`,
`nouns.tsv`) handed in by the lexicon loader, so this module does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

VERB_TAGS = ("base", "s", "past", "pp", "ing")
_VOWELS = frozenset("aeiou")
_HAVE = frozenset({"have", "has", "had", "having", "'ve", "'d", "ve"})
_TO_OR_MODAL = frozenset(
    {"to", "will", "would", "can", "could", "should", "shall", "must", "may", "might"}
    | {"do", "does", "did", "don't", "doesn't", "didn't", "won't", "can't", "cannot"}
)


def _vowel_groups(word: str) -> int:
    """Count runs of vowels, a rough syllable count."""
    groups, previous = 0, False
    for ch in word:
        vowel = ch in _VOWELS
        if vowel and not previous:
            groups += 1
        previous = vowel
    return groups


def _doubles_final(word: str) -> bool:
    """Tell whether a regular verb doubles its last consonant before -ed/-ing (stop -> stopped)."""
    if len(word) < 3 or _vowel_groups(word) != 1:
        return False
    a, b, c = word[-3], word[-2], word[-1]
    return a not in _VOWELS and b in _VOWELS and c not in _VOWELS and c not in "wxy"


def regular_verb_forms(base: str) -> dict[str, tuple[str, ...]]:
    """Return the regular -s, -ed and -ing forms of a verb, keyed by tag."""
    if base.endswith(("s", "x", "z", "ch", "sh", "o")):
        third = base + "es"
    elif base.endswith("y") and len(base) > 1 and base[-2] not in _VOWELS:
        third = base[:-1] + "ies"
    else:
        third = base + "s"
    if base.endswith("e"):
        past = base + "d"
    elif base.endswith("y") and len(base) > 1 and base[-2] not in _VOWELS:
        past = base[:-1] + "ied"
    elif _doubles_final(base):
        past = base + base[-1] + "ed"
    else:
        past = base + "ed"
    if base.endswith("ie"):
        ing = base[:-2] + "ying"
    elif base.endswith("e") and not base.endswith(("ee", "oe", "ye")) and len(base) > 2:
        ing = base[:-1] + "ing"
    elif _doubles_final(base):
        ing = base + base[-1] + "ing"
    else:
        ing = base + "ing"
    return {"base": (base,), "s": (third,), "past": (past,), "pp": (past,), "ing": (ing,)}


def regular_plural(noun: str) -> str:
    """Return the regular plural of a noun (box -> boxes, fly -> flies, tongue -> tongues)."""
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and len(noun) > 1 and noun[-2] not in _VOWELS:
        return noun[:-1] + "ies"
    return noun + "s"


class Morphology:
    """Inflect verbs and nouns with regular rules plus tables of exceptions."""

    def __init__(
        self,
        verbs: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
        nouns: Mapping[str, tuple[str, ...]] | None = None,
    ):
        self._verbs = dict(verbs or {})
        self._nouns = dict(nouns or {})

    def verb_forms(self, base: str) -> dict[str, tuple[str, ...]]:
        """Return every form of `base` keyed by tag (base, s, past, pp, ing), preferred first."""
        base = base.lower()
        forms = regular_verb_forms(base)
        forms.update({k: v for k, v in self._verbs.get(base, {}).items() if v})
        return forms

    def plurals(self, noun: str) -> tuple[str, ...]:
        """Return the plural forms of `noun`, preferred first."""
        noun = noun.lower()
        return self._nouns.get(noun) or (regular_plural(noun),)

    def inflect_verb(self, base: str, tag: str) -> str:
        """Return the preferred form of `base` for `tag`."""
        return self.verb_forms(base)[tag][0]


def verb_tags_of(forms: Mapping[str, tuple[str, ...]], word: str) -> frozenset[str]:
    """Return the tags under which `word` appears among `forms`."""
    word = word.lower()
    return frozenset(tag for tag, variants in forms.items() if word in variants)


def choose_verb_tag(tags: frozenset[str], previous_word: str) -> str:
    """Pick one tag for an ambiguous form ("made" is past or participle) from the word before.

    After a form of "have" the participle is meant; after "to" or a modal, the base form;
    otherwise the first possible of -s, -ing, past, base, participle.
    """
    if not tags:
        return "base"
    previous_word = previous_word.lower().replace("’", "'")
    if "pp" in tags and previous_word in _HAVE:
        return "pp"
    if "base" in tags and previous_word in _TO_OR_MODAL:
        return "base"
    for tag in ("s", "ing", "past", "base", "pp"):
        if tag in tags:
            return tag
    return "base"
