"""The keystroke path with Claude on: the real didChange handler and publish on 1 MB.

`bench_did_change.py` times the session edit alone. This one runs the server's real
`did_change` handler with the review service attached (an in-process critic that
answers at once, so no network is timed), then one turn of the event loop so the
scheduler's round runs too, and, separately, a publish after a one-block edit (every
block's visible findings, dismissals, diagnostics; the JSON-RPC write is stubbed).
Targets (issue 13): handler median <= 1 ms and p99 <= 5 ms with Claude on; publish
after a one-block edit <= 5 ms on 1 MB.

    python benchmarks/bench_keystroke_claude.py [--size 1000000] [--edits 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from lsprotocol import types

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)
from _corpus import DEFAULT_CORPUS, big_document
from bench_did_change import percentile
from nudge.budget import DailyBudget
from nudge.lsp import documents
from nudge.lsp.claude_bridge import ClaudeBridge
from nudge.lsp.server import NudgeServer
from nudge.results_cache import ResultsCache
from nudge.service import ReviewService
from nudge.session import Session


class InstantCritic:
    """A critic that answers every block with nothing, at once."""

    name, description = "instant", "answers at once"

    def identity(self) -> dict[str, str]:
        return {"critic": self.name}

    async def critique(self, batch):
        return [[] for _ in batch]


def server(cache: Path, text: str, uri: str) -> NudgeServer:
    ls = NudgeServer(cache)
    ls.protocol.notify = lambda *a, **k: None  # the JSON-RPC write is not ours to time
    ls.session = Session(None, cache)
    ls.session.settings.max_document_size = 10 * len(text)
    ls.configured, ls.pending_messages = True, None
    bridge = ClaudeBridge(ls)
    bridge.service = ReviewService(
        InstantCritic(), ls.session.settings, DailyBudget(), ResultsCache(cache / "results"),
        bridge.on_results, on_event=bridge.on_event,
    )  # fmt: skip
    ls.bridge = bridge
    ls.session.open(uri, text, "markdown", 1)
    bridge.open(uri)
    return ls


async def run(size: int, edits: int, corpus: Path) -> dict:
    text = big_document(size, corpus)
    uri = "file:///bench/big.md"
    with tempfile.TemporaryDirectory() as tmp:
        ls = server(Path(tmp), text, uri)
        await asyncio.sleep(0.05)  # the first review of every block runs and settles
        ls.publish(uri)  # the first publish reads every block; later ones re-merge edits
        doc = ls.session.documents[uri]
        prose = [b for b in doc.prose_blocks() if b.kind == "paragraph" and len(b.text) > 80]
        rng = random.Random(1)
        handler, loop_turn, publish = [], [], []
        version = 1
        for _ in range(edits // 20):
            block = rng.choice(prose)
            offset = block.start + rng.randint(1, len(block.text) - 1)
            for _ in range(20):
                version += 1
                line, char = doc.mapper.position(offset)
                params = types.DidChangeTextDocumentParams(
                    types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    [types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line, char), types.Position(line, char)),
                        text="e",
                    )],
                )  # fmt: skip
                t0 = time.perf_counter()
                documents.did_change(ls, params)
                t1 = time.perf_counter()
                for _ in range(3):
                    await asyncio.sleep(0)
                t2 = time.perf_counter()
                handler.append((t1 - t0) * 1000)
                loop_turn.append((t2 - t0) * 1000)
                offset += 1
            t3 = time.perf_counter()
            ls.publish(uri)
            publish.append((time.perf_counter() - t3) * 1000)
            prose = [b for b in doc.prose_blocks() if b.kind == "paragraph" and len(b.text) > 80]
        for timer in ls.timers.values():
            timer.cancel()
        await ls.bridge.aclose()
        return {
            "document_chars": len(text),
            "blocks": len(doc.blocks()),
            "edits": len(handler),
            "handler_median_ms": round(statistics.median(handler), 3),
            "handler_p99_ms": round(percentile(handler, 0.99), 3),
            "with_scheduler_round_median_ms": round(statistics.median(loop_turn), 3),
            "with_scheduler_round_p99_ms": round(percentile(loop_turn, 0.99), 3),
            "publish_median_ms": round(statistics.median(publish), 2),
            "publish_p99_ms": round(percentile(publish, 0.99), 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = asyncio.run(run(args.size, args.edits, args.corpus))
    for key, value in report.items():
        print(f"{key:>32}: {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
