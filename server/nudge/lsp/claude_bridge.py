"""The protocol side of Claude: documents in, status and progress out.

The core's `ReviewService` owns the critic, budget, results cache and scheduler.
This module only feeds it what the handlers saw (an open, or the blocks an edit took
out and put in, never the whole document again) and turns what comes back into LSP:
raw findings into the session and a publish, scheduler events into the `nudge/status`
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

from nudge.critics.base import NO_KEY_MESSAGE, VSCODE_NO_KEY_MESSAGE
from nudge.critics.models import model_warnings
from nudge.document import EditResult
from nudge.engine import document_context
from nudge.model import Finding
from nudge.notices import first_time
from nudge.scheduler import SchedulerEvent
from nudge.service import ReviewService
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
    """Say, at initialize, how to enable Claude when a trusted workspace has no key.

    Once per workspace (remembered in the state folder), as information, and never
    when the client says the writer chose to work offline (`offline: true` in the
    initialization options, which the VS Code extension sends after "Clear API Key").
    Under the VS Code extension (`client: "vscode"`) it names the extension's command
    instead of the environment variable. The protocol allows showMessage while answering
    initialize, so the message reaches the editor before anything else the server says.
    """
    env = os.environ if env is None else env
    if not ls.trusted:
        log.info("untrusted workspace: Claude is off, local suggestions only")
        return
    if (env.get("ANTHROPIC_API_KEY") or "").strip():
        return
    message = VSCODE_NO_KEY_MESSAGE if ls.client_name == "vscode" else NO_KEY_MESSAGE
    log.info(message)
    if ls.offline_chosen:
        return
    root = ls.session.root if ls.session else None
    if first_time(ls.state_dir(), "no_key", root):
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, message))


def start(ls: NudgeServer, env: Mapping[str, str] | None = None) -> ClaudeBridge | None:
    """Build the bridge if the workspace is trusted and a key is set."""
    env = os.environ if env is None else env
    assert ls.session is not None
    if not ls.trusted:
        return None
    bridge = ClaudeBridge(ls)
    session = ls.session
    service = ReviewService.start(
        session.settings, env, ls.state_dir(), bridge.on_results,
        telemetry=session.telemetry, on_event=bridge.on_event,
        style=lambda: session.style, unwanted=session.unwanted.recent,
    )  # fmt: skip
    if service is None:
        return None  # `announce` told the writer
    bridge.service = service
    bridge.note_identity()
    for warning in model_warnings(ls.session.settings):
        ls.warn(f"Nudge: {warning}.")
    service.prepare()
    return bridge


class ClaudeBridge:
    """Feeds documents to the review service and turns its results and events into LSP."""

    service: ReviewService

    def __init__(self, ls: NudgeServer):
        self.ls = ls
        self.reviews = 0
        self.progress: str | None = None
        self.failure = ""

    def note_identity(self) -> None:
        """Tell the session what produces Claude's findings, for their outcomes."""
        critic = self.service.critic
        identity = getattr(critic, "identity", dict)()
        prompt = "+".join(filter(None, (identity.get("critique"), identity.get("grade"))))
        if identity.get("style"):
            prompt += f"+style:{identity['style']}"
        assert self.ls.session is not None
        self.ls.session.claude_identity = {"model": str(identity.get("model", "")),
                                           "prompt": prompt}  # fmt: skip

    # From the handlers ----------------------------------------------------------
    def open(self, uri: str) -> None:
        """Tell the scheduler all of a document's blocks (after an open or a full change)."""
        session = self.ls.session
        doc = session.documents.get(uri) if session else None
        if doc is None:
            self.service.scheduler.close_document(uri)
            return
        context = document_context(uri, doc.language, doc.blocks())
        self.service.scheduler.update_document(uri, doc.version, doc.prose_blocks(),
                                               context=context)  # fmt: skip

    def edit(self, uri: str, result: EditResult, cursor: int | None) -> None:
        """Tell the scheduler what an edit changed; never rescans the document."""
        session = self.ls.session
        doc = session.documents.get(uri) if session else None
        if doc is None or result.full:
            self.open(uri)
            return
        context = None
        headings = [sorted(b.hash for b in blocks if b.kind == "heading")
                    for blocks in (result.removed, result.added)]  # fmt: skip
        if headings[0] != headings[1]:  # a heading changed: the title or outline may have
            context = document_context(uri, doc.language, doc.blocks())
        inside = doc.block_at(cursor) if cursor is not None else None
        self.service.scheduler.edit_document(
            uri, doc.version, result.removed, result.added, cursor_block=inside, context=context
        )

    def saved(self, uri: str) -> None:
        """Note a save (matters with trigger onSave)."""
        self.service.scheduler.saved(uri)

    def review_now(self, uri: str) -> None:
        """Review a document now, whatever the trigger."""
        self.service.scheduler.review_now(uri)

    def close(self, uri: str) -> None:
        """Forget a closed document."""
        self.service.scheduler.close_document(uri)

    async def settings_changed(self, settings: Settings) -> None:
        """Apply new settings; a new model or effort means a new critic, so re-send all."""
        if await self.service.update_settings(settings):
            self.note_identity()
            for warning in model_warnings(settings):
                self.ls.warn(f"Nudge: {warning}.")
            assert self.ls.session is not None
            for uri in self.ls.session.documents:
                self.open(uri)

    async def aclose(self) -> None:
        """Stop every review under way."""
        await self.service.aclose()

    # From the scheduler ---------------------------------------------------------
    async def on_results(self, uri: str, block_hash: str, findings: list[Finding]) -> None:
        """Keep a block's raw graded Claude findings in the session and publish."""
        session = self.ls.session
        if session is None or uri not in session.documents:
            return
        session.set_remote_findings(uri, block_hash, findings)
        self.ls.publish_soon(uri)

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
            self.ls.status("degraded", f"{event.message}; local suggestions only")
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
        status = self.service.status()
        if self.reviews:
            return "reviewing", f"Claude is reviewing ({self.reviews} request(s))"
        if status.state == "budget_spent":
            return "budget", status.message
        if status.state == "paused" or self.failure:
            return "degraded", status.message if status.state == "paused" else self.failure
        return "ready", f"Claude ({self.service.settings.model}) and local suggestions"

    # Work-done progress -----------------------------------------------------------
    def _supports_progress(self) -> bool:
        return self.ls.features.work_done_progress

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
