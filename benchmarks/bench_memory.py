"""Memory: RSS of `nudge lsp` with 20 open 100 KB Markdown documents (target < 150 MB).

Starts the real server over stdio, opens the documents through a real LSP client,
waits for each document's diagnostics and reads the server's VmRSS from /proc.

    python benchmarks/bench_memory.py [--docs 20] [--size 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from _corpus import DEFAULT_CORPUS, big_document


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def run(docs: int, size: int, corpus: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NUDGE_CACHE_DIR": tmp}
        env.pop("ANTHROPIC_API_KEY", None)
        config = ClientServerConfig([sys.executable, "-m", "nudge", "lsp"], server_env=env)
        client = await config.start()
        await client.initialize_session(
            types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
        )
        pid = client._server.pid  # the subprocess pytest-lsp started
        print(f"after start: {rss_mb(pid):.1f} MB")
        base = big_document(size * docs, corpus)
        for i in range(docs):
            text = base[i * size : (i + 1) * size]
            waiter = client.protocol.wait_for_notification_async(
                types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
            )
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    types.TextDocumentItem(f"file:///bench/doc{i}.md", "markdown", 1, text)
                )
            )
            await waiter
        total = sum(len(v) for v in client.diagnostics.values())
        print(f"{docs} documents of {size:,} chars open, {total} diagnostics: "
              f"RSS {rss_mb(pid):.1f} MB (target < 150 MB)")  # fmt: skip
        await client.shutdown_session()
        await client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    asyncio.run(run(args.docs, args.size, args.corpus))


if __name__ == "__main__":
    main()
