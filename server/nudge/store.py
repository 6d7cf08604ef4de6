"""Local storage on diskcache that never unpickles, and the dismissal store.

diskcache pickles any value that is not str, bytes, int or float, and unpickles
such rows when read back; a cache directory another process can write to would
then run code (there is an open advisory about it). `JsonDisk` stores only text
values, refuses to write anything else, and refuses to read a pickled row: the row
is treated as missing. `open_cache` recreates a corrupt cache directory, moving
the old one aside, and says so.

Dismissals are kept per document and matched fuzzily: a dismissed finding stays
dismissed when the same words, in the same category, appear with much the same
text around them, so edits elsewhere, closing the file or a restart change nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import diskcache
from diskcache.core import MODE_PICKLE
from rapidfuzz import fuzz

from nudge.model import Finding
from nudge.paths import default_cache_dir as default_cache_dir  # where it always was

log = logging.getLogger(__name__)

CONTEXT_CHARS = 40
CONTEXT_MATCH = 75.0


class PickledRowError(ValueError):
    """A cache row holds a pickle, which Nudge never reads."""


class JsonDisk(diskcache.Disk):
    """A diskcache Disk that stores text keys and text values only, and never unpickles."""

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
        """Store values only as (JSON) text."""
        if type(value) is not str:
            raise TypeError(f"cache values must be JSON text, not {type(value).__name__}")
        return super().store(value, read, key)

    def fetch(self, mode: int, filename: str, value: Any, read: bool) -> Any:
        """Return stored text; refuse a pickled or binary row."""
        if mode == MODE_PICKLE:
            raise PickledRowError("refusing to unpickle a cache value")
        data = super().fetch(mode, filename, value, read)
        if not isinstance(data, str):
            raise PickledRowError("cache value is not text")
        return data


def open_cache(directory: Path, warn: Callable[[str], None] = log.warning) -> diskcache.Cache:
    """Open a JSON-only cache at `directory`, recreating it if it is corrupt."""
    try:
        cache = diskcache.Cache(str(directory), disk=JsonDisk)
        cache.check(fix=False)
        return cache
    except (sqlite3.DatabaseError, OSError, PickledRowError) as exc:
        aside = directory.with_name(f"{directory.name}.corrupt-{int(time.time())}")
        try:
            directory.rename(aside)
            where = f"moved to {aside}"
        except OSError:
            where = "could not be moved aside"
        warn(f"Nudge's cache at {directory} was unreadable ({exc}); {where}, starting afresh.")
        return diskcache.Cache(str(directory), disk=JsonDisk)


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
        self.cache = diskcache.Cache(str(self.directory), disk=JsonDisk)

    def get(self, key: str) -> Any:
        """Return the JSON value at `key`, or None if absent or unreadable."""
        try:
            raw = self.cache.get(key)
        except PickledRowError:
            self.warn(f"Ignored a pickled row in {self.directory}; Nudge never unpickles.")
            self.cache.delete(key)
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

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with `prefix`; return how many went."""
        count = 0
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
    """Dismissed findings per document, persisted in a JSON-only diskcache."""

    PREFIX = "dismissed:"

    def __init__(self, store: JsonStore):
        self.store = store
        self._memo: dict[str, list[Dismissal]] = {}

    def _load(self, doc_key: str) -> list[Dismissal]:
        if doc_key not in self._memo:
            rows = self.store.get(self.PREFIX + doc_key) or []
            items = []
            for row in rows if isinstance(rows, list) else []:
                try:
                    items.append(Dismissal(**{k: str(row[k]) for k in Dismissal.__annotations__}))
                except (KeyError, TypeError):
                    continue
            self._memo[doc_key] = items
        return self._memo[doc_key]

    def dismiss(self, doc_key: str, text: str, finding: Finding) -> None:
        """Remember that `finding` was dismissed in document `doc_key`."""
        items = self._load(doc_key)
        items.append(Dismissal.of(text, finding))
        self.store.set(self.PREFIX + doc_key, [d.to_json() for d in items])

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

    def clear(self) -> int:
        """Forget every dismissal; return how many documents had some."""
        self._memo.clear()
        return self.store.delete_prefix(self.PREFIX)
