"""Which idioms are concrete (a common literal reading), read off senses.tsv's word classes.

How a concrete idiom's figurative signs decide what a writer sees is in test_senses.py.
"""

from __future__ import annotations

import pytest

from nudge.critics.figurative import is_concrete
from nudge.critics.local import LocalCritic
from nudge.critics.senses import default_senses, parse_senses


@pytest.fixture(scope="module")
def critic() -> LocalCritic:
    return LocalCritic()


@pytest.mark.parametrize(
    ("rule", "concrete"),
    [
        ("cliche:pull-ones-leg", True),  # a physical action on a body part
        ("cliche:in-hot-water", True),  # a physical quality and a thing
        ("cliche:in-the-same-boat", True),  # "same" is neutral
        ("cliche:bend-over-backwards", True),  # only physical words, no thing needed
        ("cliche:think-outside-the-box", False),  # thinking is no physical action
        ("cliche:at-the-end-of-the-day", False),  # "end" and "day" are no things
        ("cliche:white-as-a-sheet", False),  # a comparison is never literal
        ("cliche:as-cold-as-ice", False),
        ("cliche:jaw-dropping", False),  # a compound adjective pictures nothing
        ("cliche:back-to-square-one", False),  # "square" is in no physical class
        ("cliche:scratch-ones-head", True),  # an `ambiguous` row
    ],
)
def test_concreteness_is_read_off_the_word_classes(critic, rule, concrete):
    assert is_concrete(critic.lexicon.by_rule[rule], critic.senses) == concrete


def test_new_word_classes_parse_and_old_files_still_do():
    old = parse_senses("thing\tball\nabstract\tplan\n", "senses.tsv")
    assert old.actions == frozenset() and old.persons == frozenset()
    new = parse_senses("action\tdrop\nquality\twet\nneutral\tsame\nagent\tfirm\n", "senses.tsv")
    assert (new.actions, new.qualities, new.neutral, new.agents) == (
        {"drop"},
        {"wet"},
        {"same"},
        {"firm"},
    )
    shipped = default_senses()
    assert shipped.markers and shipped.persons and shipped.actions
