"""When blocks go to Claude: debounce, settle, batch, cap, cancel, and stay in budget.

The protocol layer tells the scheduler what each open document looks like: all its
blocks on open (`update_document`), then each edit as the blocks it took out and put in
and the block the writer is typing in (`edit_document`; `pending.py` keeps the counts),
and when it was saved; the scheduler decides when to spend tokens. Findings are handed
on raw: thresholds are applied later, once, by `engine.visible_findings`. A block is
sent once it has *settled*: the writer paused for `debounce_ms` and is no longer inside
it, or its text ends a sentence (once per paragraph while the writer stays in it; after
that only leaving it or an `idle_settle` pause sends it again). With `trigger =
"onSave"` blocks wait for `saved`, with `"manual"` for `review_now`. Settled blocks of
all documents are batched into one request up to `batch_token_cap` estimated tokens; at
most `max_requests_in_flight` requests run and at most `requests_per_minute` start. A
request whose blocks have all been edited away is cancelled; any result for a block that
no longer exists is not delivered (but is cached, as it is content-addressed). The
results cache is consulted first, so reopening a document or undoing an edit costs
nothing. After a failure or when the daily budget is spent the scheduler pauses Claude
and says so through `on_event`; the protocol layer keeps serving local findings.

Time comes from an injectable `Clock` (`clock.py`); `VirtualClock` lets tests and the
typing-replay benchmark run minutes of typing in milliseconds without a real sleep.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from nudge.budget import DailyBudget, RateLimiter
from nudge.clock import Clock, SystemClock, VirtualClock
from nudge.critics.base import Critic, CritiqueRequest, DocumentContext
from nudge.model import Block, Finding
from nudge.pending import PendingDocument, ends_sentence, estimate_tokens, worth_sending
from nudge.results_cache import ResultsCache, cache_key
from nudge.settings import Settings
from nudge.telemetry import Telemetry

__all__ = ["Clock", "Scheduler", "SchedulerEvent", "Status", "SystemClock", "VirtualClock",
           "ends_sentence", "estimate_tokens", "worth_sending"]  # fmt: skip
log = logging.getLogger(__name__)
_EPSILON = 1e-6  # float slack so a timer set for last_edit + debounce finds the block due


@dataclass(frozen=True)
class SchedulerEvent:
    """Something the status bar or progress reporting should know about.

    `kind` is one of review_started, review_finished (message: done, failed or
    cancelled), unavailable (message: the reason), available, budget_spent.
    """

    kind: str
    blocks: int = 0
    message: str = ""


@dataclass(frozen=True)
class Status:
    """A snapshot for the status bar."""

    state: str
    message: str
    pending: int


@dataclass
class _Request:
    task: asyncio.Task[None]
    hashes: frozenset[str]


ResultsCallback = Callable[[str, str, list[Finding]], Awaitable[None]]
EventCallback = Callable[[SchedulerEvent], None]


class Scheduler:
    """Decides when blocks go to a critic, and hands results back per document."""

    def __init__(
        self,
        critic: Critic,
        settings: Settings,
        on_results: ResultsCallback,
        *,
        on_event: EventCallback | None = None,
        clock: Clock | None = None,
        cache: ResultsCache | None = None,
        budget: DailyBudget | None = None,
        telemetry: Telemetry | None = None,
        failure_cooldown: float = 30.0,
        idle_settle: float = 4.0,
        fallback_identities: Sequence[dict[str, Any]] = (),
    ):
        self.critic, self.settings = critic, settings
        self.on_results, self.on_event = on_results, on_event
        self.clock: Clock = clock or SystemClock()
        self.cache, self.budget, self.telemetry = cache, budget, telemetry
        self.failure_cooldown, self.idle_settle = failure_cooldown, idle_settle
        self.limiter = RateLimiter(settings.requests_per_minute)
        self._docs: dict[str, PendingDocument] = {}
        self._inflight: dict[str, _Request] = {}
        self._requests: set[asyncio.Task[None]] = set()
        self._paused_until = 0.0
        self._pause_reason = ""
        self._budget_spent = False
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._missed: set[str] = set()  # block hashes the results cache did not hold
        self._runner: asyncio.Task[None] | None = None
        self._identity: dict[str, Any] = critic.identity()
        # Other identities whose cached results serve too (`nudge review`'s models).
        self._fallbacks = [i for i in fallback_identities if i != self._identity]

    # The protocol layer's side.

    def update_document(
        self,
        uri: str,
        version: int,
        blocks: Sequence[Block],
        *,
        context: DocumentContext | None = None,
        cursor: int | None = None,
    ) -> None:
        """Record all of a document's blocks, after an open or a full change.

        `cursor` is the document offset where the writer is typing (the end of the
        last edit), or None when the document was opened or changed from outside.
        """
        doc = self._docs.get(uri)
        if doc is None:
            context = context or DocumentContext(uri=uri)
            doc = self._docs[uri] = PendingDocument(uri, version, context)
        removed = list(doc.counts)
        current = {b.hash for b in blocks}
        doc.blocks, doc.counts, doc.todo = {}, Counter(), {}
        doc.done &= current
        doc.requested &= current
        for block in blocks:
            doc.add(block)
        inside = None
        if cursor is not None:
            inside = next((b for b in blocks if b.start <= cursor <= b.end), None)
        self._edited(doc, version, context, inside, removed)

    def edit_document(
        self,
        uri: str,
        version: int,
        removed: Iterable[Block],
        added: Iterable[Block],
        *,
        cursor_block: Block | None = None,
        context: DocumentContext | None = None,
    ) -> None:
        """Record an incremental edit: the prose blocks it removed and those it added."""
        doc = self._docs.get(uri)
        if doc is None:
            self.update_document(uri, version, list(added), context=context)
            return
        gone = [b.hash for b in removed if doc.remove(b.hash)]
        for block in added:
            doc.add(block)
        self._edited(doc, version, context, cursor_block, gone)

    def _edited(
        self,
        doc: PendingDocument,
        version: int,
        context: DocumentContext | None,
        cursor_block: Block | None,
        gone: Iterable[str],
    ) -> None:
        doc.version, doc.cursor_block, doc.last_edit = version, cursor_block, self.clock.now()
        if context is not None:
            doc.context = context
        self._cancel_stale(gone)
        self._poke()

    def saved(self, uri: str) -> None:
        """Note a save: with `trigger = "onSave"` the document's blocks become due."""
        doc = self._docs.get(uri)
        if doc is not None and self.settings.trigger == "onSave":
            doc.requested |= doc.todo.keys()
            self._poke()

    def review_now(self, uri: str) -> None:
        """Send every not-yet-reviewed block of the document now, whatever the trigger."""
        doc = self._docs.get(uri)
        if doc is not None:
            doc.requested |= doc.todo.keys()
            self._paused_until = 0.0
            self._poke()

    def close_document(self, uri: str) -> None:
        """Forget a closed document; its in-flight work is cancelled if nobody needs it."""
        doc = self._docs.pop(uri, None)
        if doc is not None:
            self._cancel_stale(doc.counts)

    def update_settings(self, settings: Settings) -> None:
        """Use new settings from now on."""
        self.settings = settings
        self.limiter.per_minute = settings.requests_per_minute
        self._poke()

    def status(self) -> Status:
        """Return what the scheduler is doing, for the status bar."""
        pending = sum(len(doc.todo) for doc in self._docs.values())
        pending -= sum(1 for doc in self._docs.values() for h in self._inflight if h in doc.todo)
        in_flight = len(self._requests)
        if self._budget_spent:
            state, message = "budget_spent", "Claude budget for today spent; local suggestions only"
        elif self._paused_until > self.clock.now():
            state, message = "paused", f"{self._pause_reason}; local suggestions only"
        elif in_flight:
            state, message = "reviewing", f"Claude is reviewing {in_flight} batch(es)"
        else:
            state, message = ("waiting", "waiting for you to pause") if pending else ("idle", "")
        return Status(state, message, pending)

    async def drained(self) -> None:
        """Wait until every requested block is reviewed, or Claude stopped (paused, budget)."""
        while True:
            stopped = self._budget_spent or self._paused_until > self.clock.now()
            wanted = any(doc.requested for doc in self._docs.values())
            if not self._requests and (stopped or not wanted):
                return
            self._progress.clear()
            self._poke()
            await self._progress.wait()

    async def aclose(self) -> None:
        """Stop the scheduler and cancel everything under way."""
        tasks = [*self._requests, *([self._runner] if self._runner else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._runner = None

    # The scheduling loop.

    def _poke(self) -> None:
        self._wake.set()
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                wake_at = await self._dispatch()
            except Exception:  # never let one bad round stop reviews for the session
                log.exception("scheduler round failed")
                wake_at = self.clock.now() + self.failure_cooldown
            await self._wait(wake_at)

    async def _wait(self, wake_at: float | None) -> None:
        waiter = asyncio.ensure_future(self._wake.wait())
        waits: set[asyncio.Future[Any]] = {waiter}
        if wake_at is not None:
            waits.add(asyncio.ensure_future(self.clock.sleep(wake_at - self.clock.now())))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    def _settled(self, doc: PendingDocument, block: Block, now: float) -> bool:
        if block.hash in doc.requested:
            return True
        if self.settings.trigger != "onType":
            return False
        if now + _EPSILON < doc.last_edit + self.settings.debounce_ms / 1000:
            return False
        inside = doc.cursor_block
        if inside is None or inside.hash != block.hash:
            return True
        if not ends_sentence(block):
            return False
        # Finishing a sentence earns a paragraph one review while the writer is still in
        # it; after that it waits until they leave it or stop for `idle_settle`, so a
        # paragraph is not re-sent, ever longer, at every full stop.
        quiet = now + _EPSILON >= doc.last_edit + self.idle_settle
        if doc.reviewed_inside == inside.start and not quiet:
            return False
        doc.reviewed_inside = inside.start
        return True

    async def _dispatch(self) -> float | None:
        """Start what can start now; return when something might next become due."""
        now = self.clock.now()
        debounce = self.settings.debounce_ms / 1000
        wake: list[float] = []
        ready: dict[str, tuple[PendingDocument, Block]] = {}
        for doc in list(self._docs.values()):
            if not doc.requested:  # nothing in a document settles before its pause
                if self.settings.trigger != "onType":
                    continue
                if now + _EPSILON < doc.last_edit + debounce:
                    wake.append(doc.last_edit + debounce)
                    continue
            for h in list(doc.todo):
                if h in self._inflight or h in ready:
                    continue
                block = doc.blocks[h]
                if self._settled(doc, block, now):
                    ready[h] = (doc, block)
                elif self.settings.trigger == "onType":
                    wake.extend(
                        t
                        for t in (doc.last_edit + debounce, doc.last_edit + self.idle_settle)
                        if t > now + _EPSILON
                    )
        for h, (_, block) in list(ready.items()):
            if h not in self._missed and await self._from_cache(block):
                del ready[h]
        if ready:
            wake.extend(self._start_requests(list(ready.values()), now))
        self._progress.set()
        return min(wake) if wake else None

    async def _from_cache(self, block: Block) -> bool:
        if self.cache is None:
            return False
        findings = None
        for identity in (self._identity, *self._fallbacks):
            findings = self.cache.get(cache_key(identity, block.hash))
            if findings is not None:
                break
        if findings is None:
            if len(self._missed) > 100_000:
                self._missed.clear()
            self._missed.add(block.hash)  # asked once; a result it gets is delivered anyway
            return False
        if self.telemetry is not None:
            self.telemetry.record("cache_hit", blocks=1)
        await self._deliver(block.hash, findings)
        return True

    def _start_requests(
        self, ready: list[tuple[PendingDocument, Block]], now: float
    ) -> list[float]:
        if self.budget is not None and self.budget.exhausted():
            if not self._budget_spent:
                self._budget_spent = True
                self._emit("budget_spent", message=self.budget.describe())
            return []
        self._budget_spent = False
        if now < self._paused_until:
            return [self._paused_until]
        while ready and len(self._requests) < self.settings.max_requests_in_flight:
            slot = self.limiter.next_slot(now)
            if slot > now:
                return [slot]
            batch, tokens = [], 0
            while ready and (
                not batch or tokens + estimate_tokens(ready[0][1]) <= self.settings.batch_token_cap
            ):
                doc, block = ready.pop(0)
                tokens += estimate_tokens(block)
                batch.append(CritiqueRequest(block, doc.context))
            self.limiter.record(now)
            task = asyncio.get_running_loop().create_task(self._review(batch))
            request = _Request(task, frozenset(r.block.hash for r in batch))
            self._requests.add(task)
            for r in batch:
                self._inflight[r.block.hash] = request
        return []

    async def _review(self, batch: list[CritiqueRequest]) -> None:
        self._emit("review_started", len(batch))
        outcome = "cancelled"
        try:
            results = await self.critic.critique(batch)
            outcome = "done"
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = getattr(exc, "reason", None) or "Claude request failed"
            if getattr(exc, "reason", None) is None:
                log.warning("critic %s failed: %s", self.critic.name, type(exc).__name__)
            retry_after = getattr(exc, "retry_after", None)
            self._paused_until = self.clock.now() + max(retry_after or 0, self.failure_cooldown)
            self._pause_reason = reason
            self._emit("unavailable", len(batch), reason)
            outcome = "failed"
        else:
            if self._pause_reason:
                self._pause_reason = ""
                self._emit("available", len(batch))
            if len(results) != len(batch):
                log.warning(
                    "critic %s answered %d of %d blocks", self.critic.name, len(results), len(batch)
                )
            for request, findings in zip(batch, results, strict=False):
                if self.cache is not None:
                    self.cache.put(cache_key(self._identity, request.block.hash), findings)
                    self._missed.discard(request.block.hash)
                await self._deliver(request.block.hash, findings)
        finally:
            task = asyncio.current_task()
            self._requests.discard(task)  # type: ignore[arg-type]
            for r in batch:
                if (req := self._inflight.get(r.block.hash)) is not None and req.task is task:
                    del self._inflight[r.block.hash]
            self._emit("review_finished", len(batch), outcome)
            self._wake.set()
            self._progress.set()

    async def _deliver(self, block_hash: str, findings: list[Finding]) -> None:
        """Hand a block's raw graded findings on; filtering is `visible_findings`'s job."""
        for doc in list(self._docs.values()):
            if block_hash not in doc.todo:
                continue
            doc.todo.pop(block_hash, None)
            doc.requested.discard(block_hash)
            doc.done.add(block_hash)
            try:
                await self.on_results(doc.uri, block_hash, findings)
            except Exception:
                log.exception("on_results failed for %s", doc.uri)

    def _live(self, block_hash: str) -> bool:
        return any(block_hash in doc.counts for doc in self._docs.values())

    def _cancel_stale(self, gone: Iterable[str]) -> None:
        """Cancel requests none of whose blocks is live any more (only those `gone` touched)."""
        for h in set(gone):
            request = self._inflight.get(h)
            if request is not None and not any(self._live(x) for x in request.hashes):
                request.task.cancel()

    def _emit(self, kind: str, blocks: int = 0, message: str = ""):
        if self.on_event is not None:
            try:
                self.on_event(SchedulerEvent(kind, blocks, message))
            except Exception:
                log.exception("on_event failed")
