"""The review service: Claude, its budget, the results cache and the scheduler, composed once.

The editor and the command line get Claude's findings the same way: `ReviewService`
builds the critic (through the registry), the daily budget, the results cache and the
scheduler from settings, the environment and the state folder, so `nudge check
--critic claude` shares the editor's batching, cache keys and budget. Findings come
back raw (graded, unfiltered) through `on_results`; what is shown is decided later by
`engine.visible_findings`. Results `nudge review` left in the cache (under the review
models' identity) serve too, so a reviewed file shows its findings with no call. Status
comes out as one `Status` value (`status()`), which the protocol layer maps onto its
`nudge/status` notification.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nudge.budget import DailyBudget
from nudge.critics.base import Critic, CriticUnavailable, DocumentContext
from nudge.critics.registry import make_critic
from nudge.model import Block, Finding
from nudge.results_cache import ResultsCache
from nudge.scheduler import Clock, EventCallback, ResultsCallback, Scheduler, Status
from nudge.settings import Settings
from nudge.telemetry import Telemetry

# Settings that change what Claude is asked: a change means a new critic.
CRITIC_SETTINGS = ("model", "grader_model", "effort", "grader_effort", "style_guide")


@dataclasses.dataclass(frozen=True)
class DocumentBlocks:
    """One document as the command line hands it over: its prose blocks and context."""

    uri: str
    blocks: Sequence[Block]
    context: DocumentContext


class ReviewService:
    """Claude for one workspace: critic, budget, results cache and scheduler."""

    def __init__(
        self,
        critic: Critic,
        settings: Settings,
        budget: DailyBudget,
        cache: ResultsCache,
        on_results: ResultsCallback,
        *,
        env: Mapping[str, str] | None = None,
        state_dir: Path | None = None,
        critic_options: Mapping[str, Any] | None = None,
        on_event: EventCallback | None = None,
        clock: Clock | None = None,
        telemetry: Telemetry | None = None,
        **scheduler_options: Any,
    ):
        self.critic, self.settings, self.budget, self.cache = critic, settings, budget, cache
        self.telemetry, self.on_results, self.on_event = telemetry, on_results, on_event
        self.env, self.state_dir = env, state_dir
        self.critic_options = dict(critic_options or {})
        self.clock, self.scheduler_options = clock, scheduler_options
        self.scheduler = self._scheduler(critic, settings)

    @classmethod
    def start(
        cls,
        settings: Settings,
        env: Mapping[str, str],
        state_dir: Path,
        on_results: ResultsCallback,
        *,
        telemetry: Telemetry | None = None,
        on_event: EventCallback | None = None,
        clock: Clock | None = None,
        **critic_options: Any,
    ) -> ReviewService | None:
        """Compose the service, or return None when Claude cannot run (no key)."""
        budget = DailyBudget(
            settings.daily_token_budget, settings.daily_cost_budget_usd, state_dir / "budget.json"
        )
        try:
            critic = make_critic("claude", settings, env, state_dir=state_dir, budget=budget,
                                 telemetry=telemetry, **critic_options)  # fmt: skip
        except CriticUnavailable:
            return None
        return cls(
            critic, settings, budget, ResultsCache(state_dir / "results"), on_results,
            env=env, state_dir=state_dir, critic_options=critic_options, on_event=on_event,
            clock=clock, telemetry=telemetry,
        )  # fmt: skip

    def _scheduler(self, critic: Critic, settings: Settings) -> Scheduler:
        from nudge.review_plan import review_identity

        style = getattr(critic, "style", None)  # a review made with the same house style
        return Scheduler(
            critic, settings, self.on_results, on_event=self.on_event, clock=self.clock,
            cache=self.cache, budget=self.budget, telemetry=self.telemetry,
            fallback_identities=[review_identity(settings, style)], **self.scheduler_options,
        )  # fmt: skip

    def prepare(self) -> asyncio.Task[None] | None:
        """Start the critic's model probe in the background, if it has one."""
        prepare = getattr(self.critic, "prepare", None)
        if prepare is None:
            return None
        task = asyncio.get_running_loop().create_task(prepare())
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return task

    def status(self) -> Status:
        """Return what Claude is doing now."""
        return self.scheduler.status()

    async def update_settings(self, settings: Settings) -> bool:
        """Use new settings; return True when a new critic was built (re-send documents)."""
        old, self.settings = self.settings, settings
        self.budget.set_limits(settings.daily_token_budget, settings.daily_cost_budget_usd)
        style = self.critic_options.get("style")
        current = style() if callable(style) else style
        same_style = getattr(current, "hash", "") == getattr(
            getattr(self.critic, "style", None), "hash", ""
        )
        if same_style and all(getattr(old, k) == getattr(settings, k) for k in CRITIC_SETTINGS):
            self.scheduler.update_settings(settings)
            return False
        critic = make_critic(
            "claude", settings, self.env, state_dir=self.state_dir, budget=self.budget,
            telemetry=self.telemetry, **self.critic_options,
        )  # fmt: skip
        scheduler, self.critic = self.scheduler, critic
        self.scheduler = self._scheduler(critic, settings)
        self.prepare()
        await scheduler.aclose()
        return True

    async def review_all(self, documents: Sequence[DocumentBlocks]) -> dict[str, list[Finding]]:
        """Review every block now (the command line's way); return raw findings by hash.

        Blocks the results cache holds cost nothing. When Claude becomes unavailable or
        the budget is spent, what was reviewed so far is returned.
        """
        results: dict[str, list[Finding]] = {}
        collect = self.on_results

        async def keep(uri: str, block_hash: str, findings: list[Finding]) -> None:
            results[block_hash] = findings
            await collect(uri, block_hash, findings)

        self.scheduler.on_results = keep
        try:
            for doc in documents:
                self.scheduler.update_document(doc.uri, 0, doc.blocks, context=doc.context)
                self.scheduler.review_now(doc.uri)
            await self.scheduler.drained()
        finally:
            self.scheduler.on_results = collect
        return results

    async def aclose(self) -> None:
        """Stop every review under way and close the client."""
        await self.scheduler.aclose()
        close = getattr(getattr(self.critic, "caller", None), "client", None)
        if close is not None and hasattr(close, "close"):
            await close.close()
        self.cache.close()
