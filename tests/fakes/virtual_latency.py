"""Run a real client against the local fake on a virtual clock.

HTTP to 127.0.0.1 takes real milliseconds; while it is under way the virtual clock
must stand still, or a test's `advance()` would race past it. `HeldClient` wraps an
`AsyncAnthropic` client so each call holds the clock for its real duration, then
sleeps a fixed virtual `latency` (the model's thinking time in a benchmark). Given the
`fake`, it also sleeps the latency the fake simulated for that reply, which grows with
the reply's thinking tokens (`FakeClaude(thinking_latency=..., sleep=lambda s: None)`
so the server itself does not wait in real time), so a benchmark can compare efforts.
"""

from __future__ import annotations

from typing import Any


class _Messages:
    def __init__(self, inner: Any, clock: Any, latency: float, fake: Any):
        self._inner, self._clock, self._latency, self._fake = inner, clock, latency, fake

    async def create(self, **kwargs: Any) -> Any:
        with self._clock.hold():
            result = await self._inner.create(**kwargs)
        simulated = self._fake.simulated.get(result.id, 0.0) if self._fake else 0.0
        if self._latency or simulated:
            await self._clock.sleep(self._latency + simulated)
        return result


class HeldClient:
    """An AsyncAnthropic stand-in whose calls hold a VirtualClock, plus virtual latency."""

    def __init__(self, client: Any, clock: Any, latency: float = 0.0, fake: Any = None):
        self.messages = _Messages(client.messages, clock, latency, fake)
