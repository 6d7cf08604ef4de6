"""Start-up: whole-process `nudge check` and `nudge lsp` first diagnostics, beside proselint.

    python benchmarks/bench_startup.py [--repeat 5] [--corpus DIR] [--file PATH]

In one run, N times over, interleaved: `nudge check` on one short file and on the
whole corpus, `proselint check` on the same, and a fresh `nudge lsp` (over stdio, a
real LSP client) timed from `didOpen` of the short file to its first diagnostics.
Wall times are whole processes (interpreter start included); medians and ranges
are printed, with peak RSS. All runs share one temporary cache folder, filled by a
first, cold run that is reported on its own. The corpus is read where it lies.
Nudge's modules are byte-compiled first, as installing a wheel does (an editable
install under PYTHONDONTWRITEBYTECODE would otherwise compile every module in every
process, which proselint, installed as a wheel, never does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from _corpus import DEFAULT_CORPUS, corpus_files

SHORT = (
    "# A short note\n\nAt the end of the day, we need to think outside the box in order to "
    "make a decision about the plan. It goes without saying that this is a double-edged "
    "sword, and the team has a lot of work to do at this point in time.\n"
)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `command`; return its wall seconds and peak RSS in MB (0 without /usr/bin/time)."""
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r") as report:
        prefix = [str(gnu_time), "-o", report.name, "-f", "%M"] if gnu_time.exists() else []
        t0 = time.perf_counter()
        subprocess.run([*prefix, *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, check=False)  # fmt: skip
        seconds = time.perf_counter() - t0
        lines = report.read().split()
    return seconds, int(lines[-1]) / 1024 if prefix and lines else 0.0


async def lsp_latency(text: str, env: dict[str, str]) -> tuple[float, float]:
    """Start `nudge lsp`, open `text`; return seconds from didOpen, and from the start,
    to its first diagnostics."""
    config = ClientServerConfig([sys.executable, "-m", "nudge", "lsp"], server_env=env)
    started = time.perf_counter()
    client = await config.start()
    await client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    )
    waiter = client.protocol.wait_for_notification_async(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    t0 = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem("file:///bench/short.md", "markdown", 1, text)
        )
    )
    await waiter
    now = time.perf_counter()
    await client.shutdown_session()
    await client.stop()
    return now - t0, now - started


def spread(values: list[float], unit: str = "s") -> str:
    scale, fmt = (1000, "{:.0f} ms") if unit == "ms" else (1, "{:.2f} s")
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{fmt.format(mid * scale)} ({fmt.format(low * scale)}–{fmt.format(high * scale)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--file", type=Path, help="the short file (default: a built-in note)")
    args = parser.parse_args()
    files = corpus_files(args.corpus)
    proselint = shutil.which("proselint") or str(Path(sys.executable).with_name("proselint"))
    import nudge

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(nudge.__file__).parent)],
                   stdout=subprocess.DEVNULL, check=False)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        short = args.file or Path(tmp) / "short.md"
        if args.file is None:
            short.write_text(SHORT, "utf-8")
        env = {**os.environ, "NUDGE_CACHE_DIR": str(Path(tmp) / "cache")}
        env.pop("ANTHROPIC_API_KEY", None)
        nudge = [sys.executable, "-m", "nudge", "check"]
        cold, cold_rss = timed([*nudge, str(short)], env)
        rows: dict[str, list[float]] = {k: [] for k in ("n1", "p1", "nc", "pc", "lsp", "up")}
        rss: dict[str, float] = {}
        for _ in range(args.repeat):
            for key, command in (
                ("n1", [*nudge, str(short)]),
                ("p1", [proselint, "check", str(short)]),
                ("nc", [*nudge, str(args.corpus)]),
                ("pc", [proselint, "check", *map(str, files)]),
            ):
                seconds, peak = timed(command, env)
                rows[key].append(seconds)
                rss[key] = max(rss.get(key, 0.0), peak)
            latency, since_start = asyncio.run(lsp_latency(short.read_text("utf-8"), env))
            rows["lsp"].append(latency)
            rows["up"].append(since_start)
        shutil.rmtree(Path(tmp) / "cache")
        cold_lsp, cold_up = asyncio.run(lsp_latency(short.read_text("utf-8"), env))
    ratios = [p / n for p, n in zip(rows["pc"], rows["nc"], strict=True)]
    print(f"{args.repeat} runs, medians (ranges); corpus {args.corpus} ({len(files)} files)")
    print(f"one short file   nudge {spread(rows['n1'])}  peak {rss['n1']:.0f} MB   "
          f"proselint {spread(rows['p1'])}  peak {rss['p1']:.0f} MB")  # fmt: skip
    print(f"  first run with an empty cache: nudge {cold:.2f} s, peak {cold_rss:.0f} MB")
    print(f"whole corpus     nudge {spread(rows['nc'])}  peak {rss['nc']:.0f} MB   "
          f"proselint {spread(rows['pc'])}  peak {rss['pc']:.0f} MB")  # fmt: skip
    print(f"  proselint / nudge: {statistics.median(ratios):.1f}x "
          f"({min(ratios):.1f}–{max(ratios):.1f}x)")  # fmt: skip
    print(f"nudge lsp didOpen -> first diagnostics: {spread(rows['lsp'], 'ms')}; "
          f"with an empty cache {cold_lsp * 1000:.0f} ms")  # fmt: skip
    print(f"  process start -> first diagnostics: {spread(rows['up'], 'ms')}; "
          f"with an empty cache {cold_up * 1000:.0f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
