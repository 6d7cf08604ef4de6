"""The glue between the language server and Claude: owns the critic and the scheduler.

Handlers tell the bridge what each document looks like after every change; the
scheduler decides when blocks go to Claude, and its results come back here to be
merged into the session and published. Scheduler events become the status bar's
state and work-done progress. Without a key, or in an untrusted workspace, there is
no bridge at all and Nudge serves local findings only.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from lsprotocol import types

from nudge.budget import DailyBudget
from nudge.critics.claude import NO_KEY_MESSAGE, ClaudeCritic
from nudge.engine import document_context
from nudge.model import Finding
from nudge.results_cache import ResultsCache
from nudge.scheduler import Scheduler, SchedulerEvent
from nudge.settings import Settings
from nudge.telemetry import Telemetry

if TYPE_CHECKING:
    from nudge.lsp.server import NudgeServer

log = logging.getLogger(__name__)
_TOKENS = itertools.count(1)


def telemetry_for(ls: NudgeServer) -> Telemetry:
    """Return the server's local telemetry log under its cache folder."""
    return Telemetry(ls.state_dir() / "telemetry.jsonl")


def announce(ls: NudgeServer, env: Mapping[str, str] | None = None) -> None:
    """Say once, at initialize, how to enable Claude when a trusted workspace has no key.

    The protocol allows showMessage while answering initialize, so the message
    reaches the editor before anything else the server says.
    """
    env = os.environ if env is None else env
    if not ls.trusted:
        log.info("untrusted workspace: Claude is off, local suggestions only")
    elif not (env.get("ANTHROPIC_API_KEY") or "").strip():
        log.info(NO_KEY_MESSAGE)
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, NO_KEY_MESSAGE))


def start(ls: NudgeServer, env: Mapping[str, str] | None = None) -> ClaudeBridge | None:
    """Build the bridge if the workspace is trusted and a key is set."""
    env = os.environ if env is None else env
    assert ls.session is not None
    if not ls.trusted:
        return None
    settings = ls.session.settings
    directory = ls.state_dir()
    budget = DailyBudget(
        settings.daily_token_budget, settings.daily_cost_budget_usd, directory / "budget.json"
    )
    critic = ClaudeCritic.from_settings(
        settings,
        env,
        budget=budget,
        telemetry=ls.session.telemetry,
        probe_cache=directory / "models.json",
    )
    if critic is None:
        return None  # `announce` told the writer
    return ClaudeBridge(ls, critic, budget, env)


class ClaudeBridge:
    """Feeds documents to the scheduler and turns its results and events into LSP."""

    def __init__(
        self, ls: NudgeServer, critic: ClaudeCritic, budget: DailyBudget, env: Mapping[str, str]
    ):
        self.ls, self.critic, self.budget, self.env = ls, critic, budget, env
        assert ls.session is not None
        self.cache = ResultsCache(ls.state_dir() / "results")
        self.scheduler = self._scheduler(ls.session.settings)
        self.reviews = 0
        self.progress: str | None = None
        self.failure = ""
        self._prepare(critic)

    def _prepare(self, critic: ClaudeCritic) -> None:
        """Probe the models in the background, so the first review need not wait."""
        task = asyncio.get_running_loop().create_task(critic.prepare())
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    def _scheduler(self, settings: Settings) -> Scheduler:
        assert self.ls.session is not None
        return Scheduler(
            self.critic,
            settings,
            self.on_results,
            on_event=self.on_event,
            cache=self.cache,
            budget=self.budget,
            telemetry=self.ls.session.telemetry,
        )

    # From the handlers ----------------------------------------------------------
    def update(self, uri: str, cursor: int | None = None) -> None:
        """Tell the scheduler a document's current blocks (never waits)."""
        session = self.ls.session
        doc = session.documents.get(uri) if session else None
        if doc is None:
            self.scheduler.close_document(uri)
            return
        blocks = doc.prose_blocks()
        context = document_context(uri, doc.language, doc.blocks())
        self.scheduler.update_document(uri, doc.version, blocks, context=context, cursor=cursor)

    def saved(self, uri: str) -> None:
        """Note a save (matters with trigger onSave)."""
        self.scheduler.saved(uri)

    def review_now(self, uri: str) -> None:
        """Review a document now, whatever the trigger."""
        self.scheduler.review_now(uri)

    def close(self, uri: str) -> None:
        """Forget a closed document."""
        self.scheduler.close_document(uri)

    async def settings_changed(self, settings: Settings) -> None:
        """Apply new settings; a new model means a new critic and scheduler."""
        if (settings.model, settings.grader_model) == (self.critic.model, self.critic.grader_model):
            self.scheduler.update_settings(settings)
            return
        critic = ClaudeCritic.from_settings(
            settings,
            self.env,
            budget=self.budget,
            telemetry=self.critic.caller.telemetry,
            probe_cache=self.critic.probe_cache,
        )
        if critic is None:
            return
        self._prepare(critic)
        old, self.critic = self.scheduler, critic
        self.scheduler = self._scheduler(settings)
        await old.aclose()
        assert self.ls.session is not None
        for uri in self.ls.session.documents:
            self.update(uri)

    async def aclose(self) -> None:
        """Stop every review under way."""
        await self.scheduler.aclose()

    # From the scheduler ---------------------------------------------------------
    async def on_results(self, uri: str, block_hash: str, findings: list[Finding]) -> None:
        """Merge a block's graded Claude findings into the session and publish."""
        session = self.ls.session
        if session is None or uri not in session.documents:
            return
        session.set_remote_findings(uri, block_hash, findings)
        self.ls.publish(uri)

    def on_event(self, event: SchedulerEvent) -> None:
        """Turn a scheduler event into status, progress, log lines and messages."""
        if event.kind == "review_started":
            self.reviews += 1
            if self.reviews == 1:
                self._begin_progress(event.blocks)
            self.ls.status("reviewing", f"Claude is reviewing {event.blocks} paragraph(s)")
        elif event.kind == "review_finished":
            self.reviews = max(0, self.reviews - 1)
            if self.reviews == 0:
                self._end_progress(event.message)
            if event.message == "done":
                self.failure = ""
            self.ls.status(*self.idle_state())
        elif event.kind == "unavailable":
            self.failure = event.message
            log.warning("Claude unavailable (%s); serving local suggestions", event.message)
            self.ls.status("error", f"{event.message}; local suggestions only")
        elif event.kind == "available":
            self.failure = ""
            self.ls.status(*self.idle_state())
        elif event.kind == "budget_spent":
            message = f"Nudge: today's Claude budget is spent ({event.message}); local only."
            log.warning(message)
            self.ls.inform(message)
            self.ls.status("budget", message)

    def idle_state(self) -> tuple[str, str]:
        """Return the status bar state when no review is running."""
        status = self.scheduler.status()
        if self.reviews:
            return "reviewing", f"Claude is reviewing ({self.reviews} request(s))"
        if status.state == "budget_spent":
            return "budget", status.message
        if status.state == "paused" or self.failure:
            return "error", status.message if status.state == "paused" else self.failure
        return "ready", f"Claude ({self.critic.model}) and local suggestions"

    # Work-done progress -----------------------------------------------------------
    def _supports_progress(self) -> bool:
        window = self.ls.client_capabilities.window
        return bool(window and window.work_done_progress)

    def _begin_progress(self, blocks: int) -> None:
        if not self._supports_progress():
            return
        token = f"nudge-review-{next(_TOKENS)}"
        self.progress = token
        asyncio.get_running_loop().create_task(self._create_progress(token, blocks))

    async def _create_progress(self, token: str, blocks: int) -> None:
        progress = self.ls.work_done_progress
        try:
            await progress.create_async(token)
        except Exception as exc:  # a client may refuse; reviews go on without progress
            log.debug("work done progress refused: %s", exc)
            if self.progress == token:
                self.progress = None
            return
        begin = types.WorkDoneProgressBegin(
            title="Nudge", message=f"Claude is reviewing {blocks} paragraph(s)", cancellable=False
        )
        progress.begin(token, begin)
        if self.progress != token:  # finished while the client was answering
            progress.end(token, types.WorkDoneProgressEnd(message="done"))

    def _end_progress(self, outcome: str) -> None:
        token, self.progress = self.progress, None
        if token is None:
            return
        progress = self.ls.work_done_progress
        if token in progress.tokens:
            progress.end(token, types.WorkDoneProgressEnd(message=outcome))
