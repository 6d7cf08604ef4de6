"""Tests, and their collection, keep all state in temporary folders, never the real one.

Before any test module is imported, `NUDGE_CACHE_DIR`, `XDG_CACHE_HOME` and `HOME` point at
fresh temporary folders (inherited by every server or CLI a test starts), and the real
state folder (`$XDG_CACHE_HOME/nudge`, else `~/.cache/nudge`, as the run found them) is
snapshotted. A session-scoped guard fails the run if that folder was created or modified.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_NAMES = ("NUDGE_CACHE_DIR", "XDG_CACHE_HOME", "HOME")
_BEFORE = {name: os.environ.get(name) for name in _NAMES}
_ROOT = ""
_REAL: Path | None = None
_SNAPSHOT: list[str] = []


def real_state_folder(env: dict[str, str | None]) -> Path:
    """Return the state folder Nudge would use with no NUDGE_CACHE_DIR."""
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "nudge"


def snapshot(root: Path) -> list[str]:
    """Return one row per file and folder under `root` (size, mtime); [] if it is absent."""
    if not root.exists():
        return []
    rows = [f". {root.is_dir()}"]
    for path in sorted(root.rglob("*")):
        try:
            st = path.stat()
        except OSError:
            rows.append(f"{path.relative_to(root)} vanished")
            continue
        rows.append(f"{path.relative_to(root)} {st.st_size} {st.st_mtime_ns}")
    return rows


def pytest_configure(config) -> None:
    """Point the state folder, XDG_CACHE_HOME and HOME at fresh temporary folders."""
    global _ROOT, _REAL, _SNAPSHOT
    _REAL = real_state_folder(dict(_BEFORE))
    _SNAPSHOT = snapshot(_REAL)
    _ROOT = tempfile.mkdtemp(prefix="nudge-test-")
    for name, sub in zip(_NAMES, ("state", "xdg-cache", "home"), strict=True):
        os.makedirs(os.path.join(_ROOT, sub), exist_ok=True)
        os.environ[name] = os.path.join(_ROOT, sub)


@pytest.fixture(scope="session", autouse=True)
def real_state_folder_untouched():
    """Fail the session if the real state folder was created or modified during it."""
    yield
    assert _REAL is not None
    assert snapshot(_REAL) == _SNAPSHOT, f"tests created or modified the real state folder {_REAL}"


def pytest_unconfigure(config) -> None:
    """Remove the folders and restore the variables."""
    shutil.rmtree(_ROOT, ignore_errors=True)
    for name, value in _BEFORE.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
