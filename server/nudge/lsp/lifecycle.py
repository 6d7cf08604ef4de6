"""Life cycle: initialize, settings from the editor, shutdown.

`initialize` reads initialization options (settings, workspace trust) and the client's
capabilities, once, into `ls.features`; `initialized` pulls the `nudge` section and
starts Claude's side; configuration answers that arrive out of order are ignored; every
settings reload goes through `NudgeServer.apply_settings`, which warns each problem once;
`.nudge.toml` is watched where the client allows, so a `git pull` is picked up at once.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from nudge.lsp import claude_bridge
from nudge.lsp.documents import reopen_all, settings_changed
from nudge.lsp.server import ClientFeatures, NudgeServer
from nudge.session import Session
from nudge.settings import TEAM_FILE

log = logging.getLogger(__name__)


def initialize(ls: NudgeServer, params: types.InitializeParams) -> None:
    """Create the session for the workspace and read initialization options."""
    options = (
        params.initialization_options if isinstance(params.initialization_options, dict) else {}
    )
    editor = options.get("settings", options if "settings" not in options else None)
    # A client without workspace trust sends nothing; one that sends anything but true
    # (a string "false", 0, null) gets the untrusted, offline behaviour.
    ls.trusted = options.get("trusted", True) is True
    client = options.get("client")
    ls.client_name = client if isinstance(client, str) else ""
    ls.offline_chosen = options.get("offline") is True
    encoding = ls.workspace.position_encoding or "utf-16"
    ls.encoding = str(getattr(encoding, "value", encoding))
    ls.features = ClientFeatures.of(params.capabilities)
    ls.session = Session(
        ls.root_from(params), ls.cache_dir, ls.warn, telemetry=claude_bridge.telemetry_for(ls)
    )
    ls.apply_settings(editor if isinstance(editor, dict) else None)
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
    await watch_team_file(ls)
    ls.flush_messages()
    ls.configured = True
    reopen_all(ls)
    ls.status(*ls.idle_state())


async def watch_team_file(ls: NudgeServer) -> None:
    """Ask the client to report `.nudge.toml` changes made outside the editor (a git pull).

    Only where the client allows dynamic registration; elsewhere saving the file in the
    editor, or a restart, re-reads it.
    """
    if not ls.features.watched_files:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=f"**/{TEAM_FILE}")]
    )
    registration = types.Registration(
        id="nudge-team-file",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=options,
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as exc:  # a client may refuse; saving in the editor still re-reads
        log.warning("cannot watch %s: %s", TEAM_FILE, exc)


async def did_change_watched_files(
    ls: NudgeServer, params: types.DidChangeWatchedFilesParams
) -> None:
    """Re-read the team file when it changed on disk, and re-publish every document."""
    if ls.session is None or not any(c.uri.endswith("/" + TEAM_FILE) for c in params.changes):
        return
    ls.apply_settings()
    await settings_changed(ls)


async def pull_configuration(ls: NudgeServer) -> None:
    """Ask the client for the `nudge` section, if it supports configuration requests.

    Answers can arrive out of order; only the answer to the latest question (and no
    answer older than settings pushed since) is applied.
    """
    if ls.session is None or not ls.features.configuration:
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
        ls.apply_settings(section if isinstance(section, dict) else {})


async def did_change_configuration(
    ls: NudgeServer, params: types.DidChangeConfigurationParams
) -> None:
    """Apply new settings and re-publish every document."""
    if ls.session is None:
        return
    pushed = params.settings.get("nudge") if isinstance(params.settings, dict) else None
    if isinstance(pushed, dict):
        ls.config_generation += 1  # answers to earlier questions are now stale
        ls.apply_settings(pushed)
    else:
        await pull_configuration(ls)
    await settings_changed(ls)


async def shutdown(ls: NudgeServer, *args: Any) -> None:
    """Record what documents still show, and stop Claude reviews, before the server exits."""
    if ls.session is not None:
        ls.session.close_all()
    if ls.bridge is not None:
        bridge, ls.bridge = ls.bridge, None
        await bridge.aclose()
