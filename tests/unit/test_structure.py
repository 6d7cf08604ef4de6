"""The sentence checks: double negatives, long sentences, buried actions, vague quantities,
"in a reliable manner" and "3 p.m. in the afternoon"."""

from __future__ import annotations

import pytest

from nudge.critics.local import LocalCritic
from nudge.critics.structure import (
    LONG_SENTENCE_WORDS,
    SentenceChecks,
    StructureError,
    adverb,
    default_sentence_checks,
    load_sentence_checks,
    parse_negated,
    sentences,
)
from nudge.engine import critique_text


@pytest.fixture(scope="module")
def checks() -> SentenceChecks:
    return default_sentence_checks()


def rules_and_quotes(checks: SentenceChecks, text: str) -> list[tuple[str, str]]:
    return [(h.rule, text[h.start : h.end]) for h in checks.check(text)]


@pytest.mark.parametrize(
    ("text", "quote", "replacement"),
    [
        ("The risk is not insignificant.", "not insignificant", "significant"),
        ("Not uncommon, sadly.", "Not uncommon", "Common"),
        ("It is not an unrealistic goal.", "not an unrealistic", None),
        ("Her silence had not gone unnoticed.", "not gone unnoticed", None),
        ("That isn't unusual here.", "isn't unusual", None),
        ("We would never be unkind to them.", "never be unkind", None),
    ],
)
def test_double_negatives(checks, text, quote, replacement):
    (hit,) = checks.check(text)
    assert hit.rule == "convoluted:double-negative"
    assert text[hit.start : hit.end] == quote
    assert hit.replacement == replacement
    assert hit.category == "clarity"


@pytest.mark.parametrize(
    "text",
    [
        "Renaming a file does not invalidate its cache.",  # a verb, not a negative adjective
        "We did not intend to answer.",
        "Results were unlikely to change.",  # one negative only
        "It is not important.",
    ],
)
def test_single_negatives_are_left_alone(checks, text):
    assert checks.check(text) == []


def test_a_long_sentence_is_flagged_at_its_opening(checks):
    clause = "the team that owns the service reviewed the logs again"
    long = "Although " + ", and ".join([clause] * 6) + ", nothing changed."
    text = "Short first. " + long + " Short last."
    (hit,) = checks.check(text)
    assert hit.rule == "convoluted:long-sentence"
    assert text[hit.start : hit.end] == "Although the team that owns the"
    assert f"runs to {len(long.split())} words" in hit.message


def test_a_sentence_just_under_the_limit_is_not(checks):
    text = " ".join(["word"] * (LONG_SENTENCE_WORDS - 1)) + "."
    assert checks.check(text) == []


def test_masked_code_does_not_count_towards_length():
    prose = " ".join(["word"] * 40)
    code = " ".join(["arg"] * 30)
    critic = LocalCritic()
    long_plain = critique_text(f"{prose} {code}.", "markdown", critic)
    assert [f.rule for f in long_plain] == ["convoluted:long-sentence"]
    assert critique_text(f"{prose} `{code}`.", "markdown", critic) == []


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        (
            "The provision of feedback to students by teachers was associated with gains.",
            "The provision of feedback to students by teachers",
        ),
        (
            "The implementation of the new rota was carried out in May.",
            "The implementation of the new rota was carried out",
        ),
        (
            "The validation of the payload by the worker happens first.",
            "The validation of the payload by the worker",
        ),
    ],
)
def test_buried_actions(checks, text, quote):
    assert rules_and_quotes(checks, text) == [("nominalisation:noun-subject", quote)]


@pytest.mark.parametrize(
    "text",
    [
        "The population of the county fell by almost a third.",  # by an amount
        "The argument of the command followed by the name of the file.",  # a participle's doer
        "The instance of the class created by the factory is reused.",  # not an action
        "The migration of the database by hand took a week.",  # a means, not a doer
    ],
)
def test_noun_phrases_that_are_not_buried_actions(checks, text):
    assert [h.rule for h in checks.check(text)] == []


def test_various_before_a_noun_phrase(checks):
    text = "The audit flagged various aspects of our processes."
    assert rules_and_quotes(checks, text) == [("vague:various-x", "various aspects")]
    assert checks.check("Pick one of the various adapters.") == []  # a known set
    assert checks.check("We tried various different ways.") == []  # a redundancy instead


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("I saw some weird stuff in the logs.", "some weird stuff"),
        ("It also has a few other tweaks.", "a few other tweaks"),
        ("This release brings numerous other enhancements.", "numerous other enhancements"),
        ("Outcomes depend on a range of factors.", "a range of factors"),
    ],
)
def test_loose_quantities_of_catch_all_nouns(checks, text, quote):
    assert rules_and_quotes(checks, text) == [("vague:some-things", quote)]


@pytest.mark.parametrize(
    "text",
    [
        "Ownership rules prevent some kinds of bugs.",  # a quantity of kinds, not of bugs
        "We also have to make some small changes to main.",  # countable: may be exact
        "Next we look at a few aspects of the language.",
    ],
)
def test_quantities_that_are_not_vague(checks, text):
    assert [h.rule for h in checks.check(text)] == []


@pytest.mark.parametrize(
    ("text", "rule", "quote", "replacement"),
    [
        (
            "We can't build it in a reliable manner.",
            "wordy:adjective-manner",
            "in a reliable manner",
            "reliably",
        ),
        (
            "In a more systematic fashion, we",
            "wordy:adjective-manner",
            "In a more systematic fashion",
            "More systematically",
        ),
        (
            "Search in a case-sensitive manner.",
            "wordy:adjective-manner",
            "in a case-sensitive manner",
            "case-sensitively",
        ),
        (
            "Call me at 3 p.m. in the afternoon.",
            "redundant:clock-time",
            "3 p.m. in the afternoon",
            "3 p.m.",
        ),
        (
            "Doors open at 7:30am in the morning.",
            "redundant:clock-time",
            "7:30am in the morning",
            "7:30am",
        ),
        (
            "The alarm went off at 11 pm at night.",
            "redundant:clock-time",
            "11 pm at night",
            "11 pm",
        ),
    ],
)
def test_checks_that_offer_a_shorter_form(checks, text, rule, quote, replacement):
    (hit,) = checks.check(text)
    assert (hit.rule, text[hit.start : hit.end], hit.replacement) == (rule, quote, replacement)
    assert hit.category == {"wordy": "wordiness", "redundant": "redundancy"}[hit.kind]


def test_forms_without_a_plain_shorter_one_are_left_alone(checks):
    assert checks.check("Reply in a timely manner.") == []  # no "timelily"
    assert checks.check("Sort them in the same manner.") == []
    assert checks.check("The flight lands at 8 p.m. in the morning, local time?") == []
    assert [adverb(a) for a in ("gentle", "basic", "hasty", "full", "true", "clear")] == [
        "gently",
        "basically",
        "hastily",
        "fully",
        "truly",
        "clearly",
    ]


def test_sentences_split_on_ends_and_hard_line_breaks_only():
    text = "First one. Second, e.g. this one, and v2.4 too!\nThird line\nsoft wrapped\nFourth"
    assert [text[s:e] for s, e in sentences(text)] == [
        "First one.",
        "Second, e.g. this one, and v2.4 too!",
        "Third line\nsoft wrapped",
        "Fourth",
    ]


def test_local_critic_reports_checks_with_calibrated_confidence():
    critic = LocalCritic()
    text = 'It is not uncommon. She said "it is not uncommon" twice.'
    first, quoted = critique_text(text, "plaintext", critic)
    assert first.rule == quoted.rule == "convoluted:double-negative"
    assert first.replacement == "common"
    assert 0.5 < first.confidence <= 1.0
    assert quoted.confidence == pytest.approx(first.confidence * 0.5, abs=1e-3)


def test_a_lexicon_phrase_wins_over_a_check_on_the_same_words():
    critic = LocalCritic()
    (finding,) = critic.check_text("We shipped various improvements.")
    assert finding.rule == "vague:various-improvements"


@pytest.mark.parametrize(
    "line",
    ["unlikely", "unlikely\tlikely\textra", "\tlikely", "two words\tx"],
)
def test_bad_negated_table_names_the_line(line):
    with pytest.raises(StructureError, match=r"negated\.tsv:2"):
        parse_negated("# header\n" + line + "\n", "negated.tsv")


def test_checks_load_from_a_directory(tmp_path):
    (tmp_path / "negated.tsv").write_text("unwise\twise\n", encoding="utf-8")
    checks = load_sentence_checks(tmp_path)
    assert [h.replacement for h in checks.check("It was not unwise.")] == ["wise"]
    assert checks.check("It was not unlikely.") == []
