"""Local telemetry: one JSON line per event, never sent anywhere.

Events record what Nudge did and what it cost: each Claude request (tokens by kind,
estimated cost, latency, status), findings proposed, graded and shown, results served
from cache, and what writers accepted or dismissed. Field names are whitelisted, so
document text, prompts or the API key cannot slip in by accident; the only text a
caller may attach is a finding's category, rule and model names. `summarize` turns
the log into the numbers `nudge stats` prints.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

OUTCOMES = ("accepted", "dismissed", "ignored", "edited", "closed", "withdrawn")
# What acceptance is measured against: every outcome a writer chose, except `withdrawn`
# (Nudge stopped showing it first), so a suggestion left unanswered counts as not wanted.
DECIDED = ("accepted", "dismissed", "ignored", "edited", "closed")
EVENTS = {
    "request", "findings", "cache_hit", "shown", "fallback", "opened", "review", *OUTCOMES,
}  # fmt: skip
FIELDS = {
    "kind",
    "model",
    "prompt",
    "status",
    "input_tokens",
    "output_tokens",
    "cache_write_tokens",
    "cache_read_tokens",
    "cost_usd",
    "latency_ms",
    "blocks",
    "proposed",
    "malformed",
    "unanchored",
    "graded",
    "count",
    "category",
    "critic",
    "rule",
    "reason",
    "tier",  # "batch" for a Message Batches request (half price)
    "stage",  # a review's step: planned, critique_submitted, grade_submitted, finished
    "files",
    "requests",
    "confidence",
    "shown_ms",
    "words",
}


class Telemetry:
    """Append events to a JSONL file (or only to memory when `path` is None or not enabled).

    `enabled` follows the `telemetry` setting: when false, nothing reaches the file.
    """

    def __init__(self, path: Path | None = None, clock=time.time, enabled: bool = True):
        self.path, self.clock, self.enabled = path, clock, enabled
        self.events: list[dict[str, Any]] = []

    def record(self, event: str, **fields: Any) -> None:
        """Append one event; raises ValueError for an unknown event or field name."""
        if event not in EVENTS:
            raise ValueError(f"unknown telemetry event {event!r}")
        unknown = set(fields) - FIELDS
        if unknown:
            raise ValueError(f"telemetry fields not allowed: {sorted(unknown)}")
        row = {"ts": round(self.clock(), 3), "event": event, **fields}
        self.events.append(row)
        if self.path is None or not self.enabled:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row, sort_keys=True) + "\n")
        except OSError as exc:
            log.warning("cannot write telemetry to %s (%s)", self.path, exc)


def read_events(path: Path) -> list[dict[str, Any]]:
    """Return the events in a telemetry file, skipping lines that are not JSON objects."""
    events = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            events.append(row)
    return events


def summarize(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Return request, token, cost, cache and per-category acceptance totals."""
    tokens: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    latencies, cost, cache_hits = [], 0.0, 0
    batch: Counter[str] = Counter()  # Message Batches requests (`nudge review`)
    batch_cost = 0.0
    findings: Counter[str] = Counter()
    per_category: dict[str, Counter[str]] = defaultdict(Counter)
    for row in events:
        event = row.get("event")
        if event == "request":
            statuses[str(row.get("status", "ok"))] += 1
            for kind in (
                "input_tokens",
                "output_tokens",
                "cache_write_tokens",
                "cache_read_tokens",
            ):
                tokens[kind] += int(row.get(kind, 0) or 0)
            cost += float(row.get("cost_usd", 0.0) or 0.0)
            if row.get("tier") == "batch":
                batch["requests"] += 1
                batch_cost += float(row.get("cost_usd", 0.0) or 0.0)
                batch["tokens"] += sum(int(row.get(k, 0) or 0) for k in _TOKEN_KINDS)
            if "latency_ms" in row:
                latencies.append(float(row["latency_ms"]))
        elif event == "cache_hit":
            cache_hits += int(row.get("blocks", 1) or 1)
        elif event == "findings":
            for kind in ("proposed", "malformed", "unanchored", "graded"):
                findings[kind] += int(row.get(kind, 0) or 0)
        elif event == "shown" or event in OUTCOMES:
            per_category[str(row.get("category", "?"))][event] += int(row.get("count", 1) or 1)
    categories = {}
    for category, counts in sorted(per_category.items()):
        decided = sum(counts[k] for k in DECIDED)
        categories[category] = {
            **{k: counts[k] for k in ("shown", *OUTCOMES)},
            "acceptance_rate": round(counts["accepted"] / decided, 3) if decided else None,
        }
    return {
        "requests": sum(statuses.values()),
        "statuses": dict(statuses),
        "tokens": dict(tokens),
        "cost_usd": round(cost, 6),
        "batch": {
            "requests": batch["requests"],
            "tokens": batch["tokens"],
            "cost_usd": round(batch_cost, 6),
        },
        "cache_hits": cache_hits,
        "latency_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
        "findings": dict(findings),
        "categories": categories,
    }


def add_arguments(parser: Any) -> None:
    """Declare `nudge stats`'s options."""
    parser.add_argument(
        "files", nargs="*", type=Path,
        help="telemetry files to pool (default: telemetry.jsonl in the cache folder)",
    )  # fmt: skip
    parser.add_argument("--file", type=Path, help="one more telemetry file (kept for old scripts)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--export", type=Path, metavar="FILE",
        help="write an anonymised copy a team can pool (no text, no paths), then stop",
    )  # fmt: skip
    from nudge.usage import epilog

    parser.epilog = epilog(
        [("0", "the summary was printed (an empty or missing telemetry file gives zeros)")],
        "plain text, or JSON with --json; telemetry is telemetry.jsonl in the state folder",
    )


_SAFE = re.compile(r"^[\w.:@+\-]{0,80}$")


def anonymised(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the events a team may pool: known names and fields, short safe words, hour times.

    Field names are whitelisted already; this drops any string that is not a short
    identifier (a rule id, a model, a category), so no text or path can leave even if
    an older or hand-edited file holds one, and rounds times to the hour.
    """
    out = []
    for row in events:
        if row.get("event") not in EVENTS:
            continue
        clean: dict[str, Any] = {"event": row["event"]}
        if isinstance(row.get("ts"), (int, float)):
            clean["ts"] = int(row["ts"]) // 3600 * 3600
        for key, value in row.items():
            if key not in FIELDS:
                continue
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, (int, float)) or (isinstance(value, str) and _SAFE.match(value)):
                clean[key] = value
        out.append(clean)
    return out


def read_all(paths: list[Path]) -> list[dict[str, Any]]:
    """Return the events of several telemetry files, pooled."""
    return [row for path in paths for row in read_events(path)]


def default_path() -> Path:
    """Return where the language server and `nudge check` write telemetry."""
    from nudge.store import default_cache_dir

    return default_cache_dir() / "telemetry.jsonl"


def run(args: Any) -> int:
    """Print acceptance rates per category, tokens, cache hits and cost."""
    paths = [*args.files, *([args.file] if args.file else [])] or [default_path()]
    events = read_all(paths)
    if args.export is not None:
        rows = anonymised(events)
        with args.export.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, sort_keys=True) + "\n")
        print(f"wrote {len(rows)} events to {args.export}")
        return 0
    summary = summarize(events)
    path = ", ".join(map(str, paths))
    if args.json:
        print(json.dumps(summary, indent=2, sort_keys=True))
        return 0
    tokens = summary["tokens"]
    print(f"telemetry: {path}")
    print(f"requests: {summary['requests']}  ({_pairs(summary['statuses'])})")
    print(
        "tokens: input {input_tokens}, output {output_tokens}, cache write "
        "{cache_write_tokens}, cache read {cache_read_tokens}".format_map(
            {k: tokens.get(k, 0) for k in _TOKEN_KINDS}
        )
    )
    print(f"cost: ${summary['cost_usd']:.4f}  cache hits: {summary['cache_hits']} block(s)")
    if summary["batch"]["requests"]:
        b = summary["batch"]
        print(f"of which batch (nudge review): {b['requests']} requests, {b['tokens']} tokens, "
              f"${b['cost_usd']:.4f}")  # fmt: skip
    if summary["latency_ms_p50"] is not None:
        print(f"latency p50: {summary['latency_ms_p50']} ms")
    if summary["findings"]:
        print(f"findings: {_pairs(summary['findings'])}")
    for category, row in summary["categories"].items():
        rate = row["acceptance_rate"]
        shown = "n/a" if rate is None else f"{rate:.0%}"
        print(
            f"  {category:<12} shown {row['shown']:>5}  accepted {row['accepted']:>4}  "
            f"dismissed {row['dismissed']:>4}  acceptance {shown}"
        )
    return 0


_TOKEN_KINDS = ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens")


def _pairs(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
