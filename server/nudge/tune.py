"""`nudge tune`: thresholds from what a team did with its suggestions, with a back-test.

Input is pooled telemetry (`nudge stats --export` from each writer). Each outcome event
is one shown suggestion with the confidence it was shown at. Acceptance is accepted /
(accepted + dismissed + ignored + edited away + closed unanswered); `withdrawn` ones
(Nudge stopped showing them first) are left out. Per category and critic, a calibration
table shows acceptance against confidence. For a target, the threshold per category is
the lowest confidence at which what would still be shown meets it: an acceptance rate
(`--target-acceptance`) or a density (`--max-per-1000-words`, against the words of the
documents opened). The back-test says what the team would have seen and lost under it.
`--write` sets `category_min_confidence` in `.nudge.toml` with tomlkit, so every byte
outside the keys it sets stays as it was.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nudge.telemetry import DECIDED, default_path, read_all

GRID = [i / 100 for i in range(101)]
MIN_KEPT = 5  # a threshold must leave this many decided suggestions to be measured


@dataclass(frozen=True)
class Outcome:
    """One shown suggestion's fate, as tuning sees it."""

    category: str
    critic: str
    confidence: float
    accepted: bool


def outcomes(events: Sequence[dict[str, Any]]) -> list[Outcome]:
    """Return the decided outcomes that carry a confidence (older events have none)."""
    out = []
    for row in events:
        confidence = row.get("confidence")
        if row.get("event") not in DECIDED or not isinstance(confidence, (int, float)):
            continue
        out.append(
            Outcome(
                str(row.get("category", "?")),
                str(row.get("critic", "?")),
                float(confidence),
                row["event"] == "accepted",
            )
        )
    return out


def words_seen(events: Sequence[dict[str, Any]]) -> int:
    """Return the words in the documents opened (for suggestions per 1000 words)."""
    return sum(int(r.get("words", 0) or 0) for r in events if r.get("event") == "opened")


def calibration(rows: Sequence[Outcome], bins: int = 10) -> list[dict[str, Any]]:
    """Return acceptance per confidence bin: lo, hi, shown, accepted, rate."""
    table = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        last = b == bins - 1
        inside = [r for r in rows if lo <= r.confidence < hi or (last and r.confidence == 1)]
        accepted = sum(r.accepted for r in inside)
        table.append(
            {
                "lo": lo,
                "hi": hi,
                "shown": len(inside),
                "accepted": accepted,
                "rate": round(accepted / len(inside), 3) if inside else None,
            }
        )
    return table


def acceptance_at(rows: Sequence[Outcome], threshold: float) -> tuple[int, float | None]:
    """Return how many would be shown at `threshold` and their acceptance rate."""
    kept = [r for r in rows if r.confidence >= threshold]
    return len(kept), (sum(r.accepted for r in kept) / len(kept) if kept else None)


def threshold_for_acceptance(rows: Sequence[Outcome], target: float) -> float | None:
    """Return the lowest threshold whose shown suggestions meet the acceptance target."""
    for t in GRID:
        count, rate = acceptance_at(rows, t)
        if count < MIN_KEPT:
            return None
        if rate is not None and rate >= target:
            return t
    return None


def threshold_for_density(rows: Sequence[Outcome], words: int, per_1000: float) -> float | None:
    """Return the lowest threshold that shows at most `per_1000` suggestions per 1000 words."""
    if words <= 0:
        return None
    for t in GRID:
        if acceptance_at(rows, t)[0] * 1000 / words <= per_1000:
            return t
    return None


def backtest(rows: Sequence[Outcome], threshold: float) -> dict[str, float]:
    """Return the share of suggestions no longer shown, and of accepted ones lost."""
    accepted = [r for r in rows if r.accepted]
    hidden = [r for r in rows if r.confidence < threshold]
    return {
        "fewer_shown": len(hidden) / len(rows) if rows else 0.0,
        "accepted_lost": sum(r.accepted for r in hidden) / len(accepted) if accepted else 0.0,
    }


def tune(
    events: Sequence[dict[str, Any]], target: float | None = None, per_1000: float | None = None
) -> dict[str, Any]:
    """Return calibration per category and critic, and a threshold per category for the target."""
    rows = outcomes(events)
    words = words_seen(events)
    report: dict[str, Any] = {"words": words, "categories": {}}
    for category in sorted({r.category for r in rows}):
        mine = [r for r in rows if r.category == category]
        entry: dict[str, Any] = {
            "shown": len(mine),
            "accepted": sum(r.accepted for r in mine),
            "critics": {
                c: calibration([r for r in mine if r.critic == c])
                for c in sorted({r.critic for r in mine})
            },
        }
        if target is not None:
            threshold = threshold_for_acceptance(mine, target)
        elif per_1000 is not None:
            threshold = threshold_for_density(mine, words, per_1000)
        else:
            threshold = None
        if (target is not None or per_1000 is not None) and threshold is None:
            entry["unmet"] = True
        elif threshold is not None and threshold <= min(r.confidence for r in mine):
            entry["met_as_is"] = True  # lower thresholds were never shown, so never measured
            threshold = None
        if threshold is not None:
            entry["threshold"] = threshold
            entry["backtest"] = backtest(mine, threshold)
            entry["acceptance_after"] = acceptance_at(mine, threshold)[1]
        report["categories"][category] = entry
    return report


def write_thresholds(root: Path, thresholds: dict[str, float]) -> Path:
    """Set `category_min_confidence` keys in the team file, keeping every other byte."""
    import tomlkit

    path = root / ".nudge.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    doc = tomlkit.parse(text)
    table: Any = doc["nudge"] if isinstance(doc.get("nudge"), dict) else doc
    current = table.get("category_min_confidence")
    if current is None:  # tomlkit puts a new top-level key before the first [table]
        current = table["category_min_confidence"] = tomlkit.inline_table()
    for category, value in sorted(thresholds.items()):
        current[category] = value
    out = tomlkit.dumps(doc)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(out, encoding="utf-8")
    tmp.replace(path)
    return path


def add_arguments(parser: Any) -> None:
    """Declare `nudge tune`'s options."""
    parser.add_argument(
        "files", nargs="*", type=Path, help="pooled telemetry files (default: this machine's)"
    )
    goal = parser.add_mutually_exclusive_group()
    goal.add_argument(
        "--target-acceptance",
        type=float,
        metavar="RATE",
        help="lowest threshold whose shown suggestions are accepted at RATE",
    )
    goal.add_argument(
        "--max-per-1000-words",
        type=float,
        metavar="N",
        help="lowest threshold showing at most N suggestions per 1000 words, per category",
    )
    parser.add_argument("--html", type=Path, metavar="FILE", help="also write a page of plots")
    parser.add_argument(
        "--write",
        action="store_true",
        help="put the thresholds in .nudge.toml (comments and layout kept)",
    )
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="workspace holding .nudge.toml (default: here)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: Any) -> int:
    """Print calibration, thresholds and back-tests; write them when asked. Exit 2 on bad input."""
    target = args.target_acceptance
    if target is not None and not 0 < target <= 1:
        print("nudge tune: --target-acceptance must be in (0, 1]", file=sys.stderr)
        return 2
    events = read_all(list(args.files) or [default_path()])
    report = tune(events, target, args.max_per_1000_words)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(render_text(report))
    if args.html is not None:
        from nudge.tune_html import render_html

        args.html.write_text(render_html(report), encoding="utf-8")
    thresholds = {c: e["threshold"] for c, e in report["categories"].items() if "threshold" in e}
    if args.write and thresholds:
        path = write_thresholds(args.root, thresholds)
        print(f"wrote category_min_confidence for {', '.join(sorted(thresholds))} to {path}")
    return 0


def render_text(report: dict[str, Any]) -> str:
    """Return the report as the lines `nudge tune` prints."""
    lines = [f"words in documents opened: {report['words']:,}"]
    for category, entry in report["categories"].items():
        lines.append(f"\n{category}: {entry['shown']} decided, {entry['accepted']} accepted")
        for critic, table in entry["critics"].items():
            cells = [f"{b['lo']:.1f}+ {b['rate']:.0%} of {b['shown']}" for b in table if b["shown"]]
            lines.append(f"  {critic:<7} acceptance by confidence  " + "  ".join(cells))
        if entry.get("unmet"):
            lines.append(f"  {category}: no threshold meets the target; no change")
        elif entry.get("met_as_is"):
            lines.append(f"  {category}: meets the target at every confidence shown; no change")
        if "threshold" in entry:
            bt, after = entry["backtest"], entry["acceptance_after"]
            rate = "n/a" if after is None else f"{after:.0%}"
            lines.append(
                f"  {category} at {entry['threshold']:.2f}: {bt['fewer_shown']:.0%} fewer "
                f"suggestions shown, {bt['accepted_lost']:.0%} of accepted ones lost "
                f"(acceptance {rate})"
            )
    return "\n".join(lines)
