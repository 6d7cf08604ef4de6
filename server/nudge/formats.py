"""How `nudge check` prints findings: text, JSON, SARIF for code scanning, GitHub annotations.

Every writer takes the checked reports, a stream and the settings, and prints every
finding once. Severity comes from the settings that governed each file (its nearest
`.nudge.toml`). SARIF and GitHub output name files relative to the source root: the
nearest folder at or above the current one that holds `.git`, else the current
folder, which is what GitHub resolves paths against (the repository root).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from nudge import __version__
from nudge.positions import UTF16, PositionMapper
from nudge.rules import describe, project_urls

if TYPE_CHECKING:
    from nudge.check import FileReport
    from nudge.model import Finding
    from nudge.settings import Settings

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
GITHUB_COMMAND = {"error": "error", "warning": "warning", "information": "notice",
                  "hint": "notice"}  # fmt: skip


def severity_of(report: FileReport, f: Finding, settings: Settings) -> str:
    """Return a finding's severity under the settings that governed its file."""
    governing = report.settings or settings
    return governing.severity.get(f.category, "information")


def source_root(start: Path) -> Path:
    """Return the nearest folder at or above `start` holding `.git`, else `start`."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return start


def relative_path(path: str, root: Path) -> str | None:
    """Return `path` relative to `root` with forward slashes, or None when outside it."""
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


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
        "severity": severity_of(report, f, settings),
        "rule": f.rule,
        "critic": f.critic,
    }


def _fix(f: Finding) -> str:
    return f" (→ {f.replacement or '(delete)'})" if f.replacement is not None else ""


def write_text(reports: Sequence[FileReport], out: TextIO, settings: Settings) -> None:
    """Print findings one per line, linter style."""
    for report in reports:
        if report.error:
            continue
        mapper = PositionMapper(report.text, "utf-32")
        for f in report.findings:
            line, col = mapper.position(f.start)
            out.write(f"{report.path}:{line + 1}:{col + 1}: {f.category}: {f.message}{_fix(f)}\n")


def write_json(reports: Sequence[FileReport], out: TextIO, settings: Settings) -> None:
    """Print every finding as one JSON list (ranges in UTF-16)."""
    items = []
    for report in reports:
        mapper = PositionMapper(report.text, UTF16)
        items += [finding_json(report, mapper, f, settings) for f in report.findings]
    json.dump(items, out, ensure_ascii=False, indent=2)
    out.write("\n")


def sarif_rule(rule: str, level: str) -> dict[str, Any]:
    """Return the SARIF reportingDescriptor for a rule id."""
    info = describe(rule)
    out: dict[str, Any] = {
        "id": info.id,
        "name": info.id,
        "shortDescription": {"text": info.short},
        "fullDescription": {"text": info.full},
        "help": {"text": info.full, "markdown": info.full},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["prose", info.kind]},
    }
    if info.help_uri:
        out["help"] = {"text": f"{info.full} See {info.help_uri}",
                       "markdown": f"{info.full} [Read more]({info.help_uri})."}  # fmt: skip
        out["helpUri"] = info.help_uri
    return out


def _artifact(path: str, root: Path) -> dict[str, str]:
    relative = relative_path(path, root)
    if relative is None:  # outside the source root: an absolute file URI, with no base
        return {"uri": Path(path).resolve().as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def sarif_log(reports: Sequence[FileReport], settings: Settings, root: Path) -> dict[str, Any]:
    """Return a SARIF 2.1.0 log that GitHub code scanning accepts."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for report in reports:
        mapper = PositionMapper(report.text, "utf-32")
        for f in report.findings:
            (sl, sc), (el, ec) = mapper.position(f.start), mapper.position(f.end)
            level = SARIF_LEVEL[severity_of(report, f, settings)]
            if f.rule not in rules:
                rules[f.rule] = sarif_rule(f.rule, level)
            results.append({
                "ruleId": f.rule,
                "ruleIndex": list(rules).index(f.rule),
                "level": level,
                "message": {"text": f.message + _fix(f)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": _artifact(report.path, root),
                    "region": {"startLine": sl + 1, "startColumn": sc + 1,
                               "endLine": el + 1, "endColumn": ec + 1},
                }}],
                "properties": {"category": f.category, "confidence": round(f.confidence, 4),
                               "replacement": f.replacement, "critic": f.critic},
            })  # fmt: skip
    driver: dict[str, Any] = {
        "name": "nudge", "version": __version__, "semanticVersion": __version__,
        "rules": list(rules.values()),
    }  # fmt: skip
    if homepage := project_urls().get("Homepage"):
        driver["informationUri"] = homepage
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [run]}


def write_sarif(
    reports: Sequence[FileReport], out: TextIO, settings: Settings, root: Path | None = None
) -> None:
    """Print findings as a SARIF 2.1.0 log, paths relative to the source root."""
    log = sarif_log(reports, settings, root or source_root(Path.cwd()))
    json.dump(log, out, ensure_ascii=False, indent=2)
    out.write("\n")


def escape_data(text: str) -> str:
    """Escape a workflow command's message: `%`, carriage return and line feed."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value: as data, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(report: FileReport, mapper: PositionMapper, f: Finding, settings: Settings,
                   root: Path) -> str:  # fmt: skip
    """Return one GitHub Actions workflow command (an annotation) for a finding."""
    (sl, sc), (el, ec) = mapper.position(f.start), mapper.position(f.end)
    path = relative_path(report.path, root) or Path(report.path).as_posix()
    # GitHub takes columns only when an annotation starts and ends on one line; its end
    # column is the last character's (1-based, inclusive), so the exclusive 0-based end.
    one_line = sl == el
    props = [("file", path), ("line", str(sl + 1)), ("col", str(sc + 1)) if one_line else None,
             ("endLine", str(el + 1)), ("endColumn", str(ec)) if one_line else None,
             ("title", f"nudge {f.category} ({f.rule})")]  # fmt: skip
    head = ",".join(f"{p[0]}={escape_property(p[1])}" for p in props if p is not None)
    command = GITHUB_COMMAND[severity_of(report, f, settings)]
    return f"::{command} {head}::{escape_data(f.message + _fix(f))}"


def write_github(
    reports: Sequence[FileReport], out: TextIO, settings: Settings, root: Path | None = None
) -> None:
    """Print findings as GitHub Actions annotations, one workflow command per line."""
    root = root or source_root(Path.cwd())
    for report in reports:
        mapper = PositionMapper(report.text, "utf-32")
        for f in report.findings:
            out.write(github_command(report, mapper, f, settings, root) + "\n")


WRITERS = {"text": write_text, "json": write_json, "sarif": write_sarif, "github": write_github}
