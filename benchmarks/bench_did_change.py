"""One-character didChange in a 1 MB Markdown document: handler and re-critique time.

Measures what the server's didChange handler does (protocol range to offsets,
splice, line index, re-segment the touched region) and, separately, re-critiquing
the edited paragraph with the local critic. Targets: handler median <= 1 ms and
p99 <= 5 ms; re-critique <= 2 ms.

    python benchmarks/bench_did_change.py [--size 1000000] [--edits 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from lsprotocol import types

from _corpus import DEFAULT_CORPUS, big_document
from nudge.lsp.convert import to_edits
from nudge.session import Session


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    text = big_document(args.size, args.corpus)
    uri = "file:///bench/big.md"
    with tempfile.TemporaryDirectory() as cache:
        session = Session(None, Path(cache))
        session.settings.max_document_size = 10 * args.size
        started = time.perf_counter()
        session.open(uri, text, "markdown", 1)
        open_ms = (time.perf_counter() - started) * 1000
        doc = session.documents[uri]
        prose = [b for b in doc.prose_blocks() if b.kind == "paragraph" and len(b.text) > 80]
        rng = random.Random(1)
        handler, critique = [], []
        version = 1
        # Type in a few places, the way a writer does: a run of keys, then move on.
        for _ in range(args.edits // 20):
            block = rng.choice(prose if prose else doc.prose_blocks())
            offset = block.start + rng.randint(1, len(block.text) - 1)
            for _ in range(20):
                version += 1
                line, char = doc.mapper.position(offset)
                params = [types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(line, char), types.Position(line, char)),
                    text="e",
                )]  # fmt: skip
                t0 = time.perf_counter()
                result = session.change(uri, to_edits(params), version)
                t1 = time.perf_counter()
                for changed in result.changed:
                    session.local.check_block(changed)
                t2 = time.perf_counter()
                handler.append((t1 - t0) * 1000)
                critique.append((t2 - t1) * 1000)
                offset += 1
            prose = [b for b in doc.prose_blocks() if b.kind == "paragraph" and len(b.text) > 80]
        report = {
            "document_chars": len(text),
            "blocks": len(doc.blocks()),
            "open_ms": round(open_ms, 1),
            "edits": len(handler),
            "handler_median_ms": round(statistics.median(handler), 3),
            "handler_p99_ms": round(percentile(handler, 0.99), 3),
            "recritique_median_ms": round(statistics.median(critique), 3),
            "recritique_p99_ms": round(percentile(critique, 0.99), 3),
        }
    for key, value in report.items():
        print(f"{key:>22}: {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
