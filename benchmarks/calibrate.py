"""Measure LocalCritic's precision per rule group and rule on a labelled split.

    python benchmarks/calibrate.py evals/dev.jsonl [--out PATH] [--k 5] [--min-hits 5]

The critic runs with an empty precision table and no threshold, so every candidate is
seen. Only findings in plain context count (those the critic did not already discount
for quotation marks or Title Case, which have their own factors). A finding is right
when it overlaps a gold span of its own category, as in `nudge eval`. Each rule group
(the lexicon's cliche, wordy, nominal, redundant, vague, hedge and the sentence
checks' convoluted, nominalisation) gets its precision shrunk toward its
category's prior, and each rule with at least `--min-hits` findings gets its precision
shrunk toward its group's: (tp + k * prior) / (n + k). The table is written to
`server/nudge/data/precision.tsv` (or `--out`). Tune on the dev split only.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)
from nudge.critics.lexicon import CATEGORY_PRIORS, KIND_CATEGORY, Lexicon, default_lexicon
from nudge.critics.local import LocalCritic
from nudge.critics.structure import KIND_CATEGORY as CHECK_CATEGORY
from nudge.critics.structure import RULES as CHECK_RULES
from nudge.engine import critique_text
from nudge.evaluate import load_dataset

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "server" / "nudge" / "data" / "precision.tsv"
KINDS = (
    "cliche",
    "wordy",
    "nominal",
    "redundant",
    "vague",
    "hedge",
    "convoluted",
    "nominalisation",
)
HEADER = """\
# Precision of LocalCritic rules, so a finding's confidence means the same as any critic's.
# Produced by `python benchmarks/calibrate.py evals/dev.jsonl` (dev split only; never test).
# Columns (tab-separated): key, precision (0..1), count of findings it was measured on.
# A key is a rule id (cliche:spill-the-beans) or a rule group (cliche, wordy, nominal,
# redundant, vague, hedge, and the sentence checks' convoluted, nominalisation); the most
# specific key present wins. Precision counts only findings outside quotation marks and
# Title Case runs, is shrunk toward a prior as
# (tp + k * prior) / (n + k) with k = {k}: a group toward its category's prior in
# nudge/critics/lexicon.py, a rule (listed when it has >= {min_hits} findings) toward its group.
"""


def shrink(tp: int, n: int, prior: float, k: float) -> float:
    """Return precision tp/n shrunk toward `prior` with the weight of `k` findings."""
    return (tp + k * prior) / (n + k)


def measure(path: Path, lexicon: Lexicon) -> dict[str, list[int]]:
    """Return [right, total] per rule id over the plain-context findings on a split."""
    bare = Lexicon(lexicon.entries, lexicon.morphology, {})
    critic = LocalCritic(bare)
    counts: dict[str, list[int]] = {}
    for passage in load_dataset(path):
        if not passage.text:
            continue
        for f in critique_text(passage.text, passage.language, critic):
            if f.confidence < round(
                bare.precision_of(f.rule, kind_of(f.rule, bare), f.category), 4
            ):
                continue  # discounted for context; its own factor covers it
            right = any(
                s.label == f.category and f.start < s.end and s.start < f.end for s in passage.spans
            )
            tally = counts.setdefault(f.rule, [0, 0])
            tally[0] += right
            tally[1] += 1
    return counts


def kind_of(rule: str, lexicon: Lexicon) -> str:
    """Return the group of a lexicon rule or a sentence check."""
    return CHECK_RULES[rule] if rule in CHECK_RULES else lexicon.by_rule[rule].kind


def table(counts: dict[str, list[int]], lexicon: Lexicon, k: float, min_hits: int) -> list[str]:
    """Return the precision.tsv rows (without header) for measured counts."""
    tp: Counter[str] = Counter()
    n: Counter[str] = Counter()
    for rule, (right, total) in counts.items():
        kind = kind_of(rule, lexicon)
        tp[kind] += right
        n[kind] += total
    group: dict[str, float] = {}
    rows = []
    for kind in KINDS:
        category = {**KIND_CATEGORY, **CHECK_CATEGORY}[kind]
        group[kind] = shrink(tp[kind], n[kind], CATEGORY_PRIORS[category], k)
        rows.append(f"{kind}\t{group[kind]:.3f}\t{n[kind]}")
    for rule in sorted(counts):
        right, total = counts[rule]
        if total >= min_hits:
            value = shrink(right, total, group[kind_of(rule, lexicon)], k)
            rows.append(f"{rule}\t{value:.3f}\t{total}")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure a split and write the precision table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="labelled split, e.g. evals/dev.jsonl")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="table to write")
    parser.add_argument("--k", type=float, default=5.0, help="shrinkage weight, in findings")
    parser.add_argument("--min-hits", type=int, default=5, help="findings for a rule's own row")
    args = parser.parse_args(argv)
    if "test" in args.dataset.name:
        print("calibrate: refusing the test split; calibrate on dev", file=sys.stderr)
        return 2
    lexicon = default_lexicon()
    counts = measure(args.dataset, lexicon)
    rows = table(counts, lexicon, args.k, args.min_hits)
    header = HEADER.format(k=f"{args.k:g}", min_hits=args.min_hits)
    args.out.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    for row in rows[: len(KINDS)]:
        print(row)
    print(f"{len(rows) - len(KINDS)} rule rows -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
