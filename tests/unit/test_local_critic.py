"""LocalCritic finds lexicon phrases in any inflection and avoids the obvious false hits."""

from __future__ import annotations

import pytest

from nudge.critics.base import Critic, CritiqueRequest
from nudge.critics.local import LocalCritic
from nudge.engine import critique_text
from nudge.model import Block


@pytest.fixture(scope="module")
def critic() -> LocalCritic:
    return LocalCritic()


def only(critic: LocalCritic, text: str):
    findings = critic.check_text(text)
    assert len(findings) == 1, findings
    return findings[0]


@pytest.mark.parametrize(
    ("text", "quote", "rule"),
    [
        ("Don't spill the beans.", "spill the beans", "cliche:spill-the-beans"),
        ("She spilled the beans.", "spilled the beans", "cliche:spill-the-beans"),
        ("He spilt the beans.", "spilt the beans", "cliche:spill-the-beans"),
        ("Stop spilling the beans!", "spilling the beans", "cliche:spill-the-beans"),
        ("He bit her tongue.", "bit her tongue", "cliche:bite-ones-tongue"),
        ("I had to bite my tongue.", "bite my tongue", "cliche:bite-ones-tongue"),
        ("They kept biting their tongues.", "biting their tongues", "cliche:bite-ones-tongue"),
        ("It drove me up the wall.", "drove me up the wall", "cliche:drive-someone-up-the-wall"),
        ("It drives the team up the wall.", "drives the team up the wall", None),
        ("They shot themselves in the foot.", "shot themselves in the foot", None),
        ("A real catch-22 here.", "catch-22", "cliche:catch-22"),
        ("Hook, line, and sinker.", "Hook, line, and sinker", None),
        ("hook line and sinker", "hook line and sinker", None),
        ("at the end\nof the day", "at the end\nof the day", "cliche:at-the-end-of-the-day"),
        ("Due to the fact that it rained", "Due to the fact that", "wordy:due-to-the-fact-that"),
        ("We made a decision.", "made a decision", "nominal:make-a-decision"),
        ("Each and every one", "Each and every", "redundant:each-and-every"),
        ("It is very unique.", "very unique", "vague:very-unique"),
        ("The curly ’achilles’ heel’ here", "achilles’ heel", "cliche:achilles-heel"),
    ],
)
def test_matches_inflections_and_slots(critic, text, quote, rule):
    finding = only(critic, text)
    assert finding.quote == quote
    assert text[finding.start : finding.end] == quote
    if rule:
        assert finding.rule == rule
    assert finding.critic == "local"


@pytest.mark.parametrize(
    ("text", "replacement"),
    [
        ("We need it in order to win.", "to"),
        ("In order to win, we run.", "To"),
        ("She spilled the beans.", "revealed the secret"),
        ("They made a decision.", "decided"),
        ("She makes a decision.", "decides"),
        ("We are making a decision.", "deciding"),
        ("We have made a choice.", "chosen"),
        ("They made a choice.", "chose"),
        ("It drove me up the wall.", "annoyed me"),
        ("Compare the end results.", "results"),
        ("It was past history.", "history"),
        ("He threw in the towel.", "gave up"),
        ("We do this at this point in time.", "now"),
        ("Each and every one.", "Each"),
        ("They have a tendency to fail.", "tend to"),
        ("He has a tendency to fail.", "tends to"),
        ("She bit her tongue.", None),
        ("It is sort of slow.", None),
    ],
)
def test_replacements_are_inflected_and_capitalised(critic, text, replacement):
    assert only(critic, text).replacement == replacement


@pytest.mark.parametrize(
    "text",
    [
        "in order tomorrow",
        "spill the beanstalk",
        "unspill the beans",
        "the bean spill",
        "at the end. Of the day we know nothing.",
        "What kind of tool is it?",
        "This sort of thing happens.",
        "",
    ],
)
def test_no_false_hits(critic, text):
    assert critic.check_text(text) == []


def test_never_flags_masked_text(critic):
    text = "Use `in order to` and in order to win."
    masked = text.replace("`in order to`", " " * len("`in order to`"))
    findings = critic.check_block(Block(0, text, masked))
    assert [(f.start, f.quote) for f in findings] == [(22, "in order to")]


def test_does_not_match_across_a_masked_region(critic):
    text = "in order `x` to"
    masked = "in order     to"
    assert critic.check_block(Block(0, text, masked)) == []


def test_does_not_match_across_list_items(critic):
    text = "- in order\n- to go"
    masked = "  in order\n  to go"
    assert critic.check_block(Block(0, text, masked, "list_item")) == []


def test_overlaps_keep_the_longest(critic):
    finding = only(critic, "We do this at this point in time.")
    assert finding.quote == "at this point in time"


def test_separate_findings_are_sorted(critic):
    findings = critic.check_text("In order to win, we made a decision at this point in time.")
    assert [f.rule for f in findings] == [
        "wordy:in-order-to",
        "nominal:make-a-decision",
        "wordy:at-this-point-in-time",
    ]


@pytest.mark.parametrize(
    "text",
    [
        'He said "at the end of the day it works" and left.',
        "He said “at the end of the day it works” and left.",
        "He said 'at the end of the day it works' and left.",
        "He said ``at the end of the day it works'' and left.",
        "He called it \\enquote{at the end of the day it works} and left.",
        "Il a dit «at the end of the day it works» et il est parti.",
    ],
)
def test_quoted_speech_lowers_confidence(critic, text):
    plain = only(critic, "At the end of the day it works.")
    quoted = only(critic, text)
    assert quoted.confidence == pytest.approx(plain.confidence * 0.5)


def test_block_quote_lowers_confidence(critic):
    text = "At the end of the day it works."
    plain = critic.check_block(Block(0, text, text))[0]
    quoted = critic.check_block(Block(0, text, text, "quote"))[0]
    assert quoted.confidence == pytest.approx(plain.confidence * 0.5)


def test_apostrophes_do_not_count_as_quotes(critic):
    plain = only(critic, "At the end of the day it works.")
    other = only(critic, "It's fine; at the end of the day it's done.")
    assert other.confidence == plain.confidence


def test_title_case_names_get_low_confidence(critic):
    name = only(critic, "We ate at A Piece of Cake Bakery downtown.")
    plain = only(critic, "The exam was a piece of cake.")
    assert name.confidence < 0.5 <= plain.confidence


def test_messages_are_short_sentences(critic):
    cliche = only(critic, "Don't spill the beans.")
    assert cliche.message == "'spill the beans' is a cliché; 'reveal the secret' says it plainly."
    wordy = only(critic, "in order to win")
    assert wordy.message == "'in order to' is wordy; 'to' says the same."
    bare = only(critic, "She bit her tongue.")
    assert bare.message == "'bit her tongue' is a cliché; say it plainly."


def test_offsets_stay_relative_to_the_block(critic):
    text = "Well, in order to win."
    findings = critic.check_block(Block(500, text, text))
    assert (findings[0].start, findings[0].end) == (6, 17)


async def test_critique_satisfies_the_critic_protocol(critic):
    assert isinstance(critic, Critic)
    blocks = [
        Block.make(0, "Spill the beans.", "Spill the beans."),
        Block.make(20, "Fine.", "Fine."),
    ]
    results = await critic.critique([CritiqueRequest(b) for b in blocks])
    assert [len(r) for r in results] == [1, 0]
    assert results[0][0].replacement == "Reveal the secret"


def test_unicode_that_changes_length_when_lowered(critic):
    text = "İstanbul: in order to win."
    finding = only(critic, text)
    assert text[finding.start : finding.end] == "in order to"


@pytest.mark.parametrize(
    ("text", "quote", "replacement"),
    [
        ("Please note that the cache is cleared.", "Please note that", ""),
        ("Fixed an issue where tabs vanished.", "Fixed an issue where", "Fixed"),
        ("It was 100 percent completely free.", "100 percent completely", "completely"),
        ("Our seamless integration wins.", "seamless", "smooth"),
    ],
)
def test_generalised_families(text: str, quote: str, replacement: str):
    found = [f for f in LocalCritic().check_text(text) if f.quote == quote]
    assert found and found[0].replacement == replacement


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("The low-hanging fruit on the pear tree went first.", True),
        ("Let's grab the low-hanging fruit in the backlog.", False),
        ("At the vet she let the cat out of the bag.", True),
        ("The keeper trimmed the wick. He would burn the midnight oil tonight.", True),
        ("He would burn the midnight oil tonight. The lamp smoked until dawn.", True),
        ("The report is due. We will burn the midnight oil. Then we rest.", False),
        ("A lamp was lit. We talked. We will burn the midnight oil. Then we rest.", False),
        ("The sword from grave 14 is a double-edged sword of type X.", True),
        ("Remote work is a double-edged sword for managers.", False),
        ("Fire wardens do not put out fires; they lead everyone outside.", True),  # number
        ("He found a needle in a haystack, quite literally.", True),
        ("The lamp smoked.\n\nHe would burn the midnight oil tonight.", True),  # blank line
        # the idiom's own noun anywhere in the paragraph, not only next door
        (
            "The arm lifts a foam ball. It reads force at 200 Hz. It logs the grip. "
            "If the grip slips, it will drop the ball.",
            True,
        ),
        ("We will drop the ball again. We need a plan.", False),
        # words with many everyday senses are no echo: a purchase order, a department head
        ("Orders over £2,000 need sign-off. I know this is a tall order.", False),
        ("We'll hear from each division head and then put our heads together.", False),
        # a simile says it is a comparison: the mouse in the next clause changes nothing
        ("A mouse ran past, and she crept by as quiet as a mouse.", False),
    ],
)
def test_literal_cues_lower_confidence(text: str, literal: bool):
    found = [f for f in LocalCritic().check_text(text) if f.category == "cliche"]
    assert found and (found[0].confidence < 0.5) == literal


def test_another_candidate_phrase_is_no_literal_cue():
    found = LocalCritic().check_text("Our world-class, best-in-class support team.")
    assert [f.quote for f in found] == ["world-class", "best-in-class"]
    assert all(f.confidence >= 0.5 for f in found)  # "class" is each other's word, not a cue


def test_bare_host_with_a_path_is_not_prose():
    critic = LocalCritic()
    url = "Tickets at hatchbooks.co.uk/events/back-to-basics today."
    assert critique_text(url, "plaintext", critic) == []
    assert critique_text("Our back-to-basics menu is here.", "plaintext", critic)


@pytest.mark.parametrize(
    ("text", "quote", "replacement"),
    [
        ("The exam was a walk in the park.", "a walk in the park", "easy"),
        ("The exam was no walk in the park.", "no walk in the park", None),  # not "easy"
        ("There is no silver bullet here.", "no silver bullet", None),
    ],
)
def test_a_cliche_written_with_a_takes_any_article(critic, text, quote, replacement):
    finding = only(critic, text)
    assert (finding.quote, finding.replacement) == (quote, replacement)


def test_a_flexible_article_is_never_dropped(critic):
    assert critic.check_text("Heads up: the build is red.") == []  # only "a heads-up" is stock


MEMO = (
    "Team, at the end of the day we need to think outside the box. We must hit the ground "
    "running and move the needle. Let's touch base and circle back. This is a game changer, "
    "a win-win, and the tip of the iceberg."
)


def test_cliches_without_a_fix_name_a_plain_alternative():
    from nudge.critics.lexicon import load_lexicon
    from nudge.critics.local import alternatives

    rules = {e.rule for e in load_lexicon().entries}
    assert set(alternatives()) <= rules  # every suggestion belongs to a real rule
    found = [f for f in critique_text(MEMO, "markdown", LocalCritic()) if f.category == "cliche"]
    assert len(found) == 9
    assert all("say it plainly" not in f.message for f in found if f.replacement is None)
    touch = next(f for f in found if f.quote == "touch base")
    assert touch.message == "'touch base' is a cliché; try 'talk', 'meet' or 'check in'."
    assert touch.replacement is None  # advice, never a quick fix
