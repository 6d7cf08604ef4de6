"""Every test writes caches (the stored lexicon among them) under a temporary folder."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _temporary_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    before = os.environ.get("NUDGE_CACHE_DIR")
    os.environ["NUDGE_CACHE_DIR"] = str(tmp_path_factory.mktemp("nudge-cache"))
    yield
    if before is None:
        os.environ.pop("NUDGE_CACHE_DIR", None)
    else:
        os.environ["NUDGE_CACHE_DIR"] = before
