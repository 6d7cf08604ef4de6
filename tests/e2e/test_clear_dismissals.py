"""'Clear Dismissed Suggestions' clears this workspace unless asked for all of them."""

from __future__ import annotations

from lsprotocol import types

from .conftest import nudge_server, open_and_wait, wait_for_publish

FAST = {"debounceMs": 20}
TEXT = "We stayed home due to the fact that it rained.\n"


async def _dismiss_one(client, uri):
    diagnostics = await open_and_wait(client, uri, TEXT)
    d = diagnostics[0]
    args = [uri, d.data["start"], d.data["end"], d.data["rule"]]
    command = types.ExecuteCommandParams(command="nudge.dismiss", arguments=args)
    after = await wait_for_publish(
        client, uri, lambda: client.workspace_execute_command(command, callback=lambda *_: None)
    )
    assert len(after) == len(diagnostics) - 1


async def _clear(client, options):
    params = types.ExecuteCommandParams(command="nudge.clearDismissals", arguments=[options])
    return await client.workspace_execute_command_async(params)


async def test_clear_dismissals_is_scoped_to_the_workspace(tmp_path):
    cache = tmp_path / "cache"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    for root in (a, b):
        async with nudge_server(root, cache, FAST) as client:
            await _dismiss_one(client, (root / "f.md").as_uri())
    async with nudge_server(a, cache, FAST) as client:
        assert await _clear(client, {"preview": True}) == 1
        assert await _clear(client, {"scope": "all", "preview": True}) == 2
        assert await _clear(client, {}) == 1
    async with nudge_server(b, cache, FAST) as client:
        uri = (b / "f.md").as_uri()
        shown = await open_and_wait(client, uri, TEXT)
        assert shown == []  # b's dismissal survived a's clear
        assert await _clear(client, {"scope": "all"}) == 1
