"""Documents: open, change, save, close, and re-checking them when settings change.

The keystroke path (`did_change`) only applies the edit to the session, arms the
debounce timer and tells Claude's side which blocks the edit took out and put in.
"""

from __future__ import annotations

from lsprotocol import types

from nudge.lsp.convert import to_edits
from nudge.lsp.server import NudgeServer
from nudge.settings import TEAM_FILE


async def settings_changed(ls: NudgeServer) -> None:
    """Hand new settings to Claude's side (models, pace, budget) and re-check every document."""
    assert ls.session is not None
    if ls.bridge is not None:
        await ls.bridge.settings_changed(ls.session.settings)  # budget limits included
    reopen_all(ls)


def reopen_all(ls: NudgeServer) -> None:
    """Re-check which documents are checked under new settings and re-publish them."""
    session = ls.session
    assert session is not None
    for uri, doc in list(session.documents.items()):
        result = session.open(uri, doc.text, doc.language, doc.version, ls.encoding)
        if not result.checked:
            ls.clear(uri)
            warn_skipped(ls, uri, result.reason)
        if ls.bridge is not None:
            ls.bridge.open(uri)
    for uri in session.recheck_skipped():
        if ls.bridge is not None:
            ls.bridge.open(uri)
    ls.publish_all()


def warn_skipped(ls: NudgeServer, uri: str, reason: str) -> None:
    """Tell the writer a document is too large to check (other skips are silent)."""
    if "maxDocumentSize" in reason:
        ls.warn(f"Nudge skipped {uri.rsplit('/', 1)[-1]}: {reason}.")


def did_open(ls: NudgeServer, params: types.DidOpenTextDocumentParams) -> None:
    """Start checking a document and publish its findings at once."""
    doc = params.text_document
    session = ls.session
    if session is None:
        return
    result = session.open(doc.uri, doc.text, doc.language_id, doc.version, ls.encoding)
    if not ls.configured:
        return  # published by `initialized` once the editor's settings are in
    if result.checked:
        ls.publish(doc.uri)
    else:
        warn_skipped(ls, doc.uri, result.reason)
    if ls.bridge is not None:
        ls.bridge.open(doc.uri)


def did_change(ls: NudgeServer, params: types.DidChangeTextDocumentParams) -> None:
    """Apply the edit and publish once the writer pauses."""
    session = ls.session
    if session is None:
        return
    uri = params.text_document.uri
    result = session.change(uri, to_edits(params.content_changes), params.text_document.version)
    if result is None:
        if uri in session.skipped and uri in ls.published:
            ls.clear(uri)
        if ls.bridge is not None:
            ls.bridge.close(uri)
        return
    ls.schedule_publish(uri, session.settings.debounce_ms / 1000)
    if ls.bridge is not None:
        ls.bridge.edit(uri, result, session.cursors.get(uri))


async def did_save(ls: NudgeServer, params: types.DidSaveTextDocumentParams) -> None:
    """Note the save for Claude's onSave trigger; re-read the team file when it is saved."""
    if ls.bridge is not None:
        ls.bridge.saved(params.text_document.uri)
    if ls.session is not None and params.text_document.uri.endswith("/" + TEAM_FILE):
        ls.apply_settings()
        await settings_changed(ls)


def did_close(ls: NudgeServer, params: types.DidCloseTextDocumentParams) -> None:
    """Stop checking a document and clear its diagnostics."""
    if ls.session is not None:
        ls.session.close(params.text_document.uri)
    if ls.bridge is not None:
        ls.bridge.close(params.text_document.uri)
    ls.clear(params.text_document.uri)
