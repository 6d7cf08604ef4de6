"""The shipped lexicons load, are well formed, and malformed lines fail clearly."""

from __future__ import annotations

import itertools
from importlib import resources
from pathlib import Path

import pytest

from nudge.critics.lexicon import (
    CATEGORY_PRIORS,
    LexiconError,
    default_lexicon,
    load_lexicon,
    parse_entries,
    parse_noun_table,
    parse_precision,
    parse_verb_table,
)
from nudge.critics.local import LocalCritic
from nudge.critics.morphology import Morphology, choose_verb_tag, regular_plural
from nudge.critics.structure import KIND_CATEGORY as CHECK_KINDS
from nudge.critics.structure import RULES as CHECK_RULES
from nudge.model import ALL_CATEGORIES

DATA = resources.files("nudge.data")


def test_counts_meet_the_floor():
    counts = default_lexicon().counts()
    assert counts["cliche"] >= 600
    assert counts["wordy"] >= 150
    assert counts["nominal"] + counts["vague"] + counts["hedge"] + counts["redundant"] >= 100


def test_every_wordy_entry_has_a_replacement_but_greetings():
    wordy = [e for e in default_lexicon().entries if e.kind == "wordy"]
    # "I hope this email finds you well." fills its sentence: cutting it strands the period.
    without = [e.phrase for e in wordy if e.replacement is None]
    assert without and all(p.startswith(("hope ", "i hope ", "i trust ")) for p in without)
    assert any(e.replacement == "" for e in wordy)  # <delete>: cutting is the fix


def test_categories_are_the_models():
    assert {e.category for e in default_lexicon().entries} == set(ALL_CATEGORIES)


def test_no_duplicate_phrases_or_rules():
    entries = default_lexicon().entries
    rules = [e.rule for e in entries]
    assert len(rules) == len(set(rules))
    phrases = [(e.kind, e.phrase.lower()) for e in entries]
    assert len(phrases) == len(set(phrases))


def test_every_file_has_a_format_header():
    for name in ("cliches.tsv", "wordy.tsv", "clarity.tsv", "verbs.tsv", "nouns.tsv"):
        assert DATA.joinpath(name).read_text("utf-8").startswith("#"), name


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("cliches.tsv", "bite~ [ones] tongue\t-", "unknown slot"),
        ("cliches.tsv", "a\tb\tc\td", "expected phrase"),
        ("cliches.tsv", "\t-", "expected phrase"),
        ("cliches.tsv", "spill~ the beans\treveal~ [one's]", "lacks"),
        ("cliches.tsv", "at the end\tfinish~", "no verb"),
        ("cliches.tsv", "spill the beans\t-\tnever_after=x", "unknown option"),
        ("cliches.tsv", "as quiet as a mouse\t-\tliteral=mice", "simile is never literal"),
        ("wordy.tsv", "in order to", "needs a replacement"),
        ("wordy.tsv", "in order to\t", "needs a replacement"),
        ("wordy.tsv", "in order|| to\tto", "empty alternative"),
        ("clarity.tsv", "fuzzy\tsort of\t-", "unknown kind"),
        ("clarity.tsv", "vague\tsort~|of+\t-", "mixed markers"),
    ],
)
def test_malformed_lines_name_file_and_line(source, line, fragment):
    text = "# header\n\n" + line + "\n"
    with pytest.raises(LexiconError) as info:
        parse_entries(text, source, Morphology())
    assert f"{source}:3" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("parser", "line"),
    [
        (parse_verb_table, "go\tgoes\twent"),
        (parse_noun_table, "tooth"),
        (parse_precision, "cliche\t1.5\t3"),
        (parse_precision, "cliche\thigh\t3"),
    ],
)
def test_malformed_tables_name_file_and_line(parser, line):
    with pytest.raises(LexiconError, match=r"t\.tsv:2"):
        parser("# header\n" + line + "\n", "t.tsv")


def test_duplicate_rule_is_an_error(tmp_path: Path):
    for name in ("verbs.tsv", "nouns.tsv", "wordy.tsv", "clarity.tsv"):
        (tmp_path / name).write_text("# empty\n", "utf-8")
    (tmp_path / "cliches.tsv").write_text("spill~ the beans\t-\nspill~ the beans\t-\n", "utf-8")
    with pytest.raises(LexiconError, match=r"cliches\.tsv:2: duplicate of .*cliches\.tsv:1"):
        load_lexicon(tmp_path)


def test_precision_falls_back_from_rule_to_kind_to_category(tmp_path: Path):
    for name in ("verbs.tsv", "nouns.tsv", "wordy.tsv"):
        (tmp_path / name).write_text("# empty\n", "utf-8")
    (tmp_path / "cliches.tsv").write_text("spill~ the beans\t-\nbreak~ the ice\t-\n", "utf-8")
    (tmp_path / "clarity.tsv").write_text("hedge\tbasically\t-\nvague\tsort of\t-\n", "utf-8")
    (tmp_path / "precision.tsv").write_text(
        "cliche:spill-the-beans\t0.75\t40\nhedge\t0.4\t10\n", "utf-8"
    )
    lexicon = load_lexicon(tmp_path)
    by_rule = lexicon.by_rule
    assert lexicon.confidence(by_rule["cliche:spill-the-beans"]) == 0.75
    assert lexicon.confidence(by_rule["cliche:break-the-ice"]) == CATEGORY_PRIORS["cliche"]
    assert lexicon.confidence(by_rule["hedge:basically"]) == 0.4
    assert lexicon.confidence(by_rule["vague:sort-of"]) == CATEGORY_PRIORS["clarity"]


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("spill", {"spills", "spilled", "spilt", "spilling"}),
        ("stop", {"stops", "stopped", "stopping"}),
        ("make", {"makes", "made", "making"}),
        ("try", {"tries", "tried", "trying"}),
        ("tie", {"ties", "tied", "tying"}),
        ("agree", {"agrees", "agreed", "agreeing"}),
        ("refer", {"refers", "referred", "referring"}),
        ("bite", {"bites", "bit", "bitten", "biting"}),
        ("go", {"goes", "went", "gone", "going"}),
        ("open", {"opens", "opened", "opening"}),
    ],
)
def test_verb_forms(base, expected):
    lexicon = default_lexicon()
    forms = {f for variants in lexicon.morphology.verb_forms(base).values() for f in variants}
    assert expected <= forms


@pytest.mark.parametrize(
    ("noun", "plural"),
    [("tongue", "tongues"), ("box", "boxes"), ("fly", "flies"), ("day", "days")],
)
def test_regular_plurals(noun, plural):
    assert regular_plural(noun) == plural


def test_irregular_plurals_come_from_the_table():
    assert default_lexicon().morphology.plurals("tooth") == ("teeth",)


@pytest.mark.parametrize(
    ("tags", "previous", "expected"),
    [
        (frozenset({"past", "pp"}), "they", "past"),
        (frozenset({"past", "pp"}), "have", "pp"),
        (frozenset({"base", "pp"}), "to", "base"),
        (frozenset({"ing"}), "was", "ing"),
    ],
)
def test_choose_verb_tag(tags, previous, expected):
    assert choose_verb_tag(tags, previous) == expected


def test_shipped_precision_table_is_well_formed_and_names_known_rules():
    text = DATA.joinpath("precision.tsv").read_text("utf-8")
    assert "benchmarks/calibrate.py evals/dev.jsonl" in text
    table = parse_precision(text, "precision.tsv")
    lexicon = default_lexicon()
    known = set(lexicon.by_rule) | {e.kind for e in lexicon.entries}
    known |= set(CHECK_RULES) | set(CHECK_KINDS)
    assert {"cliche", "wordy", "nominal", "redundant", "vague", "hedge"} <= set(table)
    for key, (precision, count) in table.items():
        assert key in known, key
        assert 0.0 <= precision <= 1.0 and count >= 0
        assert ":" not in key or count >= 5, key


_SAMPLE_SLOT = {
    "one's": "my",
    "someone": "the team",
    "one": "we",
    "oneself": "ourselves",
    "a": "the",
}


def _surfaces(entry, limit: int = 12):
    """A few surface forms of an entry: each token's first forms, optional ones both ways."""
    choices = []
    for token in entry.tokens:
        forms = [_SAMPLE_SLOT[token.base]] if token.kind == "slot" else list(token.options[:3])
        choices.append([*forms, None] if token.optional else forms)
    for combo in itertools.islice(itertools.product(*choices), limit):
        words = [w for w in combo if w]
        if words:
            yield " ".join(words)


def test_no_shipped_entry_is_shadowed_by_another():
    """A shorter entry must never hide a longer one: the pattern's alternation is ordered."""
    lexicon = default_lexicon()
    critic = LocalCritic(lexicon)
    shadowed = []
    for entry in lexicon.entries:
        if entry.only_after is not None or entry.not_after:
            continue
        for surface in _surfaces(entry):
            text = f"Xq {surface} zq."
            found = critic.check_text(text)
            if not any(f.start <= 3 and f.end >= 3 + len(surface) for f in found):
                shadowed.append((entry.origin, surface, [f.quote for f in found]))
                break
    assert not shadowed, shadowed[:20]


def test_an_ending_that_may_be_empty_does_not_hide_a_longer_phrase(tmp_path: Path):
    """ "purchase" + "(s|)" beside "purchase of": the regex takes the first branch that fits."""
    for name in ("verbs.tsv", "nouns.tsv", "cliches.tsv", "wordy.tsv"):
        (tmp_path / name).write_text("# empty\n", "utf-8")
    (tmp_path / "clarity.tsv").write_text(
        "nominal\tmake~ a purchase+\tbuy~\nnominal\tmake~ a purchase of\tbuy~\n", "utf-8"
    )
    text = "we make a purchase of shares"
    spans = load_lexicon(tmp_path).find_spans(text)
    assert [text[a:b] for a, b in spans] == ["make a purchase of"]  # the longer at that start
