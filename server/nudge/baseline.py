"""Baselines for CI: the findings a repository accepted, so a check fails only on new ones.

A finding's fingerprint is its file (relative to the workspace root), its rule, its
quote (case folded) and the text around it (`store.CONTEXT_CHARS` each side, spacing
folded), never its line or column, so edits elsewhere in a file leave old findings
old. A finding matches a baseline entry with the same file, rule and quote whose
context is close enough (`store.Dismissal.matches`, the test dismissals use); each
entry accepts one finding, so a second copy of an accepted phrase is new. The file is
JSON, sorted, so its diffs read well in review.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nudge.model import Finding
from nudge.store import Dismissal

if TYPE_CHECKING:
    from nudge.check import FileReport

FORMAT = "nudge-baseline/1"


def relative_path(path: str, root: Path) -> str:
    """Return `path` relative to `root` in POSIX form (as given when outside it)."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def fingerprint(text: str, finding: Finding, path: str) -> dict[str, str]:
    """Return the baseline entry of one finding (absolute offsets into `text`)."""
    d = Dismissal.of(text, finding)
    entry = {"path": path, "rule": finding.rule, "category": finding.category,
             "quote": _squeeze(d.quote), "before": _squeeze(d.before),
             "after": _squeeze(d.after)}  # fmt: skip
    blob = "\0".join(entry[k] for k in ("path", "rule", "quote", "before", "after"))
    entry["fingerprint"] = hashlib.blake2b(blob.encode(), digest_size=10).hexdigest()
    return entry


def entries(reports: Iterable[FileReport], root: Path) -> list[dict[str, str]]:
    """Return the baseline entries of every finding shown in the reports, sorted."""
    out = [
        fingerprint(r.text, f, relative_path(r.path, root))
        for r in reports if not r.error for f in r.findings
    ]  # fmt: skip
    return sorted(out, key=lambda e: (e["path"], e["rule"], e["quote"], e["fingerprint"]))


def write_baseline(path: Path, reports: Iterable[FileReport], root: Path) -> int:
    """Write the baseline of the reports' findings; return how many it holds."""
    items = entries(reports, root)
    data = {"format": FORMAT, "findings": items}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return len(items)


def read_baseline(path: Path) -> list[dict[str, str]]:
    """Return a baseline file's entries; raise ValueError if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise ValueError(f"{path} is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a Nudge baseline ({FORMAT})")
    found = data.get("findings")
    keys = ("path", "rule", "category", "quote", "before", "after")
    if not isinstance(found, list) or not all(
        isinstance(e, dict) and all(isinstance(e.get(k), str) for k in keys) for e in found
    ):
        raise ValueError(f"{path}: findings must be a list of baseline entries")
    return found


def _dismissal(entry: dict[str, str]) -> Dismissal:
    return Dismissal(entry["category"], entry["quote"], entry["before"], entry["after"])


def drop_accepted(reports: Iterable[FileReport], baseline: list[dict[str, str]], root: Path) -> int:
    """Remove from each report the findings the baseline accepts; return how many."""
    by_key: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for entry in baseline:
        by_key.setdefault((entry["path"], entry["rule"], entry["quote"]), []).append(entry)
    accepted = 0
    for report in reports:
        if report.error:
            continue
        rel, kept = relative_path(report.path, root), []
        for finding in report.findings:
            probe = fingerprint(report.text, finding, rel)
            pool = by_key.get((rel, probe["rule"], probe["quote"]), [])
            match = next((e for e in pool if _dismissal(e).matches(_dismissal(probe))), None)
            if match is None:
                kept.append(finding)
            else:
                pool.remove(match)
                accepted += 1
        report.findings = tuple(kept)
    return accepted


def add_arguments(parser: Any) -> None:
    """Declare the baseline options shared by `nudge check` and `nudge review`."""
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="show and fail only on findings this baseline does not accept",
    )
    parser.add_argument("--write-baseline", type=Path, metavar="FILE",
                        help="record the findings shown as the accepted baseline")  # fmt: skip


def apply_options(args: Any, reports: list[FileReport], root: Path, err: Any) -> bool:
    """Write and/or apply the baseline the options name; return False on a bad file."""
    if getattr(args, "write_baseline", None):
        count = write_baseline(args.write_baseline, reports, root)
        err.write(f"nudge: wrote {count} finding(s) to the baseline {args.write_baseline}\n")
    if getattr(args, "baseline", None):
        try:
            accepted = drop_accepted(reports, read_baseline(args.baseline), root)
        except ValueError as exc:
            err.write(f"nudge: {exc}\n")
            return False
        err.write(f"nudge: {accepted} finding(s) accepted by the baseline {args.baseline}\n")
    return True
