"""Time LocalCritic over a Markdown corpus, and proselint over the same files when installed.

    python benchmarks/bench_local_critic.py [--corpus DIR] [--json PATH] [--repeat N]

The corpus is read where it lies (default: ../shared/corpus/rust-book from the repo root);
nothing is copied. Files are split into prose blocks with `nudge.segment.split_blocks`
when it exists, else into blank-line paragraphs with fenced code masked out. Segmenting
and loading the lexicon are timed separately from checking. The best of N runs is kept.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from pathlib import Path

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)
from nudge.model import Block

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "rust-book"
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)


def fallback_blocks(text: str) -> list[Block]:
    """Blank-line paragraphs, with fenced code replaced by spaces in the mask."""
    masked = FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    blocks, start = [], 0
    for part in re.split(r"(\n[ \t]*\n)", text):
        if part.strip() and not part.startswith("\n"):
            blocks.append(Block.make(start, part, masked[start : start + len(part)]))
        start += len(part)
    return blocks


def split(text: str) -> list[Block]:
    try:
        from nudge.segment import split_blocks
    except ImportError:
        return fallback_blocks(text)
    return split_blocks(text, "markdown")


def time_local(files: list[Path], repeat: int) -> dict[str, object]:
    t0 = time.perf_counter()
    from nudge.critics.lexicon import default_lexicon
    from nudge.critics.local import LocalCritic

    critic = LocalCritic(default_lexicon())
    load = time.perf_counter() - t0
    texts = [f.read_text("utf-8") for f in files]
    t0 = time.perf_counter()
    blocks = [b for text in texts for b in split(text)]
    segment = time.perf_counter() - t0
    best, findings = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        findings = sum(len(critic.check_block(b)) for b in blocks)
        best = min(best, time.perf_counter() - t0)
    return {
        "blocks": len(blocks),
        "load_seconds": load,
        "segment_seconds": segment,
        "check_seconds": best,
        "findings": findings,
    }


def time_proselint(files: list[Path], repeat: int) -> dict[str, object] | None:
    try:
        from proselint.checks import __register__
        from proselint.config import DEFAULT
        from proselint.registry import CheckRegistry
        from proselint.tools import LintFile
        from proselint.version import __version__
    except ImportError:
        return None
    registry = CheckRegistry()
    if not registry.checks:
        registry.register_many(__register__)
    best, findings = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        findings = sum(len(LintFile(f).lint(DEFAULT)) for f in files)
        best = min(best, time.perf_counter() - t0)
    return {"version": __version__, "seconds": best, "findings": findings}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, help="also write results as JSON here")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-proselint", action="store_true")
    args = parser.parse_args(argv)
    files = sorted(args.corpus.rglob("*.md"))
    if not files:
        print(f"no Markdown files under {args.corpus}", file=sys.stderr)
        return 2
    words = sum(len(f.read_text("utf-8").split()) for f in files)
    local = time_local(files, args.repeat)
    other = None if args.no_proselint else time_proselint(files, args.repeat)
    rows = [("LocalCritic (check)", local["check_seconds"], local["findings"])]
    if other:
        rows.append((f"proselint {other['version']} (lint)", other["seconds"], other["findings"]))
    print(f"corpus: {args.corpus}  files: {len(files)}  words: {words}  blocks: {local['blocks']}")
    print(
        f"lexicon load+compile: {local['load_seconds']:.3f} s   "
        f"segment: {local['segment_seconds']:.3f} s"
    )
    print(f"{'tool':<26}{'seconds':>10}{'findings':>10}{'ratio':>9}")
    for name, seconds, found in rows:
        ratio = seconds / local["check_seconds"]
        print(f"{name:<26}{seconds:>10.3f}{found:>10}{ratio:>8.1f}x")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "corpus": str(args.corpus),
            "files": len(files),
            "words": words,
            "python": platform.python_version(),
            "local": local,
            "proselint": other,
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
