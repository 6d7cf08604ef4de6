"""Run Nudge's LocalCritic, proselint and write-good over the same labelled passages.

Each tool's checks are mapped onto Nudge's categories with the explicit tables below;
a finding from an unmapped check is ignored (and counted, so the table says how much
was left out). The scoring is `nudge eval`'s: overlap matching per category, and the
share of hard negatives overlapped by any mapped finding.

    python benchmarks/side_by_side.py evals/test.jsonl [--markdown]

proselint comes from the venv (`pip install -e '.[bench]'`). write-good is an npm
package, installed out of the tree once with
`npm install --prefix benchmarks/.tools write-good`; without it its row is skipped with
a note. Offsets from write-good are JavaScript (UTF-16) indices and are converted to
code points before scoring.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)
from nudge.evaluate import Passage, load_dataset, score
from nudge.model import ALL_CATEGORIES, Finding

HERE = Path(__file__).resolve().parent

# proselint check path prefix -> Nudge category (the longest matching prefix wins).
PROSELINT_MAP = {
    "cliches": "cliche",
    "industrial_language.corporate_speak": "cliche",
    "industrial_language.bureaucratese": "wordiness",
    "industrial_language.commercialese": "wordiness",
    "redundancy": "redundancy",
    "weasel_words": "clarity",
}
# write-good check -> Nudge category. Unmapped: passive, illusion, so, adverb, eprime.
WRITE_GOOD_MAP = {
    "cliches": "cliche",
    "tooWordy": "wordiness",
    "thereIs": "wordiness",
    "weasel": "clarity",
}
WRITE_GOOD_CHECKS = ("weasel", "illusion", "so", "thereIs", "passive", "adverb", "tooWordy",
                     "cliches")  # fmt: skip

NODE_SCRIPT = r"""
const writeGood = require('write-good');
const checks = JSON.parse(process.argv[1]);
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
for (const line of lines) {
  const text = JSON.parse(line);
  const out = [];
  for (const check of checks) {
    const opts = {};
    for (const other of checks) opts[other] = other === check;
    for (const s of writeGood(text, opts)) out.push([check, s.index, s.index + s.offset]);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
"""


def _finding(start: int, end: int, category: str, rule: str, critic: str) -> Finding:
    return Finding(start, end, "", category, "", None, 1.0, rule, critic)


def _dedupe(found: list[Finding]) -> list[Finding]:
    unique = {(f.start, f.end, f.category): f for f in found}
    return sorted(unique.values(), key=lambda f: (f.start, f.end))


def map_check(path: str, table: dict[str, str]) -> str | None:
    """Return the Nudge category of a check, by the longest matching prefix, or None."""
    best = max((p for p in table if path == p or path.startswith(p + ".")), key=len, default="")
    return table.get(best)


def run_proselint(passages: Sequence[Passage]) -> tuple[list[list[Finding]], Counter[str]]:
    """Return proselint's mapped findings per passage and the unmapped checks' counts."""
    from proselint.checks import __register__
    from proselint.registry import CheckRegistry
    from proselint.tools import LintFile

    registry = CheckRegistry()
    if not registry.checks:
        registry.register_many(__register__)
    unmapped: Counter[str] = Counter()
    out = []
    for passage in passages:
        found = []
        for result in LintFile("passage", passage.text).lint() if passage.text else []:
            path, (start, end) = result.check_result.check_path, result.check_result.span
            category = map_check(path, PROSELINT_MAP)
            if category is None:
                unmapped[path] += 1
                continue
            # LintFile pads the text with one newline on each side.
            found.append(_finding(start - 1, end - 1, category, path, "proselint"))
        out.append(_dedupe(found))
    return out, unmapped


def utf16_to_code_points(text: str) -> list[int]:
    """Return a table from UTF-16 offset to code-point offset (one past the end too)."""
    table = []
    for index, char in enumerate(text):
        table.extend([index] * (2 if ord(char) > 0xFFFF else 1))
    table.append(len(text))
    return table


def run_write_good(
    passages: Sequence[Passage], tools: Path
) -> tuple[list[list[Finding]], Counter[str]] | str:
    """Return write-good's mapped findings and unmapped counts, or why it cannot run."""
    node = shutil.which("node")
    modules = tools / "node_modules"
    if node is None or not (modules / "write-good").is_dir():
        return f"write-good skipped: run `npm install --prefix {tools} write-good` (needs node)"
    stdin = "".join(json.dumps(p.text) + "\n" for p in passages)
    env = {**os.environ, "NODE_PATH": str(modules)}
    done = subprocess.run(
        [node, "-e", NODE_SCRIPT, json.dumps(WRITE_GOOD_CHECKS)],
        input=stdin, capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    if done.returncode:
        return f"write-good failed: {done.stderr.strip()[:300]}"
    unmapped: Counter[str] = Counter()
    out = []
    for passage, line in zip(passages, done.stdout.splitlines(), strict=True):
        table = utf16_to_code_points(passage.text)
        found = []
        for check, start, end in json.loads(line):
            category = WRITE_GOOD_MAP.get(check)
            if category is None:
                unmapped[check] += 1
                continue
            found.append(_finding(table[start], table[end], category, check, "write-good"))
        out.append(_dedupe(found))
    return out, unmapped


def run_nudge(passages: Sequence[Passage]) -> list[list[Finding]] | str:
    """Return what LocalCritic shows with default settings, or why it cannot run."""
    from nudge.engine import critique_text, keep_allowed
    from nudge.settings import Settings

    try:
        from nudge.critics.local import LocalCritic
    except ImportError as exc:
        return f"Nudge LocalCritic skipped: {exc}"
    critic, settings = LocalCritic(), Settings()
    return [
        keep_allowed(critique_text(p.text, p.language, critic), settings) if p.text else []
        for p in passages
    ]


def covered(table: dict[str, str] | None) -> set[str]:
    """Return the categories a tool has at least one mapped check for."""
    return set(ALL_CATEGORIES) if table is None else set(table.values())


def table_rows(results: list[tuple[str, dict, set[str], float]]) -> list[list[str]]:
    """Return the comparison table: per tool, F1 (P/R) per category and the negative FP rate."""
    rows = [["tool", *(f"{c} F1 (P/R)" for c in ALL_CATEGORIES), "neg. FP", "time"]]
    for name, summary, cats, seconds in results:
        cells = [name]
        for category in ALL_CATEGORIES:
            s = summary["categories"][category]
            cells.append(
                f"{s['f1']:.2f} ({s['precision']:.2f}/{s['recall']:.2f})"
                if category in cats
                else "—"
            )
        neg = summary["negatives"]
        cells += [f"{neg['fp_rate']:.1%} ({neg['flagged']}/{neg['total']})", f"{seconds:.2f}s"]
        rows.append(cells)
    return rows


def render(rows: list[list[str]], markdown: bool) -> str:
    """Return the table as aligned text or as a Markdown table."""
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows[1:]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", type=Path, default=[Path("evals/test.jsonl")])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--tools", type=Path, default=HERE / ".tools", help="npm prefix")
    args = parser.parse_args(argv)
    passages = [p for path in args.datasets for p in load_dataset(path)]
    results, notes = [], []
    runners = [
        ("Nudge LocalCritic", lambda: run_nudge(passages), None),
        ("proselint 0.16", lambda: run_proselint(passages), PROSELINT_MAP),
        ("write-good", lambda: run_write_good(passages, args.tools), WRITE_GOOD_MAP),
    ]
    for name, runner, mapping in runners:
        began = time.perf_counter()
        got = runner()
        seconds = time.perf_counter() - began
        if isinstance(got, str):
            notes.append(got)
            continue
        found, unmapped = got if isinstance(got, tuple) else (got, Counter())
        results.append((name, score(passages, found), covered(mapping), seconds))
        if unmapped:
            top = ", ".join(f"{k} {v}" for k, v in unmapped.most_common(6))
            notes.append(f"{name}: {sum(unmapped.values())} unmapped findings ignored ({top})")
    spans = sum(len(p.spans) for p in passages)
    negatives = sum(len(p.negatives) for p in passages)
    names = ", ".join(str(p) for p in args.datasets)
    print(f"{names}: {len(passages)} passages, {spans} labelled spans, {negatives} hard negatives")
    print(render(table_rows(results), args.markdown))
    for note in notes:
        print(f"note: {note}", file=sys.stderr if not args.markdown else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
