"""The sense checks read an idiom's literal or figurative reading off its sentence."""

from __future__ import annotations

import pytest

from nudge.critics.local import LocalCritic
from nudge.critics.senses import SensesError, default_senses, parse_senses


@pytest.fixture(scope="module")
def critic() -> LocalCritic:
    return LocalCritic()


def cliche_confidence(critic: LocalCritic, text: str) -> float:
    found = [f for f in critic.check_text(text) if f.category == "cliche"]
    assert len(found) == 1, found
    return found[0].confidence


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # a physical complement right after a verb or preposition idiom
        ("The toddler dropped the ball into the paddling pool.", False),
        ("Two crows sat on the fence beside the compost heap.", False),
        ("The constable twisted his arm behind his back.", False),
        ("Please open the door to the garden for the cat.", False),
        ("Quilters cut corners off each square first.", False),
        # an abstract complement keeps the figurative reading
        ("The board is on the fence about the second warehouse.", True),
        ("The grant will open the door to new partnerships.", True),
        ("The supplier cut corners on the safety testing.", True),
        # a measured quantity in the idiom's clause
        ("Samples were kept in hot water at 37 °C for ten minutes.", False),
        ("The firm was kept in hot water at 37~C for a month.", True),  # no degree sign
        ("Over 6,000 kilometres of road, it raises the bar for shoes.", True),  # another clause
        # a noun phrase keeps its sense wherever its referent stands
        ("The inn is a hidden gem beside the river.", True),
        # ambiguous idioms fall below the threshold unless a figurative cue is near
        ("After an hour he stood up and scratched his head.", False),
        ("Analysts are scratching their heads over the figures.", True),
        ("My brother took his mum for a ride in his new car.", False),
        ("The vendor will drop the ball again.", False),
        ("We dropped the ball on the renewal.", True),
        ("Sorry, I dropped the ball there.", True),
        ("Please don't be a wet blanket about it.", True),
        ("She threw a wet blanket over the pan.", False),
        # concrete idioms (figurative.py) need a sign of their figurative sense
        # no sign either way: left to Claude's grading
        ("The physiotherapist pulled my leg firmly at the ankle.", False),
        ("Leave the jars in hot water, then dry them in the oven.", False),
        # an abstract subject or an institution does no physical action
        ("The project hit a brick wall in March.", True),
        ("The council dropped the ball on the bin contract.", True),
        ("The crew dropped the ball into the net.", False),
        # an abstract noun in the idiom's object slot
        ("The head teacher wanted to nip the rumours in the bud.", True),
        # a noun-phrase idiom after a copula with a person or an idea as subject
        ("In a town this size, the editor is a big fish in a small pond.", True),
        ("There was a snake in the grass by the gate.", False),
        # "itself": an institution's own foot
        ("By refusing to talk, the club shot itself in the foot.", True),
        # an idiom ending in a preposition takes its sense from its object
        ("The paper sheds light on the question of pay.", True),
        ("Fill the trays and sow the seeds of tomatoes thinly.", False),
        # a preposition phrase about work or ideas after it
        ("Let's get the ball rolling on the grant application.", True),
        # a general marker of a figure
        ("Someone will have to bite the bullet, metaphorically speaking.", True),
        # weaker: a sentence that names no physical thing
        ("Prices rose in March, and anyone who waited missed the boat.", True),
        ("We stopped for coffee and missed the boat to the island by two minutes.", False),
        # an `ambiguous` row needs a strong sign: a sentence without things is not enough
        ("The ministry is scratching its head over the figures.", True),
    ],
)
def test_reading_decides_whether_a_writer_sees_it(critic, text, shown):
    assert (cliche_confidence(critic, text) >= 0.5) == shown


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("colour\tred green", "expected one of"),
        ("thing", "expected one of"),
        ("ambiguous\tdrop-the-ball", "expected ambiguous<TAB>rule"),
    ],
)
def test_malformed_senses_lines_are_refused(line, error):
    with pytest.raises(SensesError, match=error):
        parse_senses(line, "senses.tsv")


def test_every_ambiguous_rule_is_a_lexicon_cliche(critic):
    rules = {e.rule for e in critic.lexicon.entries if e.kind == "cliche"}
    assert set(default_senses().ambiguous) <= rules
