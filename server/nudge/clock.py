"""Time for the scheduler: the real monotonic clock, and a virtual one for tests.

`VirtualClock` moves only when told to, firing sleepers in time order, so tests and the
typing-replay benchmark run minutes of typing in milliseconds without a real sleep;
`hold()` marks real work (HTTP to a local fake) during which virtual time stands still.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Iterator
from typing import Protocol


class Clock(Protocol):
    """A source of monotonic time in seconds, and a way to wait on it."""

    def now(self) -> float:
        """Return the current time in seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...


class SystemClock:
    """The real monotonic clock."""

    def now(self) -> float:
        """Return the current time in seconds."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of real time."""
        await asyncio.sleep(max(0.0, seconds))


class VirtualClock:
    """A clock that moves only when told to, firing sleepers in time order."""

    def __init__(self, start: float = 0.0):
        self._now = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._holds = 0

    def now(self) -> float:
        """Return the virtual time."""
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock has been advanced by `seconds`."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self._now + seconds, next(self._seq), future))
        await future

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Mark real work (such as HTTP to a local fake) during which time stands still."""
        self._holds += 1
        try:
            yield
        finally:
            self._holds -= 1

    async def settle(self) -> None:
        """Let every runnable task run, waiting out any real work in progress."""
        while True:
            for _ in range(20):
                await asyncio.sleep(0)
            if not self._holds:
                return
            await asyncio.sleep(0.001)

    async def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking each sleeper at its own moment."""
        target = self._now + seconds
        await self.settle()
        while self._timers and self._timers[0][0] <= target:
            when, _, future = heapq.heappop(self._timers)
            if future.done():
                continue
            self._now = max(self._now, when)
            future.set_result(None)
            await self.settle()
        self._now = max(self._now, target)
        await self.settle()
