"""`nudge check`: the pipeline once over files, printed like a linter.

Text output is `path:line:col: category: message (→ replacement)` with 1-based
line and column (in characters); `--format json|sarif|github` print the other forms
(`nudge.formats`). Each file is checked under the nearest `.nudge.toml` at or above its
folder (`--root` forces one). `-` reads standard input. With `--baseline FILE` only
findings the baseline does not accept are shown and counted (`baseline.py`). Exit
status: 0 when nothing at or above `--fail-level` was found, 1 when something was, 2
when a file (or the baseline) could not be read.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from nudge import baseline
from nudge.engine import document_context, visible_findings
from nudge.exclude import is_path_excluded
from nudge.formats import WRITERS, finding_json, severity_of, write_json, write_sarif, write_text
from nudge.languages import LANGUAGES, canonical_language, language_for_path
from nudge.model import Finding
from nudge.segment import split_blocks
from nudge.settings import TEAM_FILE, Settings, load_settings
from nudge.usage import epilog, language_list

__all__ = [  # the writers moved to nudge.formats; importing them from here still works
    "FileReport", "Workspaces", "check_reports", "find_root", "finding_json", "iter_files",
    "read_report", "read_text", "run", "write_json", "write_sarif", "write_text",
]  # fmt: skip

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
LEVELS = {"hint": 0, "information": 1, "warning": 2, "error": 3, "none": 99}
STDIN = "-"
STDIN_NAME = "<stdin>"
EXIT_STATUSES = [
    ("0", "nothing shown at or above --fail-level"),
    ("1", "something was (the default --fail-level, hint, means any finding)"),
    ("2", "a file could not be read (binary, not UTF-8, missing, over maxDocumentSize), "
          "or Claude was needed and unavailable"),
]  # fmt: skip
FORMATS = (
    "text (path:line:col: category: message), json (stable fields, see README), "
    "sarif (SARIF 2.1.0 for GitHub code scanning), github (GitHub Actions annotations)"
)


@dataclass
class FileReport:
    """The findings for one file, or why it could not be checked."""

    path: str
    text: str = ""
    findings: tuple[Finding, ...] = ()
    error: str = ""
    language: str = "plaintext"
    settings: Settings | None = None  # the settings that governed this file, when known


def language_id(value: str) -> str:
    """Return the language id for an id or alias; reject anything else, naming the valid ones."""
    language = canonical_language(value.strip().lower())
    if language not in {lang.id for lang in LANGUAGES}:
        raise argparse.ArgumentTypeError(
            f"unknown language {value!r}; valid ids (aliases): {language_list()}"
        )
    return language


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare `nudge check`'s options."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders to check; - reads standard input")  # fmt: skip
    parser.add_argument("--format", choices=tuple(WRITERS), default="text")
    parser.add_argument("--critic", choices=("local", "claude", "merged"), default="local",
                        help="local (offline, default), claude, or both merged")  # fmt: skip
    parser.add_argument("--language", type=language_id, metavar="ID",
                        help="treat every file as this language id (see below)")  # fmt: skip
    parser.add_argument("--min-confidence", type=float, help="override minConfidence (0..1)")
    parser.add_argument(
        "--fail-level",
        choices=("hint", "information", "warning", "error", "none"),
        default="hint",
        help="exit 1 when a finding of this severity or higher is shown (default: any)",
    )
    parser.add_argument("--root", type=Path, help=f"use this folder's {TEAM_FILE} for every "
                        "file (default: the nearest one above each file)")  # fmt: skip
    parser.add_argument("--stdin-filename", metavar="NAME", help="name standard input: its "
                        f"language, {TEAM_FILE} lookup and printed path")  # fmt: skip
    baseline.add_arguments(parser)
    parser.epilog = epilog(EXIT_STATUSES, FORMATS)


def find_root(start: Path) -> Path:
    """Return the nearest folder at or above `start` holding a team file, else `start`."""
    for folder in [start, *start.parents]:
        if (folder / TEAM_FILE).is_file():
            return folder
    return start


class Workspaces:
    """The settings for each file: from the nearest team file above it, each read once."""

    def __init__(self, forced_root: Path | None = None, min_confidence: float | None = None):
        self.forced_root = forced_root
        self.min_confidence = min_confidence
        self._roots: dict[Path, Path] = {}
        self._settings: dict[Path, Settings] = {}

    def root_for(self, path: Path) -> Path:
        """Return the workspace root governing `path` (a file, maybe not yet existing)."""
        if self.forced_root is not None:
            return self.forced_root
        folder = path.absolute() if path.is_dir() else path.absolute().parent
        if folder not in self._roots:
            self._roots[folder] = find_root(folder)
        return self._roots[folder]

    def root_of(self, settings: Settings) -> Path | None:
        """Return the root whose team file gave these settings (None for stdin defaults)."""
        return next((root for root, s in self._settings.items() if s is settings), None)

    def settings_for(self, root: Path) -> Settings:
        """Return a root's settings, printing its team file's problems the first time."""
        if root not in self._settings:
            settings, problems = load_settings(root)
            for problem in problems:
                print(f"nudge: warning: {problem}", file=sys.stderr)
            if self.min_confidence is not None:
                settings.min_confidence = self.min_confidence
            self._settings[root] = settings
        return self._settings[root]


def walk_paths(paths: list[str]) -> Iterator[tuple[Path, bool]]:
    """Yield (file, named) for each path; folders yield their prose files, sorted."""
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path, True
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and d[0] != ".")
            for name in sorted(filenames):
                if language_for_path(name):
                    yield Path(dirpath) / name, False


def iter_files(paths: list[str], settings: Settings, root: Path) -> Iterator[tuple[Path, bool]]:
    """Yield (file, named) for each path not excluded by `settings` under one root."""
    for path, named in walk_paths(paths):
        if not excluded(path, settings, root):
            yield path, named


def excluded(path: Path, settings: Settings, root: Path) -> bool:
    """Tell whether `exclude` globs (relative to `root`) rule `path` out."""
    return is_path_excluded(path, root, settings.exclude)


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, error) for raw bytes, refusing binary and non-UTF-8 content."""
    if b"\0" in data[:8192]:
        return "", "binary file (contains NUL bytes); skipped"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return "", f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at byte {exc.start}); skipped"
    return text, ""


def read_text(path: Path) -> tuple[str, str]:
    """Return (text, error) for a file, refusing binary and non-UTF-8 content."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return "", f"cannot read: {exc.strerror or exc}"
    return decode_text(data)


def make_report(
    name: str, text: str, error: str, settings: Settings, language: str | None
) -> FileReport:
    """Return the report for one decoded text, or say why it cannot be checked."""
    if not error and len(text) > settings.max_document_size:
        error = f"{len(text):,} characters is over maxDocumentSize; skipped"
    if error:
        return FileReport(name, error=error, settings=settings)
    language = language or language_for_path(Path(name).name) or "plaintext"
    return FileReport(name, text, language=language, settings=settings)


def read_report(path: Path, settings: Settings, language: str | None) -> FileReport:
    """Read one file for checking, or say why it cannot be checked."""
    return make_report(str(path), *read_text(path), settings, language)


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
            telemetry=Telemetry(directory / "telemetry.jsonl", enabled=settings.telemetry),
            style=style,
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


def gather(args: argparse.Namespace, workspaces: Workspaces) -> list[FileReport]:
    """Read every file (and standard input) named on the command line, each under its settings."""
    reports: list[FileReport] = []
    for path, named in walk_paths([p for p in args.paths if p != STDIN]):
        root = workspaces.root_for(path)
        settings = workspaces.settings_for(root)
        if excluded(path, settings, root):
            continue
        if named and not path.exists():
            reports.append(FileReport(str(path), error="no such file or folder"))
        else:
            reports.append(read_report(path, settings, args.language))
    if STDIN in args.paths or not args.paths:
        name = args.stdin_filename or STDIN_NAME
        root = workspaces.root_for(Path(name))
        settings = workspaces.settings_for(root)
        if not (args.stdin_filename and excluded(Path(name), settings, root)):
            text, error = decode_text(sys.stdin.buffer.read())
            reports.append(make_report(name, text, error, settings, args.language))
    return reports


def usage_problem(args: argparse.Namespace) -> str:
    """Return what is wrong with the arguments, or an empty string."""
    if args.min_confidence is not None and not 0 <= args.min_confidence <= 1:
        return "--min-confidence must be between 0 and 1"
    if not args.paths and not args.stdin_filename:
        return "give a PATH to check, or - to read standard input"
    if args.paths.count(STDIN) > 1:
        return "- (standard input) can be given once"
    return ""


def run(args: argparse.Namespace) -> int:
    """Run `nudge check` and return its exit status."""
    if problem := usage_problem(args):
        print(f"nudge: {problem}", file=sys.stderr)
        return 2
    workspaces = Workspaces(args.root, args.min_confidence)
    reports = gather(args, workspaces)
    groups: dict[int, list[FileReport]] = {}
    for report in reports:
        groups.setdefault(id(report.settings), []).append(report)
    problem = ""
    for group in groups.values():
        settings = group[0].settings or Settings()
        root = workspaces.root_of(settings)
        problem = check_reports(group, settings, args.critic, root) or problem
    for report in reports:
        if report.error:
            print(f"{report.path}: error: {report.error}", file=sys.stderr)
    if problem and args.critic == "merged":
        print(f"nudge: warning: Claude: {problem}; local findings shown", file=sys.stderr)
    elif problem:
        print(f"nudge: Claude: {problem}", file=sys.stderr)
    if not baseline.apply_options(args, reports, args.root or find_root(Path.cwd()), sys.stderr):
        return 2
    default = Settings()  # every readable report carries the settings that governed it
    WRITERS[args.format](reports, sys.stdout, default)
    if any(r.error for r in reports) or (problem and args.critic == "claude"):
        return 2
    threshold = LEVELS[args.fail_level]
    shown = [
        f for r in reports for f in r.findings
        if LEVELS[severity_of(r, f, default)] >= threshold
    ]  # fmt: skip
    return 1 if shown else 0
