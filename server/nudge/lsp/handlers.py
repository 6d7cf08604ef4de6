"""Handlers for each LSP method Nudge serves; each is a few lines over the session.

Everything a client sends is untrusted: command arguments are checked before
use, and a settings value of the wrong type falls back to its default with a
warning naming the key.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from lsprotocol import types

from nudge.lsp import claude_bridge
from nudge.lsp.convert import code_actions, to_edits
from nudge.lsp.server import NudgeServer
from nudge.session import Session
from nudge.settings import TEAM_FILE
from nudge.team_file import add_ignored_phrase
from nudge.telemetry import read_events, summarize

log = logging.getLogger(__name__)

COMMANDS = ("nudge.dismiss", "nudge.ignorePhrase", "nudge.clearDismissals",
            "nudge.reviewDocument", "nudge.usage")  # fmt: skip


def initialize(ls: NudgeServer, params: types.InitializeParams) -> None:
    """Create the session for the workspace and read initialization options."""
    options = (
        params.initialization_options if isinstance(params.initialization_options, dict) else {}
    )
    editor = options.get("settings", options if "settings" not in options else None)
    # A client without workspace trust sends nothing; one that sends anything but true
    # (a string "false", 0, null) gets the untrusted, offline behaviour.
    ls.trusted = options.get("trusted", True) is True
    encoding = ls.workspace.position_encoding or "utf-16"
    ls.encoding = str(getattr(encoding, "value", encoding))
    ls.session = Session(
        ls.root_from(params), ls.cache_dir, ls.warn, telemetry=claude_bridge.telemetry_for(ls)
    )
    for problem in ls.session.reload_settings(editor if isinstance(editor, dict) else None):
        ls.warn(str(problem))
    claude_bridge.announce(ls)


async def initialized(ls: NudgeServer, params: types.InitializedParams) -> None:
    """Pull editor settings, then show any start-up warnings."""
    await pull_configuration(ls)
    if ls.bridge is None and ls.session is not None:
        try:
            ls.bridge = claude_bridge.start(ls)
        except Exception as exc:  # state problems cost Claude, never the local findings
            log.exception("cannot start Claude reviews")
            ls.warn(f"Nudge could not start Claude reviews ({exc}); local suggestions only.")
    ls.flush_messages()
    ls.configured = True
    reopen_all(ls)
    ls.status(*ls.idle_state())


async def pull_configuration(ls: NudgeServer) -> None:
    """Ask the client for the `nudge` section, if it supports configuration requests.

    Answers can arrive out of order; only the answer to the latest question (and no
    answer older than settings pushed since) is applied.
    """
    workspace = ls.client_capabilities.workspace
    if ls.session is None or not (workspace and workspace.configuration):
        return
    ls.config_generation += 1
    asked = ls.config_generation
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="nudge")])
        )
    except Exception as exc:  # a client may refuse; settings stay as they were
        log.warning("workspace/configuration failed: %s", exc)
        return
    if asked != ls.config_generation:
        log.info("ignored a stale workspace/configuration answer")
        return
    section = result[0] if result else None
    if section is not None:
        for problem in ls.session.reload_settings(section if isinstance(section, dict) else {}):
            ls.warn(str(problem))


async def did_change_configuration(
    ls: NudgeServer, params: types.DidChangeConfigurationParams
) -> None:
    """Apply new settings and re-publish every document."""
    if ls.session is None:
        return
    pushed = params.settings.get("nudge") if isinstance(params.settings, dict) else None
    if isinstance(pushed, dict):
        ls.config_generation += 1  # answers to earlier questions are now stale
        for problem in ls.session.reload_settings(pushed):
            ls.warn(str(problem))
    else:
        await pull_configuration(ls)
    await settings_changed(ls)


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
        for problem in ls.session.reload_settings():
            ls.warn(str(problem))
        await settings_changed(ls)


def did_close(ls: NudgeServer, params: types.DidCloseTextDocumentParams) -> None:
    """Stop checking a document and clear its diagnostics."""
    if ls.session is not None:
        ls.session.close(params.text_document.uri)
    if ls.bridge is not None:
        ls.bridge.close(params.text_document.uri)
    ls.clear(params.text_document.uri)


def code_action(ls: NudgeServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """Offer replace / dismiss / ignore-everywhere for Nudge's diagnostics in range."""
    session = ls.session
    uri = params.text_document.uri
    doc = session.documents.get(uri) if session else None
    if session is None or doc is None:
        return None
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data
        if diagnostic.source != "nudge" or not isinstance(data, dict):
            continue
        try:
            start, end = offset_arg(data["start"]), offset_arg(data["end"])
        except (KeyError, TypeError, ValueError):
            ls.warn("Nudge: ignored a code action request with malformed diagnostic data.")
            continue
        finding = session.locate(uri, start, end, str(data.get("rule")))
        if finding is not None:
            actions += code_actions(uri, doc.version, doc.mapper, finding, diagnostic)
    return actions or None


def offset_arg(value: Any) -> int:
    """Return a client-sent offset as an int; refuse booleans, fractions, NaN and Infinity."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected an offset, got {type(value).__name__}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueError(f"expected a whole offset, got {value}")
    if not 0 <= value <= 2**53:
        raise ValueError(f"offset {value} out of range")
    return int(value)


def _finding_args(ls: NudgeServer, args: tuple[Any, ...]) -> tuple[Session, str, Any] | None:
    session = ls.session
    try:
        uri, start, end, rule = args
        start, end = offset_arg(start), offset_arg(end)
        finding = session.locate(str(uri), start, end, str(rule)) if session else None
    except (TypeError, ValueError):
        ls.warn(f"Nudge: ignored a command with malformed arguments {list(args)!r}.")
        return None
    if session is None or finding is None:
        return None
    return session, str(uri), finding


def dismiss(ls: NudgeServer, *args: Any) -> None:
    """Dismiss one finding for good and re-publish."""
    found = _finding_args(ls, args)
    if found is not None:
        session, uri, finding = found
        session.dismiss(uri, finding)
        ls.publish(uri)


async def ignore_phrase(ls: NudgeServer, *args: Any) -> None:
    """Add a phrase to the team's `.nudge.toml` and re-publish everything."""
    session = ls.session
    if session is None or len(args) != 2 or not isinstance(args[1], str) or not args[1].strip():
        ls.warn("Nudge: 'ignore phrase' needs a document and a phrase.")
        return
    if session.root is None:
        ls.warn("Nudge: open a folder to ignore phrases workspace-wide (.nudge.toml lives there).")
        return
    try:
        add_ignored_phrase(session.root, args[1].strip())
    except (OSError, ValueError) as exc:
        ls.warn(f"Nudge could not update {TEAM_FILE}: {exc}")
        return
    session.note_ignored(args[1].strip())
    for problem in session.reload_settings():
        ls.warn(str(problem))
    await settings_changed(ls)


def clear_dismissals(ls: NudgeServer, *args: Any) -> int:
    """Forget every dismissal and re-publish."""
    count = ls.session.dismissals.clear() if ls.session else 0
    ls.publish_all()
    return count


def review_document(ls: NudgeServer, *args: Any) -> None:
    """Review a document (or every open one) now: publish, and send it to Claude."""
    session = ls.session
    if args and isinstance(args[0], str):
        uris = [args[0]]
    else:
        uris = list(session.documents) if session else []
    for uri in uris:
        ls.publish(uri)
        if ls.bridge is not None:
            ls.bridge.review_now(uri)


def usage(ls: NudgeServer, *args: Any) -> dict[str, Any]:
    """Return tokens, cost, requests and acceptance per category from local telemetry."""
    telemetry = ls.session.telemetry if ls.session else None
    if telemetry is None:
        events: list[dict[str, Any]] = []
    elif telemetry.path is not None:
        events = read_events(telemetry.path)
    else:
        events = telemetry.events
    summary = summarize(events)
    tokens = summary["tokens"]
    state, message = ls.idle_state()
    return {
        "claude": ls.bridge is not None,
        "state": state,
        "message": message,
        "documents": len(ls.session.documents) if ls.session else 0,
        "shown": sum(ls.published.values()),
        "tokens": {
            "input": tokens.get("input_tokens", 0),
            "output": tokens.get("output_tokens", 0),
            "cache_write": tokens.get("cache_write_tokens", 0),
            "cache_read": tokens.get("cache_read_tokens", 0),
        },
        "cost_usd": summary["cost_usd"],
        "requests": summary["requests"],
        "cache_hits": summary["cache_hits"],
        "categories": summary["categories"],
    }


async def shutdown(ls: NudgeServer, *args: Any) -> None:
    """Record what documents still show, and stop Claude reviews, before the server exits."""
    if ls.session is not None:
        ls.session.close_all()
    if ls.bridge is not None:
        bridge, ls.bridge = ls.bridge, None
        await bridge.aclose()


def register(server: NudgeServer) -> None:
    """Register every handler and command on `server`."""
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )(code_action)
    for name, handler in zip(
        COMMANDS,
        (dismiss, ignore_phrase, clear_dismissals, review_document, usage),
        strict=True,
    ):
        server.command(name)(handler)
