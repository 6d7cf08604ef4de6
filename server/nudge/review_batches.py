"""The Message Batches API as a review uses it: limits, creation, polling, orphans.

A batch holds at most 100,000 requests and 256 MB (batch-processing page, "Batch
limitations"); `chunks` cuts a stream of requests to fit, and `create` reports a 413
`request_too_large` as `TooLarge` so the caller can halve the batch. `find_orphan` looks
for a batch that was created but whose id was never recorded (a crash mid-create): the
newest batch no run knows of, with the same number of requests. A wrong guess costs a
resubmission, never a wrong finding, because results whose `custom_id` is not expected
are ignored and requests left without a result are sent again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import anthropic

from nudge.critics.transport import REASONS, classify

MAX_REQUESTS = 100_000
MAX_BYTES = 256 * 1024 * 1024
ENVELOPE = 64  # the {"requests": [...]} around the items, with room to spare


@dataclass(frozen=True)
class Limits:
    """How many requests and bytes one batch may hold."""

    max_requests: int = MAX_REQUESTS
    max_bytes: int = MAX_BYTES


@dataclass
class Item:
    """One request ready to send, with the record it belongs to."""

    custom_id: str
    params: dict[str, Any]
    size: int
    record: dict[str, Any]


class TooLarge(Exception):
    """The API refused a batch as too large (413)."""


class BatchesUnavailable(Exception):
    """The Batches API cannot be reached or refused the call; `reason` is safe to show."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def unavailable(exc: Exception) -> BatchesUnavailable:
    """Return the error to raise for an SDK failure, with a reason fit to print."""
    status, _, _ = classify(exc)
    return BatchesUnavailable(REASONS.get(status, f"Claude request failed ({status})"))


def chunks(items: Iterable[Item], limits: Limits) -> Iterator[list[Item]]:
    """Yield groups of items that each fit one batch (an oversized item goes alone)."""
    group: list[Item] = []
    size = ENVELOPE
    for item in items:
        full = len(group) >= limits.max_requests or size + item.size > limits.max_bytes
        if group and full:
            yield group
            group, size = [], ENVELOPE
        group.append(item)
        size += item.size
    if group:
        yield group


def create(client: Any, items: list[Item]) -> Any:
    """Create one batch; raise TooLarge on a 413, BatchesUnavailable on other failures."""
    requests = [{"custom_id": i.custom_id, "params": i.params} for i in items]
    try:
        return client.messages.batches.create(requests=requests)
    except anthropic.APIStatusError as exc:
        if exc.status_code == 413:
            raise TooLarge(str(exc.message)) from None
        raise unavailable(exc) from None
    except anthropic.APIConnectionError as exc:
        raise unavailable(exc) from None


def total(counts: Any) -> int:
    """Return the number of requests a batch's `request_counts` account for."""
    names = ("processing", "succeeded", "errored", "canceled", "expired")
    return sum(int(getattr(counts, n, 0) or 0) for n in names)


def find_orphan(client: Any, size: int, known: set[str]) -> str | None:
    """Return the id of the newest unknown batch holding `size` requests, if any."""
    try:
        page = client.messages.batches.list(limit=20)
    except (anthropic.APIStatusError, anthropic.APIConnectionError):
        return None
    for batch in page.data:
        if batch.id not in known and total(batch.request_counts) == size:
            return str(batch.id)
    return None


def counts_of(batch: Any) -> dict[str, int]:
    """Return a batch's request counts as plain data."""
    names = ("processing", "succeeded", "errored", "canceled", "expired")
    return {n: int(getattr(batch.request_counts, n, 0) or 0) for n in names}


def error_text(result: Any) -> str:
    """Return why a result is not a message: its type, and an error's type and message."""
    if result.type != "errored":
        return result.type
    error = getattr(getattr(result, "error", None), "error", None)
    kind = getattr(error, "type", "error")
    message = " ".join(str(getattr(error, "message", "")).split())[:200]
    return f"errored: {kind}" + (f" ({message})" if message else "")
