"""Local storage on diskcache that never unpickles, and the dismissal store.

diskcache pickles any value that is not str, bytes, int or float, and unpickles
such rows when read back; it also keeps long values in files named by the row, and
reads or deletes whatever file a row names, absolute paths and `../` included. A
cache directory another process can write to would then run code or delete files.
`JsonDisk` stores only text values, always inline in the database, and refuses to
read any other row; rows Nudge could not have written are dropped with SQL alone,
never through diskcache's file clean-up, and no path from the database is opened.
`open_cache` recreates a corrupt cache directory, moving the old one aside, and
falls back to a temporary folder (with a warning) when the folder cannot be used.

Dismissals are kept per document and matched fuzzily: a dismissed finding stays
dismissed when the same words, in the same category, appear with much the same
text around them, so edits elsewhere, closing the file or a restart change nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import diskcache
from diskcache.core import MODE_RAW
from rapidfuzz import fuzz

from nudge.model import Finding
from nudge.paths import default_cache_dir as default_cache_dir  # where it always was

log = logging.getLogger(__name__)

CONTEXT_CHARS = 40
CONTEXT_MATCH = 75.0


class PickledRowError(ValueError):
    """A cache row holds a pickle or names a file, which Nudge never reads."""


# Rows Nudge wrote itself: a text key, a text value inline, no file. Anything else
# was planted (diskcache would unpickle it, or open or delete the file it names).
_FOREIGN_ROWS = f"raw != 1 OR mode != {MODE_RAW} OR filename IS NOT NULL"


class JsonDisk(diskcache.Disk):
    """A diskcache Disk for text keys and text values kept in the database, never in files."""

    def put(self, key: Any) -> tuple[Any, bool]:
        """Store keys only as strings."""
        if type(key) is not str:
            raise TypeError(f"cache keys must be strings, not {type(key).__name__}")
        return super().put(key)

    def get(self, key: Any, raw: bool) -> Any:
        """Refuse a key that was stored pickled."""
        if not raw:
            raise PickledRowError("refusing to unpickle a cache key")
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
        """Store values only as (JSON) text, inline in the database however long."""
        if type(value) is not str or read:
            raise TypeError(f"cache values must be JSON text, not {type(value).__name__}")
        return 0, MODE_RAW, None, value

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        """Return stored text; refuse a pickled, binary or file-backed row unread."""
        if mode != MODE_RAW or filename is not None or not isinstance(value, str):
            raise PickledRowError("refusing a cache row Nudge did not write")
        return value

    def remove(self, file_path: str) -> None:
        """Delete nothing: Nudge stores no files, so a file name in a row was planted."""


def drop_foreign_rows(cache: diskcache.Cache) -> int:
    """Delete, with SQL alone, every row Nudge could not have written; return how many."""
    with cache.transact():  # diskcache has no public call for raw SQL
        return cache._sql(f"DELETE FROM Cache WHERE {_FOREIGN_ROWS}").rowcount


def _make(directory: Path, warn: Callable[[str], None], **settings: Any) -> diskcache.Cache:
    cache = diskcache.Cache(str(directory), disk=JsonDisk, **settings)
    if dropped := drop_foreign_rows(cache):
        warn(f"Ignored {dropped} pickled or file-naming row(s) in {directory}; Nudge never "
             "unpickles them or opens the files they name.")  # fmt: skip
    return cache


def open_cache(
    directory: Path, warn: Callable[[str], None] = log.warning, **settings: Any
) -> diskcache.Cache:
    """Open a JSON-only cache at `directory`; recreate it if corrupt, else use a temporary one."""
    try:
        return _make(directory, warn, **settings)
    except (sqlite3.DatabaseError, OSError) as exc:
        problem = exc
    aside = directory.with_name(f"{directory.name}.corrupt-{int(time.time())}")
    try:
        if directory.is_dir() and not directory.is_symlink():
            directory.rename(aside)
            return _warned(warn, _make(directory, warn, **settings),
                           f"Nudge's cache at {directory} was unreadable ({problem}); "
                           f"moved to {aside}, starting afresh.")  # fmt: skip
    except (sqlite3.DatabaseError, OSError) as exc:
        problem = exc
    fallback = Path(tempfile.mkdtemp(prefix="nudge-"))
    return _warned(warn, _make(fallback, warn, **settings),
                   f"Nudge cannot keep its state at {directory} ({problem}); using {fallback} "
                   "for this session, so dismissals and cached results will not last.")  # fmt: skip


def _warned(warn: Callable[[str], None], cache: diskcache.Cache, message: str) -> diskcache.Cache:
    warn(message)
    return cache


class JsonStore:
    """JSON values in a diskcache, surviving unreadable rows and a corrupt directory."""

    def __init__(self, directory: Path, warn: Callable[[str], None] = log.warning):
        self.directory = directory
        self.warn = warn
        self.cache = open_cache(directory, warn)

    def _recover(self, exc: Exception) -> None:
        """Move a cache that failed mid-use aside and start a fresh one."""
        self.cache.close()
        aside = self.directory.with_name(f"{self.directory.name}.corrupt-{int(time.time())}")
        with contextlib.suppress(OSError):
            self.directory.rename(aside)
        self.warn(f"Nudge's cache at {self.directory} was corrupt ({exc}); starting afresh.")
        self.cache = open_cache(self.directory, self.warn)

    def get(self, key: str) -> Any:
        """Return the JSON value at `key`, or None if absent or unreadable."""
        try:
            raw = self.cache.get(key)
        except PickledRowError:
            self.warn(f"Ignored a pickled row in {self.directory}; Nudge never unpickles.")
            drop_foreign_rows(self.cache)
            return None
        except sqlite3.DatabaseError as exc:
            self._recover(exc)
            return None
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            self.warn(f"Ignored a malformed row in {self.directory}.")
            return None

    def set(self, key: str, value: Any) -> None:
        """Store `value` as JSON at `key`."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        try:
            self.cache.set(key, text)
        except sqlite3.DatabaseError as exc:
            self._recover(exc)
            self.cache.set(key, text)

    def keys_with_prefix(self, prefix: str) -> list[str]:
        """Return every key starting with `prefix`."""
        drop_foreign_rows(self.cache)
        return [k for k in self.cache.iterkeys() if isinstance(k, str) and k.startswith(prefix)]

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with `prefix`; return how many went."""
        count = 0
        drop_foreign_rows(self.cache)
        for key in list(self.cache.iterkeys()):
            if isinstance(key, str) and key.startswith(prefix):
                count += bool(self.cache.delete(key))
        return count

    def close(self) -> None:
        """Close the underlying cache."""
        self.cache.close()


@dataclass(frozen=True)
class Dismissal:
    """A finding a writer dismissed, remembered with the text around it."""

    category: str
    quote: str
    before: str
    after: str

    def to_json(self) -> dict[str, str]:
        """Return a JSON-ready dict."""
        return {"category": self.category, "quote": self.quote, "before": self.before,
                "after": self.after}  # fmt: skip

    @classmethod
    def of(cls, text: str, finding: Finding) -> Dismissal:
        """Describe `finding` (absolute offsets into `text`) for later matching."""
        return cls(
            finding.category,
            finding.quote.casefold(),
            text[max(0, finding.start - CONTEXT_CHARS) : finding.start],
            text[finding.end : finding.end + CONTEXT_CHARS],
        )

    def matches(self, other: Dismissal) -> bool:
        """Tell whether `other` is the same suggestion, perhaps after small edits."""
        if self.category != other.category or self.quote != other.quote:
            return False
        context = fuzz.ratio(self.before + "\0" + self.after, other.before + "\0" + other.after)
        return context >= CONTEXT_MATCH


class DismissalStore:
    """Dismissed findings per workspace and document, persisted in a JSON-only diskcache.

    Rows are keyed by workspace and relative path (`dismissed@`, the workspace, a NUL, the path).
    Rows written before workspaces were keyed (`dismissed:<path>`) belong to no one
    workspace: they stay readable in every workspace until that workspace clears its
    dismissals, which marks them cleared for it (and only "everywhere" deletes them).
    """

    PREFIX = "dismissed@"
    LEGACY = "dismissed:"
    LEGACY_CLEARED = "dismissed-legacy-cleared@"

    def __init__(self, store: JsonStore, workspace: str = ""):
        self.store = store
        self.workspace = workspace
        self._memo: dict[str, list[Dismissal]] = {}

    def _key(self, doc_key: str) -> str:
        return f"{self.PREFIX}{self.workspace}\0{doc_key}"

    def _legacy_readable(self) -> bool:
        return not self.store.get(self.LEGACY_CLEARED + self.workspace)

    def _rows(self, key: str) -> list[Dismissal]:
        rows = self.store.get(key) or []
        items = []
        for row in rows if isinstance(rows, list) else []:
            try:
                items.append(Dismissal(**{k: str(row[k]) for k in Dismissal.__annotations__}))
            except (KeyError, TypeError):
                continue
        return items

    def _load(self, doc_key: str) -> list[Dismissal]:
        if doc_key not in self._memo:
            items = self._rows(self._key(doc_key))
            if self._legacy_readable():
                items = self._rows(self.LEGACY + doc_key) + items
            self._memo[doc_key] = items
        return self._memo[doc_key]

    def dismiss(self, doc_key: str, text: str, finding: Finding) -> None:
        """Remember that `finding` was dismissed in document `doc_key`."""
        items = self._load(doc_key)
        own = [*self._rows(self._key(doc_key)), Dismissal.of(text, finding)]
        items.append(own[-1])
        self.store.set(self._key(doc_key), [d.to_json() for d in own])

    def has_any(self, doc_key: str) -> bool:
        """Tell whether anything was ever dismissed in document `doc_key`."""
        return bool(self._load(doc_key))

    def is_dismissed(self, doc_key: str, text: str, finding: Finding) -> bool:
        """Tell whether `finding` (absolute offsets into `text`) was dismissed before."""
        items = self._load(doc_key)
        if not items:
            return False
        probe = Dismissal.of(text, finding)
        return any(d.matches(probe) for d in items)

    def _own_keys(self, everywhere: bool) -> list[str]:
        prefix = self.PREFIX if everywhere else f"{self.PREFIX}{self.workspace}\0"
        keys = self.store.keys_with_prefix(prefix)
        if everywhere or self._legacy_readable():
            keys += self.store.keys_with_prefix(self.LEGACY)
        return keys

    def count(self, everywhere: bool = False) -> int:
        """Return how many suggestions are dismissed in this workspace (or in all)."""
        return sum(len(self._rows(key)) for key in self._own_keys(everywhere))

    def clear(self, everywhere: bool = False) -> int:
        """Forget this workspace's dismissals (or every one); return how many went."""
        count = self.count(everywhere)
        self._memo.clear()
        if everywhere:
            for prefix in (self.PREFIX, self.LEGACY, self.LEGACY_CLEARED):
                self.store.delete_prefix(prefix)
            return count
        self.store.delete_prefix(f"{self.PREFIX}{self.workspace}\0")
        self.store.set(self.LEGACY_CLEARED + self.workspace, True)
        return count
