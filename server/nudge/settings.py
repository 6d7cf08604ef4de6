"""Typed settings with every default in one place.

Settings come from three layers, later ones winning key by key: the defaults below,
the team's `.nudge.toml` at the workspace root, and the editor's `nudge` section
(initializationOptions, `workspace/configuration`, `didChangeConfiguration`).
Editor keys are camelCase (`minConfidence`), team-file keys snake_case
(`min_confidence`); both map onto the same field. A value of the wrong type is
reported by key (and line, for the team file) and that key alone falls back.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nudge.exclude import pattern_problem
from nudge.languages import LANGUAGE_IDS
from nudge.model import ALL_CATEGORIES
from nudge.safe_io import inside, read_small_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TEAM_FILE = ".nudge.toml"
TEAM_FILE_LIMIT = 1_000_000  # bytes; a team file is a few lines
MAX_LIST = 1000
MAX_ITEM = 1000
SEVERITIES = ("error", "warning", "information", "hint")
TRIGGERS = ("onType", "onSave", "manual")
EFFORTS = ("auto", "low", "medium", "high", "xhigh", "max")
LANGUAGES = LANGUAGE_IDS


def _doc(text: str, **extra: Any) -> dict[str, Any]:
    return {"doc": text, **extra}


@dataclass
class Settings:
    """Everything a user or team can tune; each field documents itself."""

    enabled_categories: list[str] = field(
        default_factory=lambda: list(ALL_CATEGORIES),
        metadata=_doc("Categories of suggestion to show.", choices=ALL_CATEGORIES),
    )
    min_confidence: float = field(
        default=0.5,
        metadata=_doc(
            "Overall minimum confidence (0..1) for a suggestion to be shown.", lo=0, hi=1
        ),
    )
    category_min_confidence: dict[str, float] = field(
        default_factory=dict,
        metadata=_doc(
            'Per-category minimum confidence, e.g. {"clarity": 0.8}; the higher of this '
            "and minConfidence applies.",
            keys=ALL_CATEGORIES,
            lo=0,
            hi=1,
        ),
    )
    severity: dict[str, str] = field(
        default_factory=lambda: {
            "cliche": "information",
            "wordiness": "information",
            "clarity": "information",
            "redundancy": "information",
        },
        metadata=_doc("Diagnostic severity per category.", keys=ALL_CATEGORIES, choices=SEVERITIES),
    )
    languages: list[str] = field(
        default_factory=lambda: list(LANGUAGES),
        metadata=_doc("Language ids Nudge checks.", choices=LANGUAGES),
    )
    exclude: list[str] = field(
        default_factory=list,
        metadata=_doc(
            "Patterns (.gitignore syntax, relative to the workspace) of files never checked "
            "or sent; the editor's patterns add to the team's.",
            globs=True,
        ),
    )
    ignored_phrases: list[str] = field(
        default_factory=list,
        metadata=_doc("Phrases never flagged in this workspace (quick fix: ignore everywhere)."),
    )
    ignored_rules: list[str] = field(
        default_factory=list,
        metadata=_doc(
            'Rule ids never flagged in this workspace, e.g. ["wordy:basically"] (quick fix: '
            "ignore this rule; each rule is listed in docs/rules.md)."
        ),
    )
    telemetry: bool = field(
        default=True,
        metadata=_doc(
            "Keep a local log of suggestion outcomes, tokens and cost (telemetry.jsonl in the "
            "state folder, never sent anywhere); false appends nothing to it."
        ),
    )
    style_guide: str = field(
        default="",
        metadata=_doc(
            "The team's style guide (Markdown or text, a path inside the workspace), sent to "
            "Claude as rules that outrank the built-in rubric; empty for none."
        ),
    )
    terms: dict[str, list[str]] = field(
        default_factory=dict,
        metadata=_doc(
            'Team terminology: preferred term = words to avoid, e.g. {"sign in": ["log in", '
            '"login"]}; flagged offline with the preferred term as the fix.',
            free_keys=True,
        ),
    )
    debounce_ms: int = field(
        default=400,
        metadata=_doc(
            "Pause after the last keystroke before suggestions refresh (ms).", lo=0, hi=60000
        ),
    )
    max_document_size: int = field(
        default=2_000_000,
        metadata=_doc(
            "Documents larger than this many characters are skipped.", lo=1, hi=100_000_000
        ),
    )
    # Claude: used only when ANTHROPIC_API_KEY is set.
    model: str = field(
        default="claude-sonnet-5-5", metadata=_doc("Claude model for the critique call.")
    )
    grader_model: str = field(
        default="claude-haiku-5-5", metadata=_doc("Cheaper Claude model for the grading call.")
    )
    effort: str = field(
        default="auto",
        metadata=_doc(
            "Effort for the critique call; auto is medium, or low on a model that always "
            "thinks (Opus 5.5). Clamped to what the model allows.",
            choices=EFFORTS,
        ),
    )
    grader_effort: str = field(
        default="auto",
        metadata=_doc(
            "Effort for the grading call; auto is low. Clamped to what the model allows.",
            choices=EFFORTS,
        ),
    )
    trigger: str = field(
        default="onType",
        metadata=_doc(
            "When paragraphs go to Claude: as you type, on save, or only on command.",
            choices=TRIGGERS,
        ),
    )
    max_requests_in_flight: int = field(
        default=2, metadata=_doc("Most Claude requests under way at once.", lo=1, hi=16)
    )
    requests_per_minute: int = field(
        default=20, metadata=_doc("Most Claude requests started per minute.", lo=1, hi=1000)
    )
    batch_token_cap: int = field(
        default=3000,
        metadata=_doc(
            "Most document tokens (estimated) sent in one critique request.", lo=100, hi=100_000
        ),
    )
    daily_token_budget: int = field(
        default=2_000_000,
        metadata=_doc(
            "Tokens per day (all kinds) after which Nudge serves local findings only; "
            "0 means no limit.",
            lo=0,
            hi=10**10,
        ),
    )
    daily_cost_budget_usd: float = field(
        default=5.0,
        metadata=_doc(
            "Estimated US dollars per day after which Nudge serves local findings only; "
            "0 means no limit.",
            lo=0,
            hi=10**6,
        ),
    )
    # `nudge review` (Message Batches, nobody waiting): the strongest model critiques; a
    # different strong model grades, since its score alone decides what a writer sees.
    review_model: str = field(
        default="claude-opus-5-5",
        metadata=_doc("Claude model for the critique call of `nudge review` (batch prices)."),
    )
    review_grader_model: str = field(
        default="claude-sonnet-5-5",
        metadata=_doc("Claude model for the grading call of `nudge review` (batch prices)."),
    )

    def threshold(self, category: str) -> float:
        """Return the minimum confidence a finding in `category` needs to be shown."""
        return max(self.min_confidence, self.category_min_confidence.get(category, 0.0))

    def shows(self, category: str, confidence: float) -> bool:
        """Tell whether a finding of this category and confidence passes the filters."""
        return category in self.enabled_categories and confidence >= self.threshold(category)


def camel(name: str) -> str:
    """Return the camelCase editor key for a snake_case field name."""
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_BY_KEY = {**{camel(n): n for n in FIELDS}, **{n: n for n in FIELDS}}


@dataclass
class SettingsProblem:
    """One setting that could not be used, with where it came from."""

    source: str
    key: str
    message: str
    line: int | None = None
    outcome: str = "using the default"

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: setting '{self.key}': {self.message}; {self.outcome}"


def _check_number(value: Any, kind: type, meta: Mapping[str, Any]) -> str | None:
    """Return what is wrong with a number, comparing before any conversion can overflow."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"expected a number, got {type(value).__name__}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, got {value}"
    if ("lo" in meta and value < meta["lo"]) or ("hi" in meta and value > meta["hi"]):
        shown = value if abs(value) < 10**20 else "a number that large"
        return f"expected a value from {meta.get('lo')} to {meta.get('hi')}, got {shown}"
    if kind is int and isinstance(value, float) and not value.is_integer():
        return "expected a whole number"
    return None


def _convert(name: str, value: Any) -> tuple[Any, str | None]:
    """Validate `value` for field `name`; return (converted, problem)."""
    f = FIELDS[name]
    meta = f.metadata
    choices = meta.get("choices")
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
    if name in _SPECIAL:
        return _SPECIAL[name](value)
    if isinstance(default, bool):
        return (value, None) if isinstance(value, bool) else (None, "expected true or false")
    if isinstance(default, (int, float)):
        problem = _check_number(value, type(default), meta)
        return (None, problem) if problem else (type(default)(value), None)
    if isinstance(default, str):
        if not isinstance(value, str):
            return None, f"expected a string, got {type(value).__name__}"
        if choices and value not in choices:
            return None, f"expected one of {', '.join(choices)}, got {value!r}"
        return value, None
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "expected a list of strings"
        if len(value) > MAX_LIST or any(len(v) > MAX_ITEM for v in value):
            return None, f"expected at most {MAX_LIST} items of at most {MAX_ITEM} characters"
        if meta.get("globs") and (problem := pattern_problem(value)):
            return None, problem
        bad = [v for v in value if choices and v not in choices]
        if bad:
            return (
                None,
                f"unknown value(s) {', '.join(map(repr, bad))}; expected {', '.join(choices)}",
            )
        return list(value), None
    if isinstance(default, dict):
        if not isinstance(value, Mapping):
            return None, f"expected a table of {', '.join(meta['keys'])}"
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key not in meta["keys"]:
                return None, f"unknown key {key!r}; expected {', '.join(meta['keys'])}"
            if choices:
                if item not in choices:
                    return None, f"{key}: expected one of {', '.join(choices)}, got {item!r}"
                out[key] = item
            else:
                problem = _check_number(item, float, meta)
                if problem:
                    return None, f"{key}: {problem}"
                out[key] = float(item)
        merged = dict(default)
        merged.update(out)
        return merged, None
    raise AssertionError(f"unhandled setting type for {name}")  # pragma: no cover


MAX_TERMS, MAX_TERM_LENGTH = 500, 80


def _convert_terms(value: Any) -> tuple[Any, str | None]:
    """Validate `[terms]`: each preferred term maps to a word (or list of words) to avoid."""
    if not isinstance(value, Mapping):
        return None, 'expected a table: preferred term = ["word to avoid", ...]'
    if len(value) > MAX_TERMS:
        return None, f"at most {MAX_TERMS} preferred terms"
    out: dict[str, list[str]] = {}
    for preferred, avoid in value.items():
        avoid = [avoid] if isinstance(avoid, str) else avoid
        if not isinstance(avoid, list) or not all(isinstance(a, str) for a in avoid):
            return None, f"{preferred!r}: expected a list of words to avoid"
        words = [" ".join(a.split()) for a in avoid if a.strip()]
        if not str(preferred).strip() or len(str(preferred)) > MAX_TERM_LENGTH:
            return None, f"{preferred!r}: a preferred term needs 1 to {MAX_TERM_LENGTH} characters"
        if any(len(w) > MAX_TERM_LENGTH for w in words):
            return None, f"{preferred!r}: words to avoid have at most {MAX_TERM_LENGTH} characters"
        same = [w for w in words if w.casefold() == str(preferred).strip().casefold()]
        if same:
            return None, f"{preferred!r} lists itself as a word to avoid"
        out[" ".join(str(preferred).split())] = words
    return out, None


def _convert_style_guide(value: Any) -> tuple[Any, str | None]:
    """Validate the style guide path: relative, inside the workspace."""
    if not isinstance(value, str):
        return None, f"expected a string, got {type(value).__name__}"
    path = value.strip().replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in path.split("/"):
        return None, f"expected a path inside the workspace, got {value!r}"
    return path, None


_SPECIAL = {"terms": _convert_terms, "style_guide": _convert_style_guide}


def apply_settings(
    base: Settings,
    values: Mapping[str, Any] | None,
    source: str,
    lines: Mapping[str, int] | None = None,
) -> tuple[Settings, list[SettingsProblem]]:
    """Return `base` updated with `values`, and the problems found along the way.

    Unknown keys and invalid values are reported; each falls back to the value in
    `base` on its own, so one typo never resets the rest.
    """
    problems: list[SettingsProblem] = []
    if values is None:
        return base, problems
    if not isinstance(values, Mapping):
        problems.append(SettingsProblem(source, "nudge", "expected an object of settings"))
        return base, problems
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        name = _BY_KEY.get(key)
        line = (lines or {}).get(key)
        if name is None:
            problems.append(SettingsProblem(source, key, "unknown setting", line))
            continue
        converted, problem = _convert(name, value)
        if problem:
            problems.append(SettingsProblem(source, key, problem, line))
        else:
            changes[name] = converted
    return dataclasses.replace(base, **changes), problems


def _key_lines(text: str) -> dict[str, int]:
    """Map each `key = ...` in a TOML text to its 1-based line number."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*([A-Za-z0-9_\-]+)\s*=", line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def read_team_text(path: Path) -> str | None:
    """Return a team file's text (a BOM dropped), None if absent; raise if unsafe or unreadable.

    Only a regular file of at most TEAM_FILE_LIMIT bytes inside the workspace (the
    file's folder) is read: a link to a device, a FIFO or a file elsewhere is refused.
    """
    if not path.is_symlink() and not path.exists():
        return None
    if not inside(path, path.parent):
        raise OSError(f"{path} points outside the workspace")
    return read_small_file(path, TEAM_FILE_LIMIT).decode("utf-8-sig")


def parse_team_text(text: str, source: str) -> tuple[dict[str, Any], list[SettingsProblem]]:
    """Parse a team file's TOML; settings may sit at the top level or under `[nudge]`."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        return {}, [SettingsProblem(source, "*", f"not valid TOML ({exc})", line)]
    if isinstance(data.get("nudge"), dict):
        data = {**{k: v for k, v in data.items() if k != "nudge"}, **data["nudge"]}
    return data, []


def read_team_file(path: Path) -> tuple[dict[str, Any], dict[str, int], list[SettingsProblem]]:
    """Read a `.nudge.toml`; return its values, their line numbers and any problems."""
    source = str(path)
    try:
        text = read_team_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        return {}, {}, [SettingsProblem(source, "*", f"cannot read the file ({exc})")]
    if text is None:
        return {}, {}, []
    data, problems = parse_team_text(text, source)
    return data, ({} if problems else _key_lines(text)), problems


def load_settings(
    root: Path | None, editor: Mapping[str, Any] | None = None
) -> tuple[Settings, list[SettingsProblem]]:
    """Return the settings for a workspace root: defaults, team file, then editor."""
    settings = Settings()
    problems: list[SettingsProblem] = []
    if root is not None:
        values, lines, read_problems = read_team_file(root / TEAM_FILE)
        problems += read_problems
        settings, found = apply_settings(settings, values, str(root / TEAM_FILE), lines)
        problems += found
    team_exclude = settings.exclude
    settings, found = apply_settings(settings, editor, "editor settings")
    problems += found
    if settings.exclude is not team_exclude:
        settings.exclude, found = _add_exclusions(team_exclude, settings.exclude)
        problems += found
    return settings, problems


def _add_exclusions(team: list[str], editor: list[str]) -> tuple[list[str], list[SettingsProblem]]:
    """Return the team's exclusions plus the editor's; the editor cannot re-include a file."""
    negations = [p for p in editor if p.lstrip().startswith("!")]
    added = [p for p in editor if p not in negations and p not in team]
    why = "cannot re-include files the team excludes"
    problems = [
        SettingsProblem("editor settings", "exclude", f"'{p}' {why}", outcome="ignored")
        for p in negations
    ]
    return [*team, *added], problems


def describe_settings() -> list[dict[str, Any]]:
    """Return a machine-readable description of every setting, for docs and manifests."""
    out = []
    for name, f in FIELDS.items():
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        out.append({"key": camel(name), "toml": name, "default": default, **dict(f.metadata)})
    return out
