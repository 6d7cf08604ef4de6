"""Start `nudge lsp` as a subprocess and drive it with pytest-lsp's client."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS


@contextlib.asynccontextmanager
async def nudge_server(
    root: Path,
    cache: Path,
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    initialization_options: dict[str, Any] | None = None,
    args: tuple[str, ...] = (),
    before_initialize: Callable[[LanguageClient], None] | None = None,
) -> AsyncIterator[LanguageClient]:
    """Run `python -m nudge lsp` over stdio for the duration of the block."""
    server_env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    server_env.update({"NUDGE_CACHE_DIR": str(cache), **(env or {})})
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "nudge", "lsp", *args], server_env=server_env
    )
    client = await config.start()
    client.set_configuration(settings or {}, section="nudge")
    if before_initialize is not None:
        before_initialize(client)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options=initialization_options,
        )
    )
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


async def open_and_wait(
    client: LanguageClient, uri: str, text: str, language: str = "markdown"
) -> list[types.Diagnostic]:
    """Open a document and return the first diagnostics published for it."""
    waiter = client.protocol.wait_for_notification_async(PUBLISH)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, text))
    )
    await waiter
    return list(client.diagnostics[uri])


async def wait_for_publish(client: LanguageClient, uri: str, trigger) -> list[types.Diagnostic]:
    """Run `trigger` and return the diagnostics published next for `uri`."""
    while True:
        waiter = client.protocol.wait_for_notification_async(PUBLISH)
        trigger()
        params = await waiter
        if params.uri == uri:
            return list(params.diagnostics)
        trigger = lambda: None  # noqa: E731 - keep waiting without triggering again


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root
