"""The edits Nudge makes to a team's `.nudge.toml`: adding an ignored phrase or rule.

The file is edited with tomlkit, which keeps comments, layout, key spelling and
order, so the phrase (or rule id) lands in the key Nudge actually reads (top level or `[nudge]`,
indented, dotted or camelCase) and a multi-line list keeps its comments. The result
is parsed again and must hold the phrase and every other setting unchanged before it
replaces the file; line endings and a BOM are kept. The write goes to an exclusive
temporary file beside the target and is renamed into place, and Nudge never writes
through a symlink that leaves the workspace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from nudge.safe_io import UnsafeFile, inside, read_small_file, write_atomically
from nudge.settings import TEAM_FILE, TEAM_FILE_LIMIT, parse_team_text

KEYS = ("ignored_phrases", "ignoredPhrases")
RULE_KEYS = ("ignored_rules", "ignoredRules")
BOM = "\ufeff"


def _target(root: Path) -> Path:
    """Return the file to replace: the team file, or the workspace file it links to."""
    path = root / TEAM_FILE
    if not path.is_symlink():
        return path
    if not inside(path, root):
        raise UnsafeFile(f"{path} links outside the workspace; Nudge will not write through it")
    return path.resolve()


def _list_table(doc: tomlkit.TOMLDocument, keys: tuple[str, str]) -> tuple[Any, str]:
    """Return the table and key holding the list Nudge reads, creating neither."""
    nudge = doc.get("nudge")
    tables = [nudge, doc] if isinstance(nudge, dict) else [doc]
    for table in tables:
        for key in reversed(keys):  # of two spellings the later one wins; keep it simple
            if key in table:
                return table, key
    return tables[0], keys[0]


def with_phrase(text: str, phrase: str, source: str, keys: tuple[str, str] = KEYS) -> str:
    """Return the team file's text with `phrase` added to the list under `keys`."""
    before, problems = parse_team_text(text, source)
    if problems:
        raise ValueError(str(problems[0]))
    try:
        doc = tomlkit.parse(text)
        table, key = _list_table(doc, keys)
    except (TOMLKitError, ValueError, TypeError) as exc:
        raise ValueError(f"{source}: cannot add the phrase ({exc}); add it by hand") from exc
    current = before.get(key, [])
    if not isinstance(current, list):
        raise ValueError(f"{source}: '{key}' is not a list; fix it by hand first")
    if phrase in current:
        return text
    try:
        if key in table:
            table[key].append(phrase)
        else:
            table[key] = [phrase]
        new = doc.as_string()
    except (TOMLKitError, ValueError, TypeError) as exc:
        raise ValueError(f"{source}: cannot add the phrase ({exc}); add it by hand") from exc
    if "\r\n" in text:
        new = new.replace("\r\n", "\n").replace("\n", "\r\n")
    after, problems = parse_team_text(new, source)
    expected = {**before, key: [*current, phrase]}
    if problems or after != expected:
        raise ValueError(f"{source}: adding the phrase would change other settings; add it by hand")
    return new


def add_ignored_phrase(root: Path, phrase: str, keys: tuple[str, str] = KEYS) -> Path:
    """Add `phrase` to `ignored_phrases` in the workspace's team file, keeping the rest."""
    path = _target(root)
    exists = path.exists()
    data = read_small_file(path, TEAM_FILE_LIMIT) if exists else b""
    bom = BOM if data.startswith(BOM.encode()) else ""
    text = data.decode("utf-8-sig")
    new = with_phrase(text, phrase, str(root / TEAM_FILE), keys)
    if new != text or not exists:
        mode = path.stat().st_mode & 0o777 if exists else 0o644
        write_atomically(path, (bom + new).encode("utf-8"), mode)
    return path


def add_ignored_rule(root: Path, rule: str) -> Path:
    """Add a rule id to `ignored_rules` in the workspace's team file, keeping the rest."""
    return add_ignored_phrase(root, rule, RULE_KEYS)
