"""Which files are never checked or sent: `exclude` patterns with .gitignore semantics.

Patterns mean what they mean in a `.gitignore` (pathspec implements the rules):
`drafts/` and `notes` exclude a folder's contents, a pattern without a slash matches
a name at any depth, `**` crosses folders and `!` re-includes. Patterns compile to
RE2 expressions, which match in linear time, so no pattern can stall the server
however it is written. A file is excluded when either the path it was opened by or
its path with every symlink resolved matches, so a linked folder cannot slip out.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pathspec

# RE2 matches without backtracking; the default backend (Python's re) can take
# seconds on a pattern such as `*a*a*a*a*a*a*b`.
_BACKEND = "re2"


@lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns, backend=_BACKEND)


def pattern_problem(patterns: list[str]) -> str | None:
    """Return why a list of exclude patterns cannot be used, or None if it can."""
    try:
        _spec(tuple(patterns))
    except (ValueError, TypeError) as exc:
        return f"not a valid pattern ({exc})"
    return None


def is_excluded(relative_path: str, patterns: list[str]) -> bool:
    """Tell whether a workspace-relative POSIX path matches the exclude patterns."""
    return bool(patterns) and _spec(tuple(patterns)).match_file(relative_path)


def workspace_paths(path: Path, root: Path) -> list[str]:
    """Return `path` relative to `root` as opened and with symlinks resolved (POSIX)."""
    forms = []
    opened = (Path(os.path.abspath(path)), Path(os.path.abspath(root)))
    for candidate, base in (opened, (path.resolve(), root.resolve())):
        try:
            forms.append(candidate.relative_to(base).as_posix())
        except ValueError:
            forms.append(candidate.as_posix())
    return list(dict.fromkeys(forms))


def is_path_excluded(path: Path, root: Path | None, patterns: list[str]) -> bool:
    """Tell whether a file is excluded, by the path it was opened with or its real one."""
    if not patterns:
        return False
    forms = workspace_paths(path, root) if root is not None else [path.as_posix()]
    return any(is_excluded(form, patterns) for form in forms)
