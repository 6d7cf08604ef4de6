"""The Message Batches API of the fake, with processing driven by the test.

https://platform.claude.com/docs/en/build-with-claude/batch-processing (BATCHES) and
SDK 2.17 `types/messages/`. Create checks only the batch envelope; each request is
validated asynchronously, when the batch ends, and an invalid one becomes an `errored`
result. A batch ends on its `polls`-th retrieve (if set) or when the test calls
`finish`. Tests can also `cancel`, `expire`, `fail` one request, or `hold_results` to
make the results file unavailable. Results come back in a deterministic shuffle.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # BATCHES: custom_id pattern
MAX_REQUESTS = 100_000  # BATCHES#batch-limitations: 100,000 requests or 256 MB
MAX_BYTES = 256 * 1024 * 1024
EPOCH = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)  # the fake's clock zero
DAY = 24 * 3600.0  # BATCHES: a batch expires if unfinished after 24 hours

Processor = Callable[[dict[str, Any], str, str, str], dict[str, Any]]


def _stamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return (EPOCH + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error_body(kind: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    """Return the documented error object (ERRORS; SDK ErrorResponse)."""
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}


@dataclass
class Batch:
    """One Message Batch and what the test has arranged for it."""

    id: str
    requests: list[dict[str, Any]]
    version: str
    created: float
    status: str = "in_progress"  # SDK MessageBatch.processing_status
    retrieves: int = 0
    ended: float | None = None
    cancel_initiated: float | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    held: tuple[int, str] | None = None


class FakeBatches:
    """The batch store; `processor(params, custom_id, batch_id, version)` answers one."""

    def __init__(self, processor: Processor, base_url: Callable[[], str], clock, polls: int | None):
        self.processor, self.base_url, self.clock = processor, base_url, clock
        self.polls = polls
        self.max_requests, self.max_bytes = MAX_REQUESTS, MAX_BYTES
        self.batches: dict[str, Batch] = {}
        self._start = clock()
        self._lock = threading.RLock()

    def _now(self) -> float:
        return self.clock() - self._start

    # --- HTTP side -------------------------------------------------------------------

    def create(self, raw: bytes, body: Any, version: str) -> tuple[int, dict[str, Any]]:
        """Check the envelope and store the batch (POST /v1/messages/batches)."""
        if len(raw) > self.max_bytes:  # BATCHES: over 256 MB is 413 request_too_large
            return 413, error_body("request_too_large", "Request exceeds the 256 MB batch limit")
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return 400, error_body("invalid_request_error", "requests: at least one request")
        if len(requests) > self.max_requests:
            message = f"A batch can hold at most {self.max_requests} requests"
            return 413, error_body("request_too_large", message)
        seen: set[str] = set()
        for i, item in enumerate(requests):
            cid = item.get("custom_id") if isinstance(item, dict) else None
            if not isinstance(cid, str) or not CUSTOM_ID.match(cid):
                message = f"requests.{i}.custom_id: String should match '^[a-zA-Z0-9_-]{{1,64}}$'"
                return 400, error_body("invalid_request_error", message)
            if cid in seen:  # BATCHES: custom_id "Must be unique for each request"
                return 400, error_body("invalid_request_error", f"duplicate custom_id {cid!r}")
            seen.add(cid)
            params = item.get("params")
            if not isinstance(params, dict):
                return 400, error_body("invalid_request_error", f"requests.{i}.params: required")
            # BATCHES: `stream`, `speed` and `max_tokens: 0` are not supported in a batch.
            for key, banned in (("stream", True), ("max_tokens", 0)):
                if key in params and params[key] == banned:
                    message = f"requests.{i}.params.{key}: {banned!r} is not supported in batches"
                    return 400, error_body("invalid_request_error", message)
            if "speed" in params:
                message = f"requests.{i}.params.speed: not supported in batches"
                return 400, error_body("invalid_request_error", message)
        with self._lock:
            batch_id = f"msgbatch_fake{len(self.batches) + 1:06d}"
            batch = Batch(batch_id, requests, version, self._now())
            self.batches[batch_id] = batch
        return 200, self.view(batch)

    def retrieve(self, batch_id: str) -> tuple[int, dict[str, Any]]:
        """Return a batch, ending it on its `polls`-th retrieve."""
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return 404, error_body("not_found_error", f"batch {batch_id} not found")
            batch.retrieves += 1
            if batch.status != "ended" and (
                batch.status == "canceling" or (self.polls and batch.retrieves >= self.polls)
            ):
                self._end(batch, processed=None)
            return 200, self.view(batch)

    def listing(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Return a page of batches, newest first (GET /v1/messages/batches)."""
        with self._lock:
            items = [self.view(b) for b in reversed(list(self.batches.values()))]
        return 200, page(items, query)

    def cancel(self, batch_id: str) -> tuple[int, dict[str, Any]]:
        """Start canceling; the next retrieve or `finish` ends it (BATCHES#canceling)."""
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return 404, error_body("not_found_error", f"batch {batch_id} not found")
            if batch.status == "in_progress":
                batch.status, batch.cancel_initiated = "canceling", self._now()
            return 200, self.view(batch)

    def delete(self, batch_id: str) -> tuple[int, dict[str, Any]]:
        """Delete an ended batch; one still processing must be canceled first."""
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return 404, error_body("not_found_error", f"batch {batch_id} not found")
            if batch.status != "ended":
                message = "Batch is still processing; cancel it before deleting it"
                return 400, error_body("invalid_request_error", message)
            del self.batches[batch_id]
            return 200, {"id": batch_id, "type": "message_batch_deleted"}

    def results(self, batch_id: str) -> tuple[int, Any]:
        """Return the JSONL results, or the error a test arranged."""
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return 404, error_body("not_found_error", f"batch {batch_id} not found")
            if batch.held:
                status, message = batch.held
                kind = "api_error" if status >= 500 else "not_found_error"
                return status, error_body(kind, message)
            if batch.status != "ended":  # results_url is set "only once processing ends"
                return 404, error_body("not_found_error", "results are not yet available")
            lines = [
                json.dumps({"custom_id": cid, "result": batch.results[cid]})
                for cid in shuffled(batch.id, [r["custom_id"] for r in batch.requests])
            ]
            return 200, "\n".join(lines) + "\n"

    def view(self, batch: Batch) -> dict[str, Any]:
        """Return the SDK 2.17 `MessageBatch` body."""
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if batch.status == "ended":  # counts stay "processing" until the whole batch ends
            for result in batch.results.values():
                counts[result["type"]] += 1
        else:
            counts["processing"] = len(batch.requests)
        url = f"{self.base_url()}/v1/messages/batches/{batch.id}/results"
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": batch.status,
            "request_counts": counts,
            "created_at": _stamp(batch.created),
            "expires_at": _stamp(batch.created + DAY),
            "ended_at": _stamp(batch.ended),
            "cancel_initiated_at": _stamp(batch.cancel_initiated),
            "archived_at": None,
            "results_url": url if batch.status == "ended" else None,
        }

    # --- test side -------------------------------------------------------------------

    def finish(self, batch_id: str, processed: Iterable[str] | None = None) -> None:
        """End a batch now; a canceling one processes only `processed`, the rest cancel."""
        with self._lock:
            self._end(self.batches[batch_id], processed=processed)

    def expire(self, batch_id: str, processed: Iterable[str] = ()) -> None:
        """End a batch at its 24 h limit: requests not in `processed` expire."""
        with self._lock:
            self._end(self.batches[batch_id], processed=processed, leftover="expired")

    def fail(
        self, batch_id: str, custom_id: str, kind: str = "api_error", message: str = ""
    ) -> None:
        """Make one request end as `errored` with this error, whatever it asks."""
        with self._lock:
            text = message or "Internal server error"
            self.batches[batch_id].failures[custom_id] = error_body(kind, text)

    def hold_results(self, batch_id: str, status: int = 500, message: str = "") -> None:
        """Make the results file fail with `status` until `release_results`."""
        with self._lock:
            text = message or "Batch results are not yet available"
            self.batches[batch_id].held = (status, text)

    def release_results(self, batch_id: str) -> None:
        """Serve the results file again."""
        with self._lock:
            self.batches[batch_id].held = None

    def _end(self, batch: Batch, processed: Iterable[str] | None, leftover: str = "") -> None:
        if batch.status == "ended":
            return
        chosen = None if processed is None else set(processed)
        if batch.status == "canceling":
            leftover = leftover or "canceled"
            chosen = chosen or set()
        for item in batch.requests:
            cid = item["custom_id"]
            if chosen is not None and cid not in chosen:
                batch.results[cid] = {"type": leftover or "canceled"}
            elif cid in batch.failures:
                batch.results[cid] = {"type": "errored", "error": batch.failures[cid]}
            else:
                batch.results[cid] = self.processor(item["params"], cid, batch.id, batch.version)
        batch.status, batch.ended = "ended", self._now()


def shuffled(seed: str, ids: list[str]) -> list[str]:
    """Return `ids` in a deterministic order that is not the request order."""
    out = list(ids)
    random.Random(seed).shuffle(out)
    if len(out) > 1 and out == ids:
        out = out[1:] + out[:1]
    return out


def page(items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """Return one page of a list endpoint (SDK 2.17 pagination: data/has_more/ids)."""
    ids = [item["id"] for item in items]
    start, end = 0, len(items)
    if query.get("after_id") in ids:
        start = ids.index(query["after_id"]) + 1
    if query.get("before_id") in ids:
        end = ids.index(query["before_id"])
    limit = max(1, min(1000, int(query.get("limit") or 20)))
    chosen = items[start:end]
    data = chosen[-limit:] if "before_id" in query and "after_id" not in query else chosen[:limit]
    return {
        "data": data,
        "has_more": len(chosen) > len(data),
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
