"""PhraseMatcher reports exactly the spans of the one whole-lexicon pattern, built or stored."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from nudge.critics import matcher
from nudge.critics.lexicon import load_lexicon

CLICHES = """\
# tricky: shared starts, optional words, slots, commas, apostrophes, periods
spill~ the beans
spill~ the beans on [someone]
give~ [someone] the slip
a piece of cake
at the end of the week
at the end, of the day?
bite~ [one's] tongue+
rock 'n' roll
e.g. this
in the nick of time
the nick
"""
WORDY = """\
in order to\tto
in order\t-
make~ a purchase+\tbuy~
make~ a purchase of\tbuy~
"""
WORDS = (  # noqa: SIM905
    "spill spilled spills the beans on him her a piece of cake at end day week bite bit my "
    "tongue tongues rock 'n' ’n’ roll e.g. this in order to nick time make made purchase "
    "purchases of buy x give gave slip man o'er"
).split()
SEPARATORS = (" ", "  ", "-", ", ", "\n", " - ", "'s ", ".", "’", "", ",", ",\t", "'", "x'", ".'")


@pytest.fixture(scope="module", params=["built", "stored"])
def lexicon(tmp_path_factory: pytest.TempPathFactory, request):
    folder: Path = tmp_path_factory.mktemp("lexicon")
    for name, text in {"cliches.tsv": CLICHES, "wordy.tsv": WORDY}.items():
        (folder / name).write_text(text, "utf-8")
    for name in ("verbs.tsv", "nouns.tsv", "clarity.tsv"):
        (folder / name).write_text("# none\n", "utf-8")
    built = load_lexicon(folder)
    if request.param == "built":
        return built
    stored = load_lexicon(folder)
    assert hasattr(stored, "_stored") and not hasattr(built, "_stored")  # read, not parsed
    return stored


def test_random_texts_give_the_whole_patterns_spans(lexicon):
    rng = random.Random(16)
    for _ in range(3000):
        parts = [rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 12))]
        text = "".join(parts)
        if rng.random() < 0.3:
            text = text.upper()
        want = [m.span(1) for m in lexicon.pattern.finditer(text.lower())]
        assert lexicon.find_spans(text) == want, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we make a purchase of shares", ["make a purchase of"]),
        ("in order to go, in order.", ["in order to", "in order"]),
        ("At the end, of the day", ["At the end, of the day"]),
        ("E.g. this", ["E.g. this"]),
    ],
)
def test_overlapping_candidates_at_each_start(lexicon, text, expected):
    assert [text[a:b] for a, b in lexicon.find_spans(text)] == expected


def test_text_is_split_into_units_and_the_gaps_between():
    parts = matcher._UNITS.split("don’t, e.g. this".replace("’", "'"))
    units, gaps = parts[1::2], parts[2::2]
    assert units == ["don", "'", "t", "e", ".", "g", ".", "this"]
    assert gaps == ["", "", ", ", "", "", "", " ", ""]


def test_tables_are_a_graph_with_shared_tails():
    from nudge.critics.phrases import Token

    verb = Token("verb", ("spill", "spills", "spilled", "spilling"), "spill")
    phrase = (verb, Token("word", ("the",)), Token("word", ("beans",)))
    tables = matcher.build_tables([phrase])
    assert len(tables["edges"]) == 4  # root, one node for every form, "the", "beans"
    matcher.check_tables(tables, 1)
    with pytest.raises(ValueError):
        matcher.check_tables(tables, 0)  # its phrase numbers must exist
