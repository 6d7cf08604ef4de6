"""A disk cache of graded Claude results, keyed by everything that shaped them.

The key hashes the prompt versions, the models, the settings that change what Claude
is asked, and the block's content hash; so reopening a file or undoing an edit costs
no tokens, and any prompt or model change misses cleanly. Rows are JSON text only:
diskcache pickles anything else, and unpickling a tampered cache file can run code,
so `store.JsonDisk` refuses to write or read pickled or file-backed rows. A row that is
not our JSON is deleted (with SQL, never touching a file) and treated as a miss; a cache
directory that cannot be opened is recreated (`store.open_cache`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import diskcache

from nudge.model import Finding
from nudge.store import drop_foreign_rows, open_cache

log = logging.getLogger(__name__)
FORMAT = "nudge-results/1"


class UnsafeRow(ValueError):
    """A cache row that is not plain JSON text (for example a pickle)."""


def cache_key(identity: Mapping[str, Any], block_hash: str) -> str:
    """Return the cache key for a block under a critic identity (prompts, models...)."""
    blob = json.dumps({"id": dict(identity), "block": block_hash}, sort_keys=True)
    return hashlib.blake2b(blob.encode(), digest_size=20).hexdigest()


class ResultsCache:
    """Graded findings per cache key, stored as JSON in a diskcache directory."""

    def __init__(self, directory: Path, size_limit: int = 256 * 2**20):
        self.directory, self.size_limit = Path(directory), size_limit
        self.hits = self.misses = 0
        self._cache = self._open()

    def _open(self) -> diskcache.Cache:
        return open_cache(self.directory, log.warning, size_limit=self.size_limit)

    def get(self, key: str) -> list[Finding] | None:
        """Return the cached findings for `key`, or None on a miss or a bad row."""
        try:
            raw = self._cache.get(key)
            if raw is None:
                self.misses += 1
                return None
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise UnsafeRow("not a results row")
            findings = [Finding.from_json(item) for item in data["findings"]]
        except (UnsafeRow, ValueError, KeyError, TypeError) as exc:
            log.warning("dropping unreadable results-cache row (%s)", exc)
            self._discard(key)
            self.misses += 1
            return None
        except sqlite3.DatabaseError as exc:
            log.warning("results cache read failed (%s); treating as a miss", exc)
            self.misses += 1
            return None
        self.hits += 1
        return findings

    def put(self, key: str, findings: list[Finding]) -> None:
        """Store findings for `key` as JSON."""
        row = json.dumps({"format": FORMAT, "findings": [f.to_json() for f in findings]})
        try:
            self._cache.set(key, row)
        except (sqlite3.DatabaseError, OSError) as exc:
            log.warning("results cache write failed (%s)", exc)

    def _discard(self, key: str) -> None:
        with contextlib.suppress(sqlite3.DatabaseError, OSError):
            drop_foreign_rows(self._cache)
            self._cache.delete(key)

    def close(self) -> None:
        """Close the underlying database."""
        self._cache.close()
