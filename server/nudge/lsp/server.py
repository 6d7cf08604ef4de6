"""The language server: Nudge's session behind pygls, over stdio or TCP.

Nudge keeps its own copy of each document (`nudge.document`), so pygls's document
store is bypassed: the protocol subclass below forwards open/change/close straight
to Nudge's handlers (`nudge.lsp.app` registers them). They only update the session and
arm a debounce timer; findings are computed and published when the writer pauses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from nudge import __version__
from nudge.lsp.convert import to_diagnostic
from nudge.session import Session, uri_to_path
from nudge.store import default_cache_dir

if TYPE_CHECKING:
    from nudge.lsp.claude_bridge import ClaudeBridge

log = logging.getLogger(__name__)

STATUS = "nudge/status"


class NudgeProtocol(LanguageServerProtocol):
    """Protocol that leaves document text to Nudge instead of pygls's workspace."""

    def _forward(self, method: str, params: Any) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        """Hand the opened document to Nudge."""
        yield from self._forward(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        """Hand the edit to Nudge."""
        yield from self._forward(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        """Hand the close to Nudge."""
        yield from self._forward(types.TEXT_DOCUMENT_DID_CLOSE, params)


@dataclass(frozen=True)
class ClientFeatures:
    """What the client can do, resolved once at `initialize`."""

    configuration: bool = False  # answers workspace/configuration
    work_done_progress: bool = False  # shows server-started progress
    watched_files: bool = False  # lets the server register file watchers dynamically

    @classmethod
    def of(cls, capabilities: types.ClientCapabilities | None) -> ClientFeatures:
        """Read the few capabilities Nudge uses."""
        workspace = capabilities.workspace if capabilities else None
        window = capabilities.window if capabilities else None
        return cls(
            configuration=bool(workspace and workspace.configuration),
            work_done_progress=bool(window and window.work_done_progress),
            watched_files=bool(
                workspace
                and workspace.did_change_watched_files
                and workspace.did_change_watched_files.dynamic_registration
            ),
        )


class NudgeServer(LanguageServer):
    """The language server; all state lives here or in its session."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        super().__init__("nudge", __version__, protocol_cls=NudgeProtocol)
        self.cache_dir = cache_dir
        self.session: Session | None = None
        self.trusted = True
        self.client_name = ""  # `client` in initialization options ("vscode" for ours)
        self.offline_chosen = False  # `offline: true`: the writer chose local suggestions
        self.encoding = "utf-16"
        self.timers: dict[str, asyncio.TimerHandle | asyncio.Handle] = {}
        self.pending_messages: list[tuple[types.MessageType, str]] | None = []
        self.published: dict[str, int] = {}
        self.configured = False
        self.config_generation = 0  # bumped per configuration question or push
        self.bridge: ClaudeBridge | None = None
        self.features = ClientFeatures()
        self._warned: set[str] = set()

    def state_dir(self) -> Path:
        """Return the folder for Nudge's caches, budget and telemetry."""
        return self.cache_dir or default_cache_dir()

    # Messages -------------------------------------------------------------------
    def warn(self, message: str) -> None:
        """Show a warning to the writer (queued until the client is ready)."""
        log.warning(message)
        if self.pending_messages is not None:
            self.pending_messages.append((types.MessageType.Warning, message))
        else:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, message))

    def inform(self, message: str) -> None:
        """Show an information message (queued until the client is ready)."""
        if self.pending_messages is not None:
            self.pending_messages.append((types.MessageType.Info, message))
        else:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Info, message))

    def apply_settings(self, editor: dict[str, object] | None = None) -> None:
        """Re-read the team file (and editor settings, if given), warning each problem once.

        The same typo in `.nudge.toml` is reported when it first appears, not again at
        every reload; a problem that was fixed and comes back is reported again.
        """
        if self.session is None:
            return
        problems = {str(p) for p in self.session.reload_settings(editor)}
        for problem in sorted(problems - self._warned):
            self.warn(problem)
        self._warned = problems

    def flush_messages(self) -> None:
        """Send the messages queued during start-up."""
        queued, self.pending_messages = self.pending_messages or [], None
        for kind, message in queued:
            self.window_show_message(types.ShowMessageParams(kind, message))

    def status(self, state: str, message: str = "") -> None:
        """Tell the client what Nudge is doing (a custom `nudge/status` notification)."""
        count = sum(self.published.values())
        self.protocol.notify(STATUS, {"state": state, "count": count, "message": message})

    # Publishing -------------------------------------------------------------------
    def schedule_publish(self, uri: str, delay: float) -> None:
        """Publish a document's diagnostics after `delay` seconds of quiet."""
        if (timer := self.timers.pop(uri, None)) is not None:
            timer.cancel()
        loop = asyncio.get_event_loop()
        self.timers[uri] = loop.call_later(delay, self.publish, uri)

    def publish_soon(self, uri: str) -> None:
        """Publish at the next turn of the loop, once for results that arrive together.

        A pending debounce timer already covers it: the writer is still typing.
        """
        if uri not in self.timers:
            self.timers[uri] = asyncio.get_event_loop().call_soon(self.publish, uri)

    def publish(self, uri: str) -> None:
        """Compute and publish a document's diagnostics now."""
        self.timers.pop(uri, None)
        session = self.session
        if session is None:
            return
        doc = session.documents.get(uri)
        if doc is None:
            self.clear(uri)
            return
        mapper = doc.mapper
        severities = session.settings.severity
        findings = session.findings(uri)
        session.note_shown(uri, findings)
        diagnostics = [
            to_diagnostic(mapper, f, severities.get(f.category, "information")) for f in findings
        ]
        self.published[uri] = len(diagnostics)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=doc.version, diagnostics=diagnostics)
        )
        self.status(*self.idle_state())

    def idle_state(self) -> tuple[str, str]:
        """Return the status to show when nothing is under way."""
        if self.bridge is not None:
            return self.bridge.idle_state()
        return "offline", "Local critic only"

    def clear(self, uri: str) -> None:
        """Remove a document's diagnostics."""
        self.published.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    def publish_all(self) -> None:
        """Re-publish every open document, e.g. after settings changed."""
        if self.session is None:
            return
        for uri in list(self.session.documents):
            self.publish(uri)

    def root_from(self, params: types.InitializeParams) -> Path | None:
        """Return the workspace root folder from initialize parameters."""
        uris = [f.uri for f in params.workspace_folders or []] or [params.root_uri or ""]
        for uri in uris:
            if uri and (path := uri_to_path(uri)) is not None:
                return path
        if params.root_path:
            return Path(params.root_path)
        return None
