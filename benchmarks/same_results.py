"""Record, or compare with a record, what Nudge finds: eval summaries and rust-book findings.

    python benchmarks/same_results.py record DIR    # before a change
    python benchmarks/same_results.py compare DIR   # after it: exit 1 on any difference

Runs `nudge eval evals/dev.jsonl --json`, the same for `evals/test.jsonl`, and
`nudge check --format json` over the corpus, in fresh processes, twice: with an empty
cache folder (the lexicon is parsed and stored) and again (it is read back). Both must
match the record. Only the eval's `seconds` (wall time) is left out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _corpus import DEFAULT_CORPUS, REPO

NUDGE = [sys.executable, "-m", "nudge"]


def outputs(cache: str) -> dict[str, object]:
    """Return the three results, as parsed JSON, with `cache` as the cache folder."""
    results: dict[str, object] = {}
    env = {**os.environ, "NUDGE_CACHE_DIR": cache}
    with tempfile.TemporaryDirectory() as tmp:
        for split in ("dev", "test"):
            out = Path(tmp) / f"{split}.json"
            subprocess.run([*NUDGE, "eval", f"evals/{split}.jsonl", "--json", str(out)],
                           cwd=REPO, check=True, capture_output=True, env=env)  # fmt: skip
            summary = json.loads(out.read_text("utf-8"))
            summary.pop("seconds", None)
            results[split] = summary
    check = subprocess.run([*NUDGE, "check", "--format", "json", str(DEFAULT_CORPUS)],
                           cwd=REPO, capture_output=True, text=True, env=env)  # fmt: skip
    results["rust-book"] = json.loads(check.stdout)
    return results


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("record", "compare"):
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[1])
    with tempfile.TemporaryDirectory() as cache:
        now, again = outputs(cache), outputs(cache)
    if argv[0] == "record":
        folder.mkdir(parents=True, exist_ok=True)
        for name, value in now.items():
            (folder / f"{name}.json").write_text(json.dumps(value, indent=1), "utf-8")
        print(f"recorded {', '.join(now)} in {folder}")
        return 0
    different = []
    for name in now:
        recorded = json.loads((folder / f"{name}.json").read_text("utf-8"))
        cold, warm = recorded == now[name], recorded == again[name]
        print(f"{name}: parsed {'identical' if cold else 'DIFFERENT'}, "
              f"read back {'identical' if warm else 'DIFFERENT'}")  # fmt: skip
        different += [name] if not (cold and warm) else []
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
