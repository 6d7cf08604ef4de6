"""The durable record of a review: the run, its batches and each request, in the store.

Everything a review needs to go on after a crash is written before the step that needs
it: the plan (each `custom_id`'s file, block hashes and offsets) before anything is
sent; a batch's requests as `sent`, with the batch marked `sending`, before the create
call, and the batch id right after; each result as soon as it is processed. No
document text is kept: files are re-read when results come back. The store is the
JSON-only diskcache (`store.JsonStore`) in `review/` under the state folder, and holds
one run; starting a new run forgets the last, finished one.

A request's `state` is `planned` (critique not yet sent), `to_grade` (critique came
back with candidates, grading not yet sent), `sent` (in batch `batch`), or one of the
ends: `done` (findings in the results cache), `failed` (`error` says why, `phase`
which call) and `stale` (none of its blocks is in the file any more).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nudge.store import JsonStore

RUN, REQUEST = "run", "req:"
PENDING = {"critique": "planned", "grade": "to_grade"}
ENDED = ("done", "failed", "stale")


def grade_id(custom_id: str) -> str:
    """Return the custom_id of a critique request's grading request."""
    head, _, number = custom_id.rpartition("-c")
    return f"{head}-g{number}"


def sent_id(record: dict[str, Any]) -> str:
    """Return the custom_id a request was sent under in its current phase."""
    return record["id"] if record["phase"] == "critique" else grade_id(record["id"])


class ReviewStore:
    """The current review run and its requests, kept as JSON rows."""

    def __init__(self, state_dir: Path):
        self.store = JsonStore(Path(state_dir) / "review")

    def run(self) -> dict[str, Any] | None:
        """Return the current run, or None."""
        run = self.store.get(RUN)
        return run if isinstance(run, dict) else None

    def save_run(self, run: dict[str, Any]) -> None:
        """Write the run record."""
        self.store.set(RUN, run)

    def requests(self) -> list[dict[str, Any]]:
        """Return every request record of the run, in custom_id order."""
        rows = []
        for key in sorted(k for k in self.store.cache.iterkeys() if k.startswith(REQUEST)):
            row = self.store.get(key)
            if isinstance(row, dict):
                rows.append(row)
        return rows

    def save(self, records: Iterable[dict[str, Any]], run: dict[str, Any] | None = None) -> None:
        """Write request records (and the run) in one transaction."""
        with self.store.cache.transact():
            for record in records:
                self.store.set(REQUEST + record["id"], record)
            if run is not None:
                self.store.set(RUN, run)

    def begin(self, run: dict[str, Any], records: list[dict[str, Any]]) -> None:
        """Replace the last run with a new one and its planned requests."""
        self.store.delete_prefix(REQUEST)
        self.save(records, run)

    def close(self) -> None:
        """Close the store."""
        self.store.close()


def tally(records: Iterable[dict[str, Any]]) -> Counter[str]:
    """Return how many requests are in each state."""
    return Counter(r["state"] for r in records)


def failures_by_file(records: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Return, per file, why each of its failed requests failed."""
    out: dict[str, list[str]] = {}
    for r in records:
        if r["state"] == "failed":
            out.setdefault(r["path"], []).append(f"{r['phase']}: {r['error']}")
    return out
