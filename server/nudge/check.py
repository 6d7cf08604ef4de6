"""`nudge check`: the pipeline once over files, printed like a linter.

Text output is `path:line:col: category: message (→ replacement)` with 1-based
line and column (in characters). `--format json` prints one JSON list whose
fields are documented in the README and kept stable; `--format sarif` prints
SARIF 2.1.0 for code-scanning tools. Exit status: 0 when nothing at or above
`--fail-level` was found, 1 when something was, 2 when a file could not be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from nudge import __version__
from nudge.critics.base import CritiqueRequest
from nudge.engine import critique_text, merge_findings, select_findings
from nudge.exclude import is_path_excluded
from nudge.grading import keep_shown
from nudge.model import Finding
from nudge.positions import UTF16, PositionMapper
from nudge.results_cache import ResultsCache, cache_key
from nudge.scheduler import estimate_tokens
from nudge.segment import language_for_path
from nudge.settings import TEAM_FILE, Settings, load_settings
from nudge.telemetry import Telemetry

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
LEVELS = {"hint": 0, "information": 1, "warning": 2, "error": 3, "none": 99}


@dataclass
class FileReport:
    """The findings for one file, or why it could not be checked."""

    path: str
    text: str = ""
    findings: tuple[Finding, ...] = ()
    error: str = ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare `nudge check`'s options."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--critic", choices=("local", "claude", "merged"), default="local",
                        help="local (offline, default), claude, or both merged")  # fmt: skip
    parser.add_argument("--language", help="treat every file as this language id")
    parser.add_argument("--min-confidence", type=float, help="override minConfidence (0..1)")
    parser.add_argument(
        "--fail-level",
        choices=("hint", "information", "warning", "error", "none"),
        default="hint",
        help="exit 1 when a finding of this severity or higher is shown (default: any)",
    )
    parser.add_argument("--root", type=Path, help=f"workspace root holding {TEAM_FILE}")


def find_root(start: Path) -> Path:
    """Return the nearest folder at or above `start` holding a team file, else `start`."""
    for folder in [start, *start.parents]:
        if (folder / TEAM_FILE).is_file():
            return folder
    return start


def iter_files(paths: list[str], settings: Settings, root: Path) -> Iterator[tuple[Path, bool]]:
    """Yield (file, named) for each path; folders yield their prose files."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and d[0] != ".")
                for name in sorted(filenames):
                    candidate = Path(dirpath) / name
                    if language_for_path(name) and not _excluded(candidate, settings, root):
                        yield candidate, False
        else:
            yield path, True


def _excluded(path: Path, settings: Settings, root: Path) -> bool:
    return is_path_excluded(path, root, settings.exclude)


def read_text(path: Path) -> tuple[str, str]:
    """Return (text, error) for a file, refusing binary and non-UTF-8 content."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return "", f"cannot read: {exc.strerror or exc}"
    if b"\0" in data[:8192]:
        return "", "binary file (contains NUL bytes); skipped"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return "", f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at byte {exc.start}); skipped"
    return text, ""


def make_critic(name: str, settings: Settings) -> object:
    """Return the critic `nudge check --critic NAME` asks for."""
    from nudge.critics.local import LocalCritic

    if name == "local":
        return LocalCritic()
    if not (os.environ.get("ANTHROPIC_API_KEY") or "").strip():
        print(
            f"nudge: --critic {name} needs Claude: set ANTHROPIC_API_KEY (or use --critic local)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return BatchedClaude(settings, LocalCritic() if name == "merged" else None)


class BatchedClaude:
    """Claude for `nudge check`: batches under the token cap, cache first, keep_shown.

    With a local critic it is the `merged` critic: local and graded Claude findings,
    the same words in the same category shown once (the Claude one preferred).
    """

    def __init__(self, settings: Settings, local: object | None = None):
        self.settings, self.local = settings, local
        self.name = "merged" if local is not None else "claude"

    async def critique(self, batch: Sequence[CritiqueRequest]) -> list[list[Finding]]:
        """Return shown findings per request, relative to each block."""
        from nudge.critics.claude import ClaudeCritic, ClaudeUnavailable
        from nudge.store import default_cache_dir

        directory = default_cache_dir()
        telemetry = Telemetry(directory / "telemetry.jsonl")
        critic = ClaudeCritic.from_settings(self.settings, telemetry=telemetry)
        assert critic is not None  # make_critic checked the key
        cache = ResultsCache(directory / "results")
        identity = critic.cache_identity()
        results: dict[str, list[Finding]] = {}
        todo = []
        for request in batch:
            cached = cache.get(cache_key(identity, request.block.hash))
            if cached is None:
                todo.append(request)
            else:
                results[request.block.hash] = cached
        if len(todo) < len(batch):
            telemetry.record("cache_hit", blocks=len(batch) - len(todo))
        try:
            for chunk in _chunks(todo, self.settings.batch_token_cap):
                for request, found in zip(chunk, await critic.critique(chunk), strict=False):
                    cache.put(cache_key(identity, request.block.hash), found)
                    results[request.block.hash] = found
        except ClaudeUnavailable as exc:
            print(f"nudge: Claude is unavailable: {exc.reason}", file=sys.stderr)
            raise SystemExit(2) from None
        finally:
            close = getattr(critic.caller.client, "close", None)
            if close is not None:
                await close()
        out = []
        for request in batch:
            shown = keep_shown(results.get(request.block.hash, []), self.settings)
            if self.local is not None:
                shown = merge_findings(self.local.check_block(request.block), shown)  # type: ignore[attr-defined]
            out.append(shown)
        return out


def _chunks(requests: list[CritiqueRequest], cap: int) -> Iterator[list[CritiqueRequest]]:
    chunk: list[CritiqueRequest] = []
    tokens = 0
    for request in requests:
        size = estimate_tokens(request.block)
        if chunk and tokens + size > cap:
            yield chunk
            chunk, tokens = [], 0
        chunk.append(request)
        tokens += size
    if chunk:
        yield chunk


def check_file(path: Path, critic: object, settings: Settings, language: str | None) -> FileReport:
    """Check one file."""
    text, error = read_text(path)
    if error:
        return FileReport(str(path), error=error)
    if len(text) > settings.max_document_size:
        return FileReport(
            str(path), error=f"{len(text):,} characters is over maxDocumentSize; skipped"
        )
    lang = language or language_for_path(path.name) or "plaintext"
    found = select_findings(critique_text(text, lang, critic), settings)  # type: ignore[arg-type]
    return FileReport(str(path), text, tuple(found))


def finding_json(
    report: FileReport, mapper: PositionMapper, f: Finding, settings: Settings
) -> dict:
    """Return the documented JSON object for one finding."""
    (sl, sc), (el, ec) = mapper.position(f.start), mapper.position(f.end)
    return {
        "path": report.path,
        "category": f.category,
        "message": f.message,
        "replacement": f.replacement,
        "confidence": round(f.confidence, 4),
        "quote": f.quote,
        "start": f.start,
        "end": f.end,
        "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
        "severity": settings.severity.get(f.category, "information"),
        "rule": f.rule,
        "critic": f.critic,
    }


def write_text(reports: list[FileReport], out: TextIO, settings: Settings) -> None:
    """Print findings one per line, linter style."""
    for report in reports:
        if report.error:
            continue
        mapper = PositionMapper(report.text, "utf-32")
        for f in report.findings:
            line, col = mapper.position(f.start)
            fix = f" (→ {f.replacement or '(delete)'})" if f.replacement is not None else ""
            out.write(f"{report.path}:{line + 1}:{col + 1}: {f.category}: {f.message}{fix}\n")


def write_json(reports: list[FileReport], out: TextIO, settings: Settings) -> None:
    """Print every finding as one JSON list (ranges in UTF-16)."""
    items = []
    for report in reports:
        mapper = PositionMapper(report.text, UTF16)
        items += [finding_json(report, mapper, f, settings) for f in report.findings]
    json.dump(items, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_sarif(reports: list[FileReport], out: TextIO, settings: Settings) -> None:
    """Print findings as a SARIF 2.1.0 log."""
    level = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
    results = []
    for report in reports:
        mapper = PositionMapper(report.text, "utf-32")
        for f in report.findings:
            (sl, sc), (el, ec) = mapper.position(f.start), mapper.position(f.end)
            results.append({
                "ruleId": f.rule,
                "level": level[settings.severity.get(f.category, "information")],
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": Path(report.path).as_posix()},
                    "region": {"startLine": sl + 1, "startColumn": sc + 1,
                               "endLine": el + 1, "endColumn": ec + 1},
                }}],
                "properties": {"category": f.category, "confidence": round(f.confidence, 4),
                               "replacement": f.replacement},
            })  # fmt: skip
    log = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{"tool": {"driver": {"name": "nudge", "version": __version__}},
                  "columnKind": "unicodeCodePoints", "results": results}],
    }  # fmt: skip
    json.dump(log, out, ensure_ascii=False, indent=2)
    out.write("\n")


def run(args: argparse.Namespace) -> int:
    """Run `nudge check` and return its exit status."""
    root = args.root or find_root(Path.cwd())
    settings, problems = load_settings(root)
    for problem in problems:
        print(f"nudge: warning: {problem}", file=sys.stderr)
    if args.min_confidence is not None:
        if not 0 <= args.min_confidence <= 1:
            print("nudge: --min-confidence must be between 0 and 1", file=sys.stderr)
            return 2
        settings.min_confidence = args.min_confidence
    critic = make_critic(args.critic, settings)
    reports: list[FileReport] = []
    for path, named in iter_files(args.paths, settings, root):
        if named and not path.exists():
            reports.append(FileReport(str(path), error="no such file or folder"))
            continue
        reports.append(check_file(path, critic, settings, args.language))
    for report in reports:
        if report.error:
            print(f"{report.path}: error: {report.error}", file=sys.stderr)
    writer = {"text": write_text, "json": write_json, "sarif": write_sarif}[args.format]
    writer(reports, sys.stdout, settings)
    if any(r.error for r in reports):
        return 2
    threshold = LEVELS[args.fail_level]
    shown = [
        f for r in reports for f in r.findings
        if LEVELS[settings.severity.get(f.category, "information")] >= threshold
    ]  # fmt: skip
    return 1 if shown else 0
