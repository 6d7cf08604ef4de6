"""Positive signs of an idiom's figurative reading, for idioms whose literal reading is common.

An idiom made only of concrete, everyday words (a physical action on a physical object:
"pulled my leg", "in hot water", "the wheels came off") is used literally in ordinary
prose about as often as figuratively, and offline the two cannot be told apart by the
idiom's own words. For such idioms the default is inverted: they stay below the default
threshold, for Claude's grading to decide, unless the sentence marks the figurative sense.
Whether an idiom is concrete is read off its words with the word classes in `senses.tsv`
(`thing`, `action`, `quality`, with `neutral` words not counting either way), never from a
list of idioms; `ambiguous` rows there add idioms the classes miss.

The signs, strongest first:

- the idiom's subject is abstract or an organisation ("the project hit a wall", "the
  event team dropped the ball"): no team drops a ball with its hands;
- its object slot holds an abstract noun ("nip the rumours in the bud");
- it is a noun phrase after a copula whose subject is a person or an idea ("the grant is
  a drop in the ocean", "the editor is a big fish in a small pond", "he's a wet blanket");
- "itself" fills its reflexive slot ("the club shot itself in the foot");
- it ends in a preposition whose object is no physical thing ("sheds light on the
  question"), or a preposition phrase about work or ideas follows it ("on the bid");
- a cue word for that idiom nearby (`ambiguous` rows) or a general marker of a figure
  ("proverbial", "metaphorically") in its sentence;
- weaker: its sentence is about work or ideas and names no physical thing ("the
  release slipped and we missed the boat on the spring budget").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from nudge.critics.lexicon import Entry, in_either_number
from nudge.critics.senses import Senses

STRONG = "strong"
TOPIC = "topic"
# Words that may come between a subject and its verb or copula ("the team has already").
_AUXILIARIES = frozenset(
    "am is are was were be been being has have had do does did will would shall should can "  # noqa: SIM905
    "could may might must 's 're 've 'd 'll to not n't never always also just already still "
    "then really finally nearly almost soon again tried try tries trying wanted want wants "
    "needs need needed seems seemed seem started start starts began begin begins kept keep "
    "keeps managed manage manages going got get gets".split()
)
_COPULAS = frozenset(
    "is are was were be been being 's 're am became become becomes remain remains remained "  # noqa: SIM905
    "seem seems seemed sounds sounded looks looked proved proves".split()
)
# Between a copula and the noun phrase: "is such a", "was a bit of", "is rather".
_DEGREE = frozenset("such quite really rather just a bit of truly simply always".split())  # noqa: SIM905
_PRONOUNS = frozenset(
    "i you he she it we they this that these those one who which there here".split()  # noqa: SIM905
)
_FUNCTION = frozenset(
    "a an the of to in on at by for with from into onto off out up down over under about as "  # noqa: SIM905
    "and or but no not nor is are was be it its it's one one's your his her their our my this "
    "that than all so if without against through behind across around between beside above "
    "below along near".split()
)
# The first word of a preposition-phrase idiom ("in hot water", "on the ropes").
_LEADING_PREPOSITIONS = frozenset(
    "to of for on in into with at from up under over out off behind".split()  # noqa: SIM905
)
_PERSONS = frozenset("i you he she we they".split())  # noqa: SIM905
_DETERMINERS = frozenset(
    "a an the my your his her its our their this that these those some any every each".split()  # noqa: SIM905
)
_COMPLEMENT_PREPOSITIONS = frozenset(
    "on in over about with for of to into".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_CLAUSE_MARKS = ",;:.!?()\n"
_SENTENCE_MARKS = ".!?\n"
_ABSTRACT_ENDING = re.compile(
    r"\w{3,}(?:tion|sion|ment|ness|ity|ance|ence|ship|ism|ysis|yses|ology)s?$"
)


def is_concrete(entry: Entry, senses: Senses) -> bool:
    """Tell whether every content word of a cliché names a physical action, object or quality.

    At least one word must be a physical thing or action; `neutral` words ("same", "wrong", "back")
    and function words do not count either way. An `ambiguous` row in `senses.tsv` makes
    an idiom concrete whatever its words.
    """
    if entry.rule in senses.ambiguous:
        return True
    if entry.kind != "cliche":
        return False
    bases = [t.base for t in entry.tokens]
    similes = ("like", "as")
    if bases.count("as") >= 2 or any(
        a in similes and b in ("a", "an", "the") for a, b in pairwise(bases)
    ):
        return False  # "white as a sheet", "as cold as ice": a comparison is never literal
    if _compound_adjective(entry):
        return False  # "jaw-dropping", "eye-opening": a compound adjective pictures nothing
    things = actions = 0
    for token in entry.tokens:
        if token.kind == "slot":
            continue
        for word in token.base.lower().replace("’", "'").split("-"):
            word = word.removesuffix("'s").strip("'")
            if not word or word in _FUNCTION or word in senses.neutral:
                continue
            if token.kind != "verb" and in_either_number(word, senses.things):
                things += 1
            elif not _physical_word(word, token.kind, senses):
                return False
            actions += token.kind == "verb"
    return things > 0 or actions > 0  # "pulled my leg", "bend over backwards"


def _compound_adjective(entry: Entry) -> bool:
    """Tell whether an entry is one word, or a noun and a participle ("jaw dropping")."""
    tokens = entry.tokens
    if len(tokens) == 1:
        return True
    first, second = tokens[0], tokens[-1]
    return (
        len(tokens) == 2
        and first.kind in ("word", "noun")
        and first.base not in _FUNCTION
        and second.kind == "word"
        and second.base.endswith(("ing", "ed"))
    )


def _physical_word(word: str, kind: str, senses: Senses) -> bool:
    if word in senses.actions or word in senses.qualities:
        return True
    if kind == "verb":
        return False
    # "sleeping dogs", "rolling stone", "broken record": a participle of a physical verb
    for suffix, stems in (("ing", ("", "e")), ("ed", ("", "e")), ("en", ("", "e"))):
        if word.endswith(suffix):
            root = word[: -len(suffix)]
            if any(root + s in senses.actions for s in stems) or (
                len(root) > 2 and root[-1] == root[-2] and root[:-1] in senses.actions
            ):
                return True
    return False


def figurative_sign(
    text: str,
    start: int,
    end: int,
    entry: Entry,
    senses: Senses,
    slot_words: Sequence[str] = (),
    skip: Sequence[tuple[int, int]] = (),
) -> str | None:
    """Return STRONG, TOPIC or None: how clearly the sentence marks the figurative sense."""
    before = _words_before(text, start)
    prepositional = _is_prepositional(entry)
    if entry.tokens[0].kind == "verb" or prepositional:
        subject = _subject(before, skip_verb=prepositional)
        if subject is not None and _abstract_or_agent(subject, senses):
            return STRONG
    if len(slot_words) >= 2 and _abstract_or_agent(slot_words[-1].lower(), senses):
        return STRONG  # "nip the rumours in the bud"; a bare "it" or "her" says nothing
    if [w.lower() for w in slot_words] == ["itself"]:
        return STRONG  # "the club shot itself in the foot": no body of its own
    if _noun_phrase(entry) and _copula_metaphor(before, senses):
        return STRONG
    after = _words_after(text, end)
    if _abstract_complement(after, senses):
        return STRONG
    if entry.tokens[-1].base in _COMPLEMENT_PREPOSITIONS and not _thing_complement(after, senses):
        return STRONG  # "sheds light on the question": only a physical object makes it literal
    if senses.figurative_cue(entry.rule, text, start, end):
        return STRONG
    sentence = _sentence_words(text, start, end, skip)
    if any(w in senses.markers for w in sentence):
        return STRONG
    if _abstract_topic(_sentence_words(text, start, end, skip, around=1), senses):
        return TOPIC
    return None


def _noun_phrase(entry: Entry) -> bool:
    """Tell whether an idiom is a noun phrase: no verb, and no leading preposition."""
    return not _is_prepositional(entry) and all(t.kind != "verb" for t in entry.tokens)


def _is_prepositional(entry: Entry) -> bool:
    first = entry.tokens[0]
    return first.kind == "word" and first.base in _LEADING_PREPOSITIONS


def _subject(before: Sequence[str], skip_verb: bool = False) -> str | None:
    """Return the noun before the idiom's verb, past auxiliaries and -ly adverbs.

    Before a preposition-phrase idiom the word just before is its verb ("the company is
    skating on thin ice"); with `skip_verb` that one word is passed over too.
    """
    for word in reversed(before):
        if word in _AUXILIARIES or word.endswith("ly"):
            continue
        if skip_verb and word not in _PRONOUNS and word not in _DETERMINERS:
            skip_verb = False
            continue
        return None if word in _PRONOUNS or word in _DETERMINERS else word
    return None


def _copula_metaphor(before: Sequence[str], senses: Senses) -> bool:
    """Tell whether a noun-phrase idiom follows a copula with a person or an idea as subject.

    "He's a wet blanket", "the grant is a drop in the ocean"; not "there was a snake in
    the grass", nor "the walnut is a tough nut to crack".
    """
    words = list(before)
    while words and words[-1] in _DEGREE:
        words.pop()
    if not words or words[-1] not in _COPULAS:
        return False
    words.pop()
    while words and (words[-1] in _AUXILIARIES or words[-1].endswith("ly")):
        words.pop()
    if not words:
        return False
    subject = words[-1]
    return (
        subject in _PERSONS
        or in_either_number(subject, senses.persons)
        or _abstract_or_agent(subject, senses)
    )


def _abstract_complement(after: Sequence[str], senses: Senses) -> bool:
    """Tell whether a preposition phrase about work or ideas follows ("on the grant bid").

    Only its head counts: a determiner, at most one modifier, then the noun.
    """
    if not after or after[0] not in _COMPLEMENT_PREPOSITIONS:
        return False
    content = 0
    for word in after[1:5]:
        if word in _DETERMINERS:
            continue
        if in_either_number(word, senses.things) or word in _PRONOUNS:
            return False
        if _abstract_or_agent(word, senses):
            return True
        content += 1
        if content == 2 or word in _COMPLEMENT_PREPOSITIONS:
            return False
    return False


def _thing_complement(after: Sequence[str], senses: Senses) -> bool:
    """Tell whether the noun phrase right after the idiom names a physical thing."""
    content = 0
    for word in after[:4]:
        if word in _DETERMINERS:
            continue
        if in_either_number(word, senses.things):
            return True
        content += 1
        if content == 2:
            return False
    return False


def _abstract_or_agent(word: str, senses: Senses) -> bool:
    if word in _PRONOUNS:
        return False
    return (
        in_either_number(word, senses.abstracts)
        or in_either_number(word, senses.agents)
        or _ABSTRACT_ENDING.match(word) is not None
    )


def _abstract_topic(words: Sequence[str], senses: Senses) -> bool:
    """Tell whether a sentence names work or ideas and no physical thing."""
    return not any(in_either_number(word, senses.things) for word in words)


def _words_before(text: str, start: int, limit: int = 8) -> list[str]:
    window = text[max(0, start - 80) : start]
    stop = max(window.rfind(mark) for mark in _CLAUSE_MARKS)
    words = _WORD.findall(window[stop + 1 :].lower().replace("’", "'"))
    out: list[str] = []
    for word in words[-limit:]:  # "team's" -> "team", "'s"; "didn't" -> "did", "n't"
        for tail in ("'s", "'re", "'ve", "'d", "'ll", "n't"):
            if word.endswith(tail) and len(word) > len(tail):
                out.extend((word[: -len(tail)], tail))
                break
        else:
            out.append(word)
    return out


def _words_after(text: str, end: int, limit: int = 6) -> list[str]:
    stop = min((i for i in (text.find(m, end) for m in _CLAUSE_MARKS) if i >= 0), default=len(text))
    return [w.lower().replace("’", "'") for w in _WORD.findall(text, end, stop)[:limit]]


def _sentence_words(
    text: str, start: int, end: int, skip: Sequence[tuple[int, int]], around: int = 0
) -> list[str]:
    """Return the words of the idiom's sentence (and `around` sentences either side)."""
    left, right = start, end
    for _ in range(around + 1):
        left = max(text.rfind(mark, 0, max(left - 1, 0)) for mark in _SENTENCE_MARKS) + 1
        ends = [i for i in (text.find(mark, right + 1) for mark in _SENTENCE_MARKS) if i >= 0]
        right = min(ends, default=len(text))
    spans = [(start, end), *skip]
    return [
        m.group().lower().replace("’", "'").removesuffix("'s")
        for m in _WORD.finditer(text, left, right)
        if not any(a < m.end() and m.start() < b for a, b in spans)
    ]
