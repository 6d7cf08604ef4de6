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
from nudge.engine import document_context, visible_findings
from nudge.languages import language_for_path
from nudge.model import Finding
from nudge.positions import UTF16, PositionMapper
from nudge.segment import split_blocks
from nudge.settings import TEAM_FILE, Settings, is_excluded, load_settings

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
LEVELS = {"hint": 0, "information": 1, "warning": 2, "error": 3, "none": 99}


@dataclass
class FileReport:
    """The findings for one file, or why it could not be checked."""

    path: str
    text: str = ""
    findings: tuple[Finding, ...] = ()
    error: str = ""
    language: str = "plaintext"


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
        elif not _excluded(path, settings, root):
            yield path, True


def _excluded(path: Path, settings: Settings, root: Path) -> bool:
    if not settings.exclude:
        return False
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    return is_excluded(relative, settings.exclude)


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


def read_report(path: Path, settings: Settings, language: str | None) -> FileReport:
    """Read one file for checking, or say why it cannot be checked."""
    text, error = read_text(path)
    if error:
        return FileReport(str(path), error=error)
    if len(text) > settings.max_document_size:
        return FileReport(
            str(path), error=f"{len(text):,} characters is over maxDocumentSize; skipped"
        )
    return FileReport(str(path), text, language=language or language_for_path(path.name)
                      or "plaintext")  # fmt: skip


def claude_findings(
    reports: Sequence[FileReport], settings: Settings, mode: str, root: Path | None = None
) -> tuple[dict[str, list[Finding]], str]:
    """Review every block with Claude through the review service; return (by hash, problem)."""
    import asyncio

    from nudge.scheduler import worth_sending  # only Claude needs these: keep start-up light
    from nudge.service import DocumentBlocks, ReviewService
    from nudge.store import default_cache_dir
    from nudge.style import load_style_guide
    from nudge.telemetry import Telemetry

    directory = default_cache_dir()
    style, warning = load_style_guide(root, settings.style_guide)
    if warning:
        print(f"nudge: warning: {warning}", file=sys.stderr)

    async def ignore(uri: str, block_hash: str, findings: list[Finding]) -> None:
        return None

    async def review() -> tuple[dict[str, list[Finding]], str]:
        service = ReviewService.start(
            settings, os.environ, directory, ignore,
            telemetry=Telemetry(directory / "telemetry.jsonl"), style=style,
        )  # fmt: skip
        if service is None:
            return {}, "no key"
        documents = []
        for r in reports:
            blocks = split_blocks(r.text, r.language)
            documents.append(
                DocumentBlocks(r.path, blocks, document_context(r.path, r.language, blocks))
            )
        try:
            found = await service.review_all(documents)
            status = service.status()
        finally:
            await service.aclose()
        wanted = {b.hash for d in documents for b in d.blocks if worth_sending(b)}
        missing = len(wanted - found.keys())
        problem = f"{missing} of {len(wanted)} blocks not reviewed ({status.message})"
        return found, problem if missing else ""

    found, problem = asyncio.run(review())
    if problem == "no key":
        print(f"nudge: --critic {mode} needs Claude: set ANTHROPIC_API_KEY (or use --critic "
              "local)", file=sys.stderr)  # fmt: skip
        raise SystemExit(2)
    return found, problem


def check_reports(
    reports: list[FileReport], settings: Settings, mode: str, root: Path | None = None
) -> str:
    """Fill each readable report's shown findings; return a Claude problem, if any."""
    from nudge.critics.registry import make_critic

    readable = [r for r in reports if not r.error]
    remote: dict[str, list[Finding]] = {}
    problem = ""
    if mode != "local":
        from nudge.critics.models import model_warnings

        for warning in model_warnings(settings):
            print(f"nudge: warning: {warning}", file=sys.stderr)
        remote, problem = claude_findings(readable, settings, mode, root)
    local = make_critic("local", settings) if mode != "claude" else None
    for report in readable:
        mine, theirs = [], []
        for block in split_blocks(report.text, report.language):
            if local is not None:
                mine.extend(f.shifted(block.start) for f in local.check_block(block))
            theirs.extend(f.shifted(block.start) for f in remote.get(block.hash, ()))
        report.findings = tuple(visible_findings(mine, theirs, settings))
    return problem


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
    reports: list[FileReport] = []
    for path, named in iter_files(args.paths, settings, root):
        if named and not path.exists():
            reports.append(FileReport(str(path), error="no such file or folder"))
            continue
        reports.append(read_report(path, settings, args.language))
    problem = check_reports(reports, settings, args.critic, root)
    for report in reports:
        if report.error:
            print(f"{report.path}: error: {report.error}", file=sys.stderr)
    if problem and args.critic == "merged":
        print(f"nudge: warning: Claude: {problem}; local findings shown", file=sys.stderr)
    elif problem:
        print(f"nudge: Claude: {problem}", file=sys.stderr)
    writer = {"text": write_text, "json": write_json, "sarif": write_sarif}[args.format]
    writer(reports, sys.stdout, settings)
    if any(r.error for r in reports) or (problem and args.critic == "claude"):
        return 2
    threshold = LEVELS[args.fail_level]
    shown = [
        f for r in reports for f in r.findings
        if LEVELS[settings.severity.get(f.category, "information")] >= threshold
    ]  # fmt: skip
    return 1 if shown else 0
