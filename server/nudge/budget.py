"""Money and pace: token usage, cost estimates, a per-minute limiter and a daily budget.

Every Claude call reports four kinds of tokens (uncached input, cache writes, cache
reads, output). `TokenUsage` adds them up, `estimate_cost` prices them from the model
table, `RateLimiter` caps requests per minute on an injectable clock, and
`DailyBudget` persists the day's spend in a small JSON file so that a restart does
not reset it. When the budget is spent the scheduler stops calling Claude and the
server serves local findings only.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nudge.critics.models import model_spec
from nudge.safe_io import read_small_file, write_atomically

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenUsage:
    """Tokens billed for one or more calls, by kind."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0  # all cache writes, of which
    cache_read_tokens: int = 0
    cache_write_1h_tokens: int = 0  # ... these were written for an hour (2x, not 1.25x)

    @classmethod
    def from_api(cls, usage: Any) -> TokenUsage:
        """Read the SDK's `usage` object (missing cache fields count as zero)."""
        split = getattr(usage, "cache_creation", None)
        return cls(
            int(getattr(usage, "input_tokens", 0) or 0),
            int(getattr(usage, "output_tokens", 0) or 0),
            int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
            int(getattr(usage, "cache_read_input_tokens", 0) or 0),
            int(getattr(split, "ephemeral_1h_input_tokens", 0) or 0),
        )

    @property
    def total(self) -> int:
        """Return all tokens of every kind."""
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_write_tokens
            + self.cache_read_tokens
        )

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_1h_tokens + other.cache_write_1h_tokens,
        )

    def as_dict(self) -> dict[str, int]:
        """Return the four kinds by name, for telemetry and reports (they add up to total)."""
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "cache_read_tokens": self.cache_read_tokens,
        }


def estimate_cost(model: str, usage: TokenUsage, *, batch: bool = False) -> float:
    """Return the estimated US dollar cost of `usage` on `model` (batch: half price).

    Prices come from the model table (`critics/models.py`). Cache writes are priced at
    the 5-minute rate, or the 1-hour rate for those written for an hour (batches). A
    model with a long-context tier (Haiku 5.5 above 100k prompt tokens) bills the whole
    request at that tier.
    """
    spec = model_spec(model)
    prompt = usage.input_tokens + usage.cache_write_tokens + usage.cache_read_tokens
    p = spec.price
    if spec.long_context_tokens and spec.long_price and prompt > spec.long_context_tokens:
        p = spec.long_price
    dollars = (
        usage.input_tokens * p.input
        + usage.output_tokens * p.output
        + (usage.cache_write_tokens - usage.cache_write_1h_tokens) * p.cache_write_5m
        + usage.cache_write_1h_tokens * p.cache_write_1h
        + usage.cache_read_tokens * p.cache_read
    ) / 1_000_000
    return dollars / 2 if batch else dollars


class RateLimiter:
    """At most `per_minute` starts in any 60-second window of the given clock."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._starts: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self._starts and self._starts[0] <= now - 60.0:
            self._starts.popleft()

    def next_slot(self, now: float) -> float:
        """Return the earliest time (>= now) at which a request may start."""
        self._trim(now)
        if len(self._starts) < self.per_minute:
            return now
        return self._starts[0] + 60.0

    def record(self, now: float) -> None:
        """Note that a request started at `now`."""
        self._starts.append(now)


def _is_amount(value: Any) -> bool:
    """Tell whether `value` is a finite, non-negative number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return (isinstance(value, int) or math.isfinite(value)) and 0 <= value < 10**15


def local_day() -> str:
    """Return today's date in local time, the budget's day key."""
    return time.strftime("%Y-%m-%d")


class DailyBudget:
    """Tokens and estimated dollars spent today, with limits (0 means no limit)."""

    def __init__(
        self,
        token_limit: int = 0,
        cost_limit_usd: float = 0.0,
        path: Path | None = None,
        today: Callable[[], str] = local_day,
    ):
        self.token_limit, self.cost_limit_usd = token_limit, cost_limit_usd
        self.path, self.today = path, today
        self._day, self._tokens, self._cost = today(), 0, 0.0
        self._load()

    def set_limits(self, token_limit: int, cost_limit_usd: float) -> None:
        """Change the limits while running; they apply to the next request."""
        self.token_limit, self.cost_limit_usd = token_limit, cost_limit_usd

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            data = json.loads(read_small_file(self.path, 4096).decode("utf-8"))
            if data.get("day") == self._day:
                tokens, cost = data["tokens"], data["cost_usd"]
                if not all(_is_amount(v) for v in (tokens, cost)):
                    raise ValueError("tokens and cost_usd must be finite, non-negative numbers")
                self._tokens, self._cost = int(tokens), float(cost)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("budget file %s unreadable (%s); starting the day at zero", self.path, exc)

    def _roll(self) -> None:
        day = self.today()
        if day != self._day:
            self._day, self._tokens, self._cost = day, 0, 0.0

    def record(self, tokens: int, cost_usd: float) -> None:
        """Add one call's tokens and cost to today's spend and persist it."""
        self._roll()
        self._tokens += tokens
        self._cost += cost_usd
        if self.path is not None:
            data = {"day": self._day, "tokens": self._tokens, "cost_usd": round(self._cost, 6)}
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(self.path, json.dumps(data).encode(), 0o600)
            except OSError as exc:
                log.warning("cannot save the budget file %s (%s)", self.path, exc)

    def spent(self) -> tuple[int, float]:
        """Return today's (tokens, estimated dollars)."""
        self._roll()
        return self._tokens, self._cost

    def exhausted(self) -> bool:
        """Tell whether either daily limit has been reached."""
        tokens, cost = self.spent()
        if not all(_is_amount(v) for v in (self.token_limit, self.cost_limit_usd)):
            return True  # a limit that is not a number never switches the cap off
        return bool(
            (self.token_limit and tokens >= self.token_limit)
            or (self.cost_limit_usd and cost >= self.cost_limit_usd)
        )

    def describe(self) -> str:
        """Return a one-line status of today's spend against the limits."""
        tokens, cost = self.spent()
        limits = []
        if self.token_limit:
            limits.append(f"{tokens:,}/{self.token_limit:,} tokens")
        if self.cost_limit_usd:
            limits.append(f"${cost:.2f}/${self.cost_limit_usd:.2f}")
        return "today: " + (", ".join(limits) or f"{tokens:,} tokens, ${cost:.2f}")
