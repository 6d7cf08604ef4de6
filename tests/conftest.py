"""Tests, and their collection, write caches (the stored lexicon too) to a temporary folder."""

from __future__ import annotations

import os
import shutil
import tempfile

_BEFORE = os.environ.get("NUDGE_CACHE_DIR")
_FOLDER = ""


def pytest_configure(config) -> None:
    """Point NUDGE_CACHE_DIR at a fresh folder before any test module is imported."""
    global _FOLDER
    _FOLDER = tempfile.mkdtemp(prefix="nudge-test-cache-")
    os.environ["NUDGE_CACHE_DIR"] = _FOLDER


def pytest_unconfigure(config) -> None:
    """Remove the folder and restore the variable."""
    shutil.rmtree(_FOLDER, ignore_errors=True)
    if _BEFORE is None:
        os.environ.pop("NUDGE_CACHE_DIR", None)
    else:
        os.environ["NUDGE_CACHE_DIR"] = _BEFORE
