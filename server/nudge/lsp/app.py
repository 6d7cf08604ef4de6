"""The one register step: every handler and command on a new `NudgeServer`.

Each concern has its own module (`lifecycle`, `documents`, `actions`); this one only
wires them, so no module imports the server's construction and nothing imports back.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from nudge.lsp import actions, documents, lifecycle
from nudge.lsp.server import NudgeServer


def register(server: NudgeServer) -> None:
    """Register every handler and command on `server`."""
    server.feature(types.INITIALIZE)(lifecycle.initialize)
    server.feature(types.INITIALIZED)(lifecycle.initialized)
    server.feature(types.SHUTDOWN)(lifecycle.shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(lifecycle.did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(lifecycle.did_change_watched_files)
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(documents.did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(documents.did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(documents.did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(documents.did_close)
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )(actions.code_action)
    handlers = (actions.dismiss, actions.ignore_phrase, actions.clear_dismissals,
                actions.review_document, actions.usage, actions.ignore_rule)  # fmt: skip
    for name, handler in zip(actions.COMMANDS, handlers, strict=True):
        server.command(name)(handler)


def create_server(cache_dir: Path | None = None) -> NudgeServer:
    """Return a server with every handler registered."""
    server = NudgeServer(cache_dir)
    register(server)
    return server
