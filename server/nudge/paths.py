"""Where Nudge keeps what it writes to disk; imports nothing heavy, so any command can ask."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """Return where Nudge keeps its caches: $NUDGE_CACHE_DIR or the user cache folder."""
    if env := os.environ.get("NUDGE_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nudge"
