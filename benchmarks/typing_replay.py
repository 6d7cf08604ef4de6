"""Typing replay: what does Claude cost while someone types a chapter?

A chapter of the Rust book (read from ../shared/corpus/rust-book at run time) is typed
character by character on a virtual clock, with pauses after sentences and
paragraphs. Every keystroke re-segments the document and goes through the real
Scheduler and the real ClaudeCritic (real anthropic client, real HTTP) to the fake
Claude, which answers with its phrase heuristics after a fixed virtual 400 ms per
call. The fake's usage numbers come from its real prefix cache (TTL on the virtual
clock). We report the tokens billed by kind, requests and estimated cost, next to a
naive baseline that re-sends the whole document at every pause, and check the targets.

    .venv/bin/python benchmarks/typing_replay.py [--chapter ch15-03-drop.md]
        [--model claude-opus-5-5] [--grader-model claude-haiku-5-5] [--base-url URL]

`--base-url` sends the requests to any server that speaks the Messages API instead of
the project's fake (with ANTHROPIC_API_KEY from the environment); its answers and
usage are then that server's, and the fixed virtual 400 ms is added to its real time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import anthropic  # noqa: E402
from tests.fakes.fake_claude import FakeClaude, estimate_tokens, heuristic_responder  # noqa: E402
from tests.fakes.virtual_latency import HeldClient  # noqa: E402

from nudge.budget import TokenUsage, estimate_cost  # noqa: E402
from nudge.critics.base import DocumentContext  # noqa: E402
from nudge.critics.claude import ClaudeCritic  # noqa: E402
from nudge.prompt_loader import load_prompt  # noqa: E402
from nudge.results_cache import ResultsCache  # noqa: E402
from nudge.scheduler import Scheduler, VirtualClock  # noqa: E402
from nudge.segment import split_blocks  # noqa: E402
from nudge.settings import Settings  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "rust-book"
KEY_DELAY, SENTENCE_PAUSE, PARAGRAPH_PAUSE, CALL_LATENCY = 0.15, 1.2, 2.5, 0.4
URI = "file:///chapter.md"


def delay_after(text: str, i: int) -> float:
    """Return the writer's pause after typing character i."""
    ch, nxt = text[i], text[i + 1 : i + 2]
    if ch == "\n" and i > 0 and text[i - 1] == "\n":
        return PARAGRAPH_PAUSE
    if ch in ".!?" and nxt in (" ", "\n"):
        return SENTENCE_PAUSE
    return KEY_DELAY


def context_for(blocks) -> DocumentContext:
    """Return the title and headings of the text typed so far."""
    headings = tuple(b.text.lstrip("#").strip() for b in blocks if b.kind == "heading")
    return DocumentContext(uri=URI, title=headings[0] if headings else "", headings=headings)


class Replay:
    """One run: fake Claude, critic, scheduler and the measurements."""

    def __init__(self, url, key, clock: VirtualClock, cache_dir: Path, settings, fake=None):
        self.clock = clock
        client = anthropic.AsyncAnthropic(api_key=key, base_url=url, max_retries=0)
        self.settings = settings
        self.critic = ClaudeCritic(
            HeldClient(client, clock, CALL_LATENCY, fake),
            model=self.settings.model,
            grader_model=self.settings.grader_model,
            effort=self.settings.effort,
            grader_effort=self.settings.grader_effort,
            sleep=clock.sleep,
            clock=clock.now,
        )
        self.scheduler = Scheduler(
            self.critic,
            self.settings,
            self.on_results,
            on_event=self.on_event,
            clock=clock,
            cache=ResultsCache(cache_dir),
        )
        self.last_key, self.started, self.latencies = 0.0, [], []
        self.delivered = 0

    async def on_results(self, uri, block_hash, findings) -> None:
        self.delivered += 1

    def on_event(self, event) -> None:
        if event.kind == "review_started":
            self.started.append(self.last_key)
        elif event.kind == "review_finished":
            pause_start = self.started.pop(0)
            if event.message == "done":
                self.latencies.append(self.clock.now() - pause_start)

    async def type_text(self, text: str) -> int:
        """Type `text` one character at a time; return the number of pauses."""
        pauses = 0
        for i in range(len(text)):
            typed = text[: i + 1]
            blocks = split_blocks(typed, "markdown")
            self.scheduler.update_document(
                URI, i + 1, blocks, context=context_for(blocks), cursor=i + 1
            )
            self.last_key = self.clock.now()
            delay = delay_after(text, i)
            pauses += delay >= self.settings.debounce_ms / 1000
            await self.clock.advance(delay)
        await self.clock.advance(10.0)  # the writer stops; the last paragraph settles
        return pauses

    async def reopen(self, text: str) -> int:
        """Close and reopen the finished document; return the tokens that cost."""
        before = self.critic.usage.total
        self.scheduler.close_document(URI)
        blocks = split_blocks(text, "markdown")
        self.scheduler.update_document(URI, 1, blocks, context=context_for(blocks))
        await self.clock.advance(5.0)
        return self.critic.usage.total - before


def naive_baseline(text: str, pauses_at: list[int], output_per_call: float) -> TokenUsage:
    """Return tokens for re-sending the whole document (no prompt cache) at every pause."""
    prompt = load_prompt("critique")
    prefix = estimate_tokens(json.dumps(prompt.output.schema)) + estimate_tokens(prompt.system)
    input_tokens = sum(prefix + estimate_tokens(text[:i]) + 20 for i in pauses_at)
    return TokenUsage(input_tokens, int(output_per_call * len(pauses_at)))


def cache_share(records) -> float:
    """Return the share of system-prompt tokens read from cache after each kind's first call."""
    read = expected = 0
    for kind in ("critique", "grade"):
        calls = [r for r in records if r.kind == kind and r.status == "ok"]
        if len(calls) < 2:
            continue
        prefix = calls[0].usage.cache_write_tokens
        read += sum(min(r.usage.cache_read_tokens, prefix) for r in calls[1:])
        expected += prefix * (len(calls) - 1)
    return read / expected if expected else 0.0


async def run(
    chapter: Path, settings: Settings, base_url: str | None = None, thinking_latency: float = 0.0
) -> dict:
    """Replay the chapter and return the measurements."""
    text = chapter.read_text(encoding="utf-8")
    clock = VirtualClock()
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        fake = None
        if base_url is None:
            fake = stack.enter_context(FakeClaude(
                heuristic_responder(), clock=clock.now, thinking_latency=thinking_latency,
                sleep=lambda _s: None,
            ))  # fmt: skip
            url, key = fake.url, "bench"
        else:
            url, key = base_url, os.environ.get("ANTHROPIC_API_KEY", "bench")
        replay = Replay(url, key, clock, Path(tmp) / "cache", settings, fake)
        pauses = await replay.type_text(text)
        reopen_tokens = await replay.reopen(text)
        await replay.scheduler.aclose()
    records = replay.critic.records
    ok = [r for r in records if r.status == "ok"]
    usage = replay.critic.usage
    cost = sum(r.cost_usd for r in records)
    critique_calls = [r for r in ok if r.kind == "critique"]
    output_per_call = (
        statistics.mean(r.usage.output_tokens for r in critique_calls) if critique_calls else 0
    )
    pause_points = [
        i + 1 for i in range(len(text)) if delay_after(text, i) >= Settings().debounce_ms / 1000
    ]
    naive = naive_baseline(text, pause_points, output_per_call)
    doc_tokens = estimate_tokens(text)
    p50 = statistics.median(replay.latencies) if replay.latencies else float("nan")
    target_p50 = Settings().debounce_ms / 1000 + 2 * CALL_LATENCY + 0.05
    return {
        "chapter": chapter.name,
        "characters": len(text),
        "document_tokens": doc_tokens,
        "pauses": pauses,
        "requests": len(records),
        "reviews": len(critique_calls),
        "usage": usage,
        "cost": cost,
        "naive": naive,
        "naive_requests": len(pause_points),
        "naive_cost": estimate_cost(settings.model, naive),
        "models": (settings.model, settings.grader_model),
        "efforts": (settings.effort, settings.grader_effort),
        "cache_share": cache_share(records),
        "p50": p50,
        "p90": statistics.quantiles(replay.latencies, n=10)[-1]
        if len(replay.latencies) > 1
        else p50,
        "target_p50": target_p50,
        "reopen_tokens": reopen_tokens,
    }


def report(m: dict) -> None:
    """Print the table and the target checks."""
    u, n = m["usage"], m["naive"]
    print(
        f"Typing replay of {m['chapter']}: {m['characters']} characters, "
        f"~{m['document_tokens']} tokens, {m['pauses']} pauses; "
        f"critique {m['models'][0]}, grading {m['models'][1]}"
    )
    print(f"{'':24}{'Nudge':>12}{'naive':>12}")
    rows = [
        ("requests", m["requests"], m["naive_requests"]),
        ("uncached input tokens", u.input_tokens, n.input_tokens),
        ("cache write tokens", u.cache_write_tokens, n.cache_write_tokens),
        ("cache read tokens", u.cache_read_tokens, n.cache_read_tokens),
        ("output tokens", u.output_tokens, n.output_tokens),
    ]
    print(f"efforts: critique {m['efforts'][0]}, grading {m['efforts'][1]}")
    for name, ours, theirs in rows:
        print(f"{name:24}{ours:>12,}{theirs:>12,}")
    print(f"{'estimated cost (USD)':24}{m['cost']:>12.4f}{m['naive_cost']:>12.4f}")
    ratio = u.input_tokens / m["document_tokens"]
    checks = [
        ("uncached input <= 1.5x document", f"{ratio:.2f}x", ratio <= 1.5),
        (
            "system prompt read from cache >= 90%",
            f"{m['cache_share']:.1%}",
            m["cache_share"] >= 0.9,
        ),
        (
            f"pause-to-diagnostics p50 <= {m['target_p50'] * 1000:.0f} ms",
            f"{m['p50'] * 1000:.0f} ms (p90 {m['p90'] * 1000:.0f} ms)",
            m["p50"] <= m["target_p50"],
        ),
        ("reopening costs 0 tokens", f"{m['reopen_tokens']} tokens", m["reopen_tokens"] == 0),
    ]
    for name, value, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="ch15-03-drop.md", help="file in the corpus")
    parser.add_argument("--model", default=Settings().model, help="critique model")
    parser.add_argument("--grader-model", default=Settings().grader_model, help="grading model")
    parser.add_argument("--effort", default="auto", help="critique effort")
    parser.add_argument("--grader-effort", default="auto", help="grading effort")
    parser.add_argument("--thinking-latency", type=float, default=0.005,
                        help="fake's seconds per thinking token (default 0.005)")  # fmt: skip
    parser.add_argument("--base-url", help="a Messages API server to use instead of the fake")
    args = parser.parse_args()
    settings = dataclasses.replace(
        Settings(), model=args.model, grader_model=args.grader_model, effort=args.effort,
        grader_effort=args.grader_effort,
    )  # fmt: skip
    report(asyncio.run(run(CORPUS / args.chapter, settings, args.base_url, args.thinking_latency)))


if __name__ == "__main__":
    main()
