"""One-character didChange in a 1 MB Markdown document: handler and re-critique time.

Measures what the server's didChange handler does (protocol range to offsets,
splice, line index, re-segment the touched region) and, separately, re-critiquing
the edited paragraph with the local critic. Targets: handler median <= 1 ms and
p99 <= 5 ms; re-critique <= 2 ms.

Two odd shapes follow, each timed as a whole keystroke publish (edit, findings,
diagnostics in UTF-16): a 97 KB line holding one non-ASCII character, and a
paragraph made of nothing but 7,200 findings. Both should cost time linear in
their size, not in size times findings.

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

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)
from _corpus import DEFAULT_CORPUS, big_document
from nudge.lsp.convert import to_diagnostic, to_edits
from nudge.session import Session


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def keystroke_publish_ms(session: Session, uri: str, repeat: int) -> float:
    """Type `repeat` characters at the end of line 0; return the median publish time (ms)."""
    times = []
    for version in range(2, 2 + repeat):
        doc = session.documents[uri]
        line, char = doc.mapper.position(len(doc.text.split("\n", 1)[0]))
        params = [types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, char), types.Position(line, char)), text="e"
        )]  # fmt: skip
        t0 = time.perf_counter()
        session.change(uri, to_edits(params), version)
        mapper = session.documents[uri].mapper
        [to_diagnostic(mapper, f, "information") for f in session.findings(uri)]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def odd_shapes(cache: Path) -> dict[str, float]:
    """Time a keystroke publish on a long non-ASCII line and on a paragraph of findings."""
    session = Session(None, cache / "odd")
    long_line = "Caf\u00e9 " + "We write tests in order to sleep well at night. " * 2000 + "\n"
    findings = "In order to win. " * 7200 + "\n"
    out = {}
    for name, text in (("long_line_97kb_non_ascii", long_line), ("findings_7200", findings)):
        uri = f"file:///bench/{name}.md"
        session.open(uri, text, "markdown", 1)
        out[f"{name}_publish_ms"] = round(keystroke_publish_ms(session, uri, 5), 1)
    return out


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
        report.update(odd_shapes(Path(cache)))
    for key, value in report.items():
        print(f"{key:>22}: {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
