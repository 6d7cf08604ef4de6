"""`nudge review` over the whole rust-book corpus against the fake's Batches API.

The corpus is read in place from ../shared/corpus/rust-book at run time. We time the
plan and the submission (target < 5 s together), count requests and bytes submitted,
take peak memory (Python allocations of a traced planning pass, and the process's peak
RSS, which includes the in-process fake holding the batches; target < 200 MB), let the
fake finish the critique and grading batches, and price what its usage reports at batch prices. The
same requests then go through the interactive path (`ClaudeCritic.critique`, same
models, same grouping) against a fresh fake, for the cost to compare (target: batch
at most half). Last, one chapter is changed in memory (never on disk) and the plan is
made again: only its changed blocks may be planned.

    .venv/bin/python benchmarks/bench_review.py [--corpus DIR] [--chapter ch15-03-drop.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import anthropic  # noqa: E402
from tests.fakes.fake_claude import FakeClaude, heuristic_responder  # noqa: E402

import nudge.review_plan as review_plan  # noqa: E402
from _corpus import DEFAULT_CORPUS  # noqa: E402
from nudge.budget import estimate_cost  # noqa: E402
from nudge.check import read_report  # noqa: E402
from nudge.critics.claude import ClaudeCritic  # noqa: E402
from nudge.results_cache import ResultsCache  # noqa: E402
from nudge.review import Review  # noqa: E402
from nudge.scheduler import worth_sending  # noqa: E402
from nudge.segment import split_blocks  # noqa: E402
from nudge.settings import Settings  # noqa: E402


def finish_all(fake: FakeClaude, review: Review) -> None:
    """Let the fake end every batch and the review collect, until the run is done."""
    while True:
        for batch in fake.batches.batches.values():
            if batch.status != "ended":
                fake.batches.finish(batch.id)
        if review.advance(wait=False).finished:
            return


async def interactive_cost(fake: FakeClaude, settings: Settings, groups) -> float:
    """Send the same grouped blocks through the interactive critic; return its cost."""
    client = anthropic.AsyncAnthropic(api_key="bench", base_url=fake.url, max_retries=0)
    critic = ClaudeCritic(client, model=settings.review_model,
                          grader_model=settings.review_grader_model)  # fmt: skip
    for group in groups:
        await critic.critique(group)
    await client.close()
    return sum(estimate_cost(r.model, r.usage) for r in critic.records)


def changed_text(text: str) -> str:
    """Return the chapter with every third worth-sending paragraph reworded."""
    out, count = text, 0
    for block in split_blocks(text, "markdown"):
        if block.kind == "paragraph" and worth_sending(block):
            count += 1
            if count % 3 == 0:
                out = out.replace(block.text, block.text + " In order to be clear, we add this.")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--chapter", default="ch15-03-drop.md")
    args = parser.parse_args()
    settings = Settings(daily_token_budget=0, daily_cost_budget_usd=0)
    state = Path(tempfile.mkdtemp(prefix="nudge-bench-review-"))
    os.environ["NUDGE_CACHE_DIR"] = str(state)
    with FakeClaude(heuristic_responder(score=0.8), batch_polls=None) as fake:
        client = anthropic.Anthropic(api_key="bench", base_url=fake.url, max_retries=0)
        review = Review(client, settings, state, continuing=False)
        tracemalloc.start()  # a traced planning pass, for memory (tracing slows it 5x)
        review_plan.plan_review([str(args.corpus)], settings, args.corpus, review.cache)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        started = time.perf_counter()
        plan = review_plan.plan_review([str(args.corpus)], settings, args.corpus, review.cache)
        planned = time.perf_counter()
        review.start(plan, [str(args.corpus)], args.corpus)
        review.advance(wait=False)
        submitted = time.perf_counter()
        sent = [r for b in fake.batches.batches.values() for r in b.requests]
        sent_bytes = sum(len(json.dumps(r).encode()) for r in sent)
        finish_all(fake, review)
        batch_cost = sum(r["cost"] for r in review.store.requests())
        files = review_plan.CurrentFiles(settings)
        groups = [[q for q in files.batch(r.path, r.blocks) if q] for r in plan.requests]
        review.close()
    with FakeClaude(heuristic_responder(score=0.8)) as fresh:
        live_cost = asyncio.run(interactive_cost(fresh, settings, groups))

    chapter = str(args.corpus / args.chapter)
    original = read_report(Path(chapter), settings, None)
    changed = changed_text(original.text)
    before = {b.hash for b in split_blocks(original.text, "markdown")}
    expected = {b.hash for b in split_blocks(changed, "markdown")
                if worth_sending(b) and b.hash not in before}  # fmt: skip
    real_read = review_plan.read_report

    def read_changed(path, settings, language):
        report = real_read(path, settings, language)
        if str(path) == chapter:
            report.text = changed
        return report

    review_plan.read_report = read_changed  # the chapter changes in memory only
    cache = ResultsCache(state / "results")
    again = review_plan.plan_review([str(args.corpus)], settings, args.corpus, cache)
    cache.close()
    review_plan.read_report = real_read
    again_blocks = {h for r in again.requests for h, _, _ in r.blocks}

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = {
        "files": plan.files,
        "blocks planned": plan.blocks,
        "critique requests": len(plan.requests),
        "batches (critique + grading)": len(fake.batches.batches),
        "planning s": round(planned - started, 3),
        "submission s": round(submitted - planned, 3),
        "planning + submission s (target < 5)": round(submitted - started, 3),
        "bytes submitted (critique batch)": sent_bytes,
        "bytes planned": plan.bytes,
        "peak Python allocations while planning MB": round(peak / 2**20, 1),
        "peak RSS MB, fake included (target < 200)": round(rss, 1),
        "estimated cost, batch $": round(plan.cost_usd, 4),
        "estimated cost, interactive $": round(plan.interactive_cost_usd, 4),
        "cost from the fake's usage, batch $": round(batch_cost, 4),
        "cost from the fake's usage, interactive $ (same models, blocks)": round(live_cost, 4),
        "batch / interactive (target <= 0.5)": round(batch_cost / live_cost, 3),
        f"second run after {args.chapter} changed: blocks planned": again.blocks,
        "... blocks that changed": len(expected),
        "... only those": again_blocks == expected,
    }
    width = max(map(len, rows))
    for name, value in rows.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
