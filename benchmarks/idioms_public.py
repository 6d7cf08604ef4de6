"""Score LocalCritic on a public corpus of idioms labelled by sense (literal or figurative).

    python benchmarks/idioms_public.py PATH [--min-confidence 0.5] [--show 20]

PATH is the PIE-English corpus CSV (Adewumi et al., LREC 2022, `corpus/idiomscorpus.csv`
in its authors' repository: one token a row, `id,token,pos,class,meaning,idiomliteral`;
a row with an id starts an item, an item with a meaning is an idiom's dictionary form and
the items after it are sentences using it, classed `Literal` or by figure), or a TSV of
`label<TAB>idiom<TAB>sentence` with label `literal` or `figurative`. The corpus is not
shipped with Nudge: its licence does not clearly allow redistribution.

Only sentences where the lexicon finds a cliché candidate sharing a word with the idiom
count (the idiom is one the critic knows): for literal ones, the share flagged at the
threshold (a false alarm); for figurative ones, the share flagged (recall).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from nudge.critics.local import LocalCritic

_ATTACH = re.compile(r" (?=(?:'s|'re|'ve|'ll|'d|'m|n't|[.,;:!?])(?: |$))")
_CONTENT = re.compile(r"[a-z]{3,}")


@dataclass(frozen=True)
class Example:
    """One sentence with the idiom it uses and whether the use is literal."""

    idiom: str
    literal: bool
    sentence: str


def _join(tokens: list[str]) -> str:
    text = " ".join(t for t in tokens if t)
    return _ATTACH.sub("", text).replace("``", '"').replace("''", '"')


def read_pie_csv(path: Path) -> list[Example]:
    """Read the PIE-English token-per-row CSV into sentences labelled by sense."""
    examples: list[Example] = []
    idiom, label, tokens = "", "", []
    header = False

    def flush() -> None:
        if tokens and not header and idiom:
            examples.append(Example(idiom, label.lower() == "literal", _join(tokens)))

    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["id"].strip():
                flush()
                label, tokens = row["class"].strip(), []
                header = bool(row["meaning"].strip())
            tokens.append(row["token"])
            if header:
                idiom = _join(tokens)
    flush()
    return examples


def read_tsv(path: Path) -> list[Example]:
    """Read `label<TAB>idiom<TAB>sentence` lines (label literal or figurative)."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, idiom, sentence = line.split("\t", 2)
            examples.append(Example(idiom, label.strip().lower() == "literal", sentence))
    return examples


def _shares_word(quote: str, idiom: str) -> bool:
    words = {w[:4] for w in _CONTENT.findall(idiom.lower())}
    return any(w[:4] in words for w in _CONTENT.findall(quote.lower()))


def score(examples: list[Example], critic: LocalCritic, threshold: float) -> dict:
    """Return counts of known literal and figurative uses and how many were flagged."""
    tally = {"literal": [0, 0], "figurative": [0, 0], "unknown": 0}
    flagged_literal: list[Example] = []
    for ex in examples:
        found = [
            f
            for f in critic.check_text(ex.sentence)
            if f.category == "cliche" and _shares_word(f.quote, ex.idiom)
        ]
        if not found:
            tally["unknown"] += 1
            continue
        shown = any(f.confidence >= threshold for f in found)
        key = "literal" if ex.literal else "figurative"
        tally[key][0] += 1
        tally[key][1] += shown
        if shown and ex.literal:
            flagged_literal.append(ex)
    tally["flagged_literal"] = flagged_literal
    return tally


def main(argv: list[str] | None = None) -> int:
    """Print the literal false-alarm rate and figurative recall on a labelled idiom corpus."""
    import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--min-confidence", type=float, default=0.5)
    parser.add_argument("--show", type=int, default=20, help="flagged literal uses to list")
    args = parser.parse_args(argv)
    reader = read_tsv if args.path.suffix == ".tsv" else read_pie_csv
    examples = reader(args.path)
    t = score(examples, LocalCritic(), args.min_confidence)
    (lit_n, lit_f), (fig_n, fig_f) = t["literal"], t["figurative"]
    print(f"{args.path.name}: {len(examples)} sentences, {t['unknown']} with no known idiom")
    print(f"literal uses flagged:    {lit_f}/{lit_n} ({100 * lit_f / max(lit_n, 1):.1f}%)")
    print(f"figurative uses flagged: {fig_f}/{fig_n} ({100 * fig_f / max(fig_n, 1):.1f}%)")
    for ex in t["flagged_literal"][: args.show]:
        print(f"  literal, flagged: [{ex.idiom}] {ex.sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
