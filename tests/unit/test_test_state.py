"""The test run keeps every state folder temporary (see tests/conftest.py)."""

import os
import tempfile
from pathlib import Path

from nudge.paths import default_cache_dir


def test_state_folders_are_temporary(monkeypatch):
    tmp = Path(tempfile.gettempdir()).resolve()
    for name in ("NUDGE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        assert tmp in Path(os.environ[name]).resolve().parents, name
    assert tmp in default_cache_dir().resolve().parents
    monkeypatch.delenv("NUDGE_CACHE_DIR")
    assert tmp in default_cache_dir().resolve().parents
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert tmp in default_cache_dir().resolve().parents
