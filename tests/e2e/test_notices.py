"""The no-key message: where it points, how often it appears, and when it stays quiet."""

from __future__ import annotations

from lsprotocol import types

from .conftest import nudge_server, open_and_wait

FAST = {"debounceMs": 20}
TEXT = "We write tests in order to sleep well at night.\n"
VSCODE = {"settings": {}, "trusted": True, "client": "vscode"}


async def _messages(workspace, cache, options):
    uri = (workspace / "d.md").as_uri()
    async with nudge_server(workspace, cache, FAST, initialization_options=options) as client:
        await open_and_wait(client, uri, TEXT)
        return [m for m in client.messages if "Claude" in m.message]


async def test_vscode_no_key_message_names_the_command_once_per_workspace(workspace, tmp_path):
    cache = tmp_path / "cache"
    first = await _messages(workspace, cache, VSCODE)
    assert [m.type for m in first] == [types.MessageType.Info]
    assert "Set Anthropic API Key" in first[0].message
    assert "ANTHROPIC_API_KEY" not in first[0].message
    assert await _messages(workspace, cache, VSCODE) == []  # a restart or reload
    other = tmp_path / "other"
    other.mkdir()
    assert len(await _messages(other, cache, VSCODE)) == 1  # another workspace is told


async def test_other_editors_are_told_about_the_variable_once(workspace, tmp_path):
    cache = tmp_path / "cache"
    first = await _messages(workspace, cache, None)
    assert len(first) == 1 and "ANTHROPIC_API_KEY" in first[0].message
    assert first[0].type == types.MessageType.Info
    assert await _messages(workspace, cache, None) == []


async def test_no_message_when_the_writer_chose_offline(workspace, tmp_path):
    options = {**VSCODE, "offline": True}
    assert await _messages(workspace, tmp_path / "cache", options) == []
