"""`nudge review`: the command line of the asynchronous review (see `review.py`).

`nudge review PATH...` plans (`review_plan.py`), refuses a plan over the daily budget
unless `--yes`, submits, waits with a progress bar, and prints the findings like `nudge
check` (local and review findings merged, text, JSON or SARIF). `--dry-run` prints the
plan only; `--status` shows the current run; `--resume` continues it after a crash,
Ctrl-C or `--no-wait`; `--retry` sends its failed requests again; `--cancel` stops it.

Exit status: 0 done (or under way, with `--no-wait`), 1 findings at or above
`--fail-level` (default none), 2 an error (no key, an unreadable file or baseline,
requests that failed, the API unreachable), 3 refused by the budget, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import anthropic

from nudge import baseline
from nudge.budget import DailyBudget
from nudge.check import (
    LEVELS,
    FileReport,
    find_root,
    iter_files,
    read_report,
    write_json,
    write_sarif,
    write_text,
)
from nudge.critics.local import LocalCritic
from nudge.engine import keep_allowed, visible_findings
from nudge.results_cache import ResultsCache, cache_key
from nudge.review import Outcome, Review
from nudge.review_batches import BatchesUnavailable
from nudge.review_plan import Plan, plan_review, plan_summary
from nudge.review_state import ReviewStore, failures_by_file, tally
from nudge.segment import split_blocks
from nudge.settings import Settings, load_settings
from nudge.store import default_cache_dir
from nudge.style import load_style_guide
from nudge.telemetry import Telemetry

RESUME = "nudge review --resume"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare `nudge review`'s options."""
    add = parser.add_argument
    add("paths", nargs="*", metavar="PATH", help="files or folders to review")
    add("--dry-run", action="store_true", help="print the plan and its cost; send nothing")
    add("--yes", action="store_true", help="submit even when the plan passes the daily budget")
    add("--status", action="store_true", help="show the current review's batches and requests")
    add("--resume", action="store_true", help="continue the current review where it stopped")
    add("--retry", action="store_true", help="send the current review's failed requests again")
    add("--cancel", action="store_true", help="cancel the current review's batches")
    add("--no-wait", action="store_true", help="submit or poll once, then exit")
    add("--poll-interval", type=float, default=60.0, metavar="S", help="seconds between polls")
    add("--format", choices=("text", "json", "sarif"), default="text")
    add(
        "--fail-level",
        choices=tuple(LEVELS),
        default="none",
        help="exit 1 when a finding of this severity or higher is shown (default: never)",
    )
    add("--language", help="treat every file as this language id")
    add("--root", type=Path, help="workspace root holding .nudge.toml")
    parser.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record the findings shown as the accepted baseline for CI",
    )


def make_client(env: Any = None) -> Any:
    """Return a synchronous client from the environment, or None without a key."""
    env = os.environ if env is None else env
    key = (env.get("ANTHROPIC_API_KEY") or "").strip()
    if not key:
        return None
    return anthropic.Anthropic(api_key=key, base_url=env.get("ANTHROPIC_BASE_URL") or None,
                               max_retries=0, timeout=300.0)  # fmt: skip


class Bar:
    """A one-line progress bar on a terminal; a line per phase elsewhere."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream, self.tty, self.phase = stream, stream.isatty(), ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Show that `done` of `total` steps of `phase` are done."""
        if self.tty:
            filled = 30 * done // max(total, 1)
            bar = "#" * filled + "." * (30 - filled)
            self.stream.write(f"\r\033[K{phase} [{bar}] {done}/{total}")
            self.stream.flush()
        elif phase != self.phase:
            self.stream.write(f"nudge: {phase} ({done}/{total})\n")
        self.phase = phase

    def end(self) -> None:
        """Finish the bar's line."""
        if self.tty and self.phase:
            self.stream.write("\n")
        self.phase = ""


def describe_plan(plan: Plan, budget: DailyBudget, out: TextIO) -> None:
    """Print the plan's numbers, priced at batch rates, against the daily budget."""
    c, g = plan.critique, plan.grade
    c_in = c.input_tokens + c.cache_write_tokens + c.cache_read_tokens
    g_in = g.input_tokens + g.cache_write_tokens + g.cache_read_tokens
    out.write(
        f"review plan {plan.run_id}: {plan.files} file(s), {plan.blocks} block(s) to review "
        f"({plan.cached} already in the cache), {len(plan.requests)} critique request(s), "
        f"{plan.bytes:,} bytes\n"
        f"estimated tokens: critique input {c_in:,} / output {c.output_tokens:,}; "
        f"grading input {g_in:,} / output {g.output_tokens:,}\n"
        f"estimated cost at batch prices: ${plan.cost_usd:.2f} "
        f"(interactive: ${plan.interactive_cost_usd:.2f}); budget {budget.describe()}\n"
    )


def review_reports(
    paths: list[str], settings: Settings, root: Path, cache: ResultsCache, identity: dict,
    language: str | None, merged: bool = True,
) -> list[FileReport]:  # fmt: skip
    """Return each file's shown findings: local ones and the review's cached ones, merged.

    Unmerged, both critics' findings are kept side by side: a baseline written from
    them accepts what `nudge check` shows with any `--critic`.
    """
    local, reports = LocalCritic(), []
    for path, named in iter_files(paths, settings, root):
        if named and not path.exists():
            reports.append(FileReport(str(path), error="no such file or folder"))
            continue
        report = read_report(path, settings, language)
        mine, theirs = [], []
        for block in split_blocks(report.text, report.language) if not report.error else ():
            mine.extend(f.shifted(block.start) for f in local.check_block(block))
            found = cache.get(cache_key(identity, block.hash)) or ()
            theirs.extend(f.shifted(block.start) for f in found)
        if merged:
            report.findings = tuple(visible_findings(mine, theirs, settings))
        else:
            report.findings = (*keep_allowed(mine, settings), *keep_allowed(theirs, settings))
        reports.append(report)
    return reports


def show_status(state: Path, client: Any, as_json: bool) -> int:
    """Print the current run, each batch's progress and failures per file."""
    store = ReviewStore(state)
    run, records = store.run(), store.requests()
    store.close()
    if run is None:
        print("no review recorded")
        return 0
    for batch in run["batches"].values():
        if client is not None and batch["id"] and batch["state"] != "processed":
            try:
                found = client.messages.batches.retrieve(batch["id"])
                batch["live"] = found.processing_status
                batch["counts"] = {k: int(v) for k, v in found.request_counts.to_dict().items()}
            except (anthropic.APIStatusError, anthropic.APIConnectionError):
                batch["live"] = "unreachable"
    states, failures = dict(tally(records)), failures_by_file(records)
    if as_json:
        print(json.dumps({"run": run, "requests": states, "failures": failures}, indent=2))
        return 0
    est = run["estimate"]
    print(f"review {run['id']} ({run['stage']}), planned {time.ctime(run['created'])}: "
          f"{est['files']} file(s), {est['blocks']} block(s), {est['requests']} request(s), "
          f"estimated ${est['cost_usd']:.2f}")  # fmt: skip
    for b in run["batches"].values():
        counts = ", ".join(f"{k} {v}" for k, v in b["counts"].items() if v) or "no counts yet"
        status = b.get("live") or b["state"]
        print(f"  {b['key']} {b['kind']} {b['id'] or '(being created)'}: {status}; {counts}")
    print("  requests: " + (", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "none"))
    for path, reasons in failures.items():
        print(f"  failed: {path}: {'; '.join(reasons)}")
    if run["stage"] == "running":
        print(f"  continue with: {RESUME}")
    elif failures:
        print("  send the failures again with: nudge review --retry")
    return 0


def _finish(args: argparse.Namespace, review: Review, outcome: Outcome, root: Path) -> int:
    run = review.store.run() or {}
    records = review.store.requests()
    for path, reasons in failures_by_file(records).items():
        print(f"{path}: error: review: {'; '.join(reasons)}", file=sys.stderr)
    changed = sum(r.get("changed", 0) for r in records)
    if changed:
        print(f"nudge: {changed} block(s) changed since they were sent; their results were "
              "not used", file=sys.stderr)  # fmt: skip
    paths = run.get("paths", args.paths)
    reports = review_reports(paths, review.settings, root, review.cache, review.identity,
                             args.language)  # fmt: skip
    for report in reports:
        if report.error:
            print(f"{report.path}: error: {report.error}", file=sys.stderr)
    if args.write_baseline:
        both = review_reports(paths, review.settings, root, review.cache, review.identity,
                              args.language, merged=False)  # fmt: skip
        count = baseline.write_baseline(args.write_baseline, both, root)
        print(f"nudge: wrote {count} finding(s) to the baseline {args.write_baseline}",
              file=sys.stderr)  # fmt: skip
    writer = {"text": write_text, "json": write_json, "sarif": write_sarif}[args.format]
    writer(reports, sys.stdout, review.settings)
    if outcome.states.get("failed") or any(r.error for r in reports):
        if outcome.states.get("failed"):
            print("nudge: send the failed requests again with: nudge review --retry",
                  file=sys.stderr)  # fmt: skip
        return 2
    threshold = LEVELS[args.fail_level]
    severity = review.settings.severity
    shown = [f for r in reports for f in r.findings
             if LEVELS[severity.get(f.category, "information")] >= threshold]  # fmt: skip
    return 1 if shown else 0


def run(args: argparse.Namespace, **review_options: Any) -> int:
    """Run `nudge review` and return its exit status."""
    root = args.root or find_root(Path.cwd())
    settings, problems = load_settings(root)
    for problem in problems:
        print(f"nudge: warning: {problem}", file=sys.stderr)
    state = default_cache_dir()
    client = make_client()
    continuing = args.resume or args.retry or args.cancel
    if args.status:
        return show_status(state, client, args.format == "json")
    if bool(args.paths) == bool(continuing):
        print("nudge: give PATH... for a new review, or --resume/--retry/--cancel (no PATH)",
              file=sys.stderr)  # fmt: skip
        return 2
    store = ReviewStore(state)
    current = store.run()
    store.close()
    if continuing and current is None:
        print("nudge: no review to continue; start one with nudge review PATH...", file=sys.stderr)
        return 2
    if not continuing and current and current["stage"] == "running" and not args.dry_run:
        print(f"nudge: review {current['id']} is under way: {RESUME}, or nudge review --cancel",
              file=sys.stderr)  # fmt: skip
        return 2
    if client is None and not args.dry_run:
        print("nudge: nudge review needs ANTHROPIC_API_KEY in the environment", file=sys.stderr)
        return 2
    bar = Bar()
    telemetry = Telemetry(state / "telemetry.jsonl", enabled=settings.telemetry)
    style, warning = load_style_guide(root, settings.style_guide)
    if warning:
        print(f"nudge: warning: {warning}", file=sys.stderr)
    review = Review(client, settings, state, telemetry=telemetry, progress=bar,
                    poll_interval=args.poll_interval, language=args.language,
                    continuing=continuing, style=style, **review_options)  # fmt: skip
    try:
        if not continuing:
            plan = plan_review(args.paths, review.settings, root, review.cache,
                               language=args.language, style=style)  # fmt: skip
            return _submit(args, review, plan, root, bar)
        if args.cancel:
            print(f"nudge: canceled {review.cancel()} batch(es)", file=sys.stderr)
        if args.retry:
            print(f"nudge: sending {review.retry()} failed request(s) again", file=sys.stderr)
        return _advance(args, review, root, bar)
    except KeyboardInterrupt:
        bar.end()
        print(f"\nnudge: interrupted; the review is saved: {RESUME} continues it",
              file=sys.stderr)  # fmt: skip
        return 130
    finally:
        review.close()


def _submit(args: argparse.Namespace, review: Review, plan: Plan, root: Path, bar: Bar) -> int:
    for path, error in plan.skipped:
        print(f"{path}: error: {error}", file=sys.stderr)
    if args.dry_run:
        if args.format == "json":
            print(json.dumps(plan_summary(plan), indent=2))
        else:
            describe_plan(plan, review.budget, sys.stdout)
        return 2 if plan.skipped else 0
    describe_plan(plan, review.budget, sys.stderr)
    over = plan.over_budget(review.budget)
    if over and not args.yes:
        print(f"nudge: refusing to submit: {over}; pass --yes to submit anyway",
              file=sys.stderr)  # fmt: skip
        if review.telemetry is not None:
            review.telemetry.record("review", stage="refused", cost_usd=round(plan.cost_usd, 6))
        return 3
    review.start(plan, list(args.paths), root)
    return _advance(args, review, root, bar)


def _advance(args: argparse.Namespace, review: Review, root: Path, bar: Bar) -> int:
    try:
        outcome = review.advance(wait=not args.no_wait)
    except BatchesUnavailable as exc:
        bar.end()
        print(f"nudge: {exc.reason}; the review is saved: {RESUME} continues it",
              file=sys.stderr)  # fmt: skip
        return 2
    bar.end()
    if outcome.problem:
        print(f"nudge: {outcome.problem}", file=sys.stderr)
    if not outcome.finished:
        states = ", ".join(f"{k} {v}" for k, v in sorted(outcome.states.items()))
        print(f"nudge: review under way ({outcome.in_flight} batch(es); requests: {states}); "
              f"{RESUME} continues it", file=sys.stderr)  # fmt: skip
        return 0
    return _finish(args, review, outcome, root)
