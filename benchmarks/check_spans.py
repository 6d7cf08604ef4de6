"""Compare `Lexicon.find_spans` with the one whole-lexicon pattern over real text.

    python benchmarks/check_spans.py [--corpus DIR] [evals/dev.jsonl ...]

Every block of the corpus (segmented as `nudge check` does), every eval passage, and
each entry's own surface forms in a short sentence are scanned both ways; any
difference is printed and the exit status is 1. Slow (it compiles the whole pattern).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)
from _corpus import DEFAULT_CORPUS, corpus_files
from nudge.critics.lexicon import default_lexicon
from nudge.segment import split_blocks


def texts(corpus: Path, datasets: list[Path]) -> list[str]:
    chapters = [f.read_text("utf-8") for f in corpus_files(corpus)]
    out = [b.masked for text in chapters for b in split_blocks(text, "markdown")]
    for path in datasets:
        lines = path.read_text("utf-8").splitlines()
        out += [json.loads(line)["text"] for line in lines if line.strip()]
    lexicon = default_lexicon()
    for entry in lexicon.entries:
        words = [t.options[0] for t in entry.tokens if not t.optional and t.options]
        out.append("Xq " + " ".join(words) + " zq.")
        out.append("The " + ", ".join(words) + "'s end-" + "-".join(words) + ".")
    # Two entries that share a first word, back to back: several candidates at one start.
    by_first: dict[str, list[str]] = {}
    for entry in lexicon.entries:
        words = [t.options[-1] for t in entry.tokens if t.options]
        by_first.setdefault(words[0], []).append(" ".join(words))
    for phrases in by_first.values():
        out += [f"So {a} {b} now." for a, b in itertools.pairwise(phrases)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("datasets", nargs="*", type=Path)
    args = parser.parse_args(argv)
    lexicon = default_lexicon()
    samples = texts(args.corpus, args.datasets)
    t0 = time.perf_counter()
    pattern = lexicon.pattern
    print(f"whole pattern compiled in {time.perf_counter() - t0:.2f} s")
    bad = 0
    for text in samples:
        lowered = text.lower()
        if len(lowered) != len(text):
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        want = [m.span(1) for m in pattern.finditer(lowered)]
        got = lexicon.find_spans(text)
        if got != want:
            bad += 1
            if bad <= 10:
                print("DIFF", repr(text[:120]), want, got)
    print(f"{len(samples)} texts, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
