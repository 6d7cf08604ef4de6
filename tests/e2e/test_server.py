"""End to end: the real server over stdio, driven like an editor would."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from .conftest import PUBLISH, nudge_server, open_and_wait, wait_for_publish

TEXT = "# Notes\n\n😀 In order to win, we must think outside the box.\n\nAll good.\n"
FAST = {"debounceMs": 20}


def _by_code(diagnostics, quote_start):
    return [d for d in diagnostics if d.range.start.character == quote_start]


async def test_open_publishes_utf16_ranges_and_quick_fix(workspace, tmp_path):
    uri = (workspace / "a.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", FAST) as client:
        diagnostics = await open_and_wait(client, uri, TEXT)
        wordy = [d for d in diagnostics if d.data["category"] == "wordiness"]
        assert wordy, diagnostics
        # The emoji is two UTF-16 code units, so "In" starts at character 3.
        assert wordy[0].range.start == types.Position(2, 3)
        assert wordy[0].range.end == types.Position(2, 3 + len("In order to"))
        assert wordy[0].source == "nudge"
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri),
                range=wordy[0].range,
                context=types.CodeActionContext(diagnostics=[wordy[0]]),
            )
        )
        titles = [a.title for a in actions]
        assert any(t.startswith("Replace 'In order to' with 'To'") for t in titles), titles
        assert any(t.startswith("Dismiss") for t in titles)
        assert any(t.startswith("Ignore 'In order to'") for t in titles)
        fix = next(a for a in actions if a.title.startswith("Replace"))
        assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
        edit = fix.edit.document_changes[0].edits[0]
        assert edit.range == wordy[0].range and edit.new_text == "To"


async def test_typing_updates_diagnostics(workspace, tmp_path):
    uri = (workspace / "b.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", FAST) as client:
        before = await open_and_wait(client, uri, "Plain words here.\n")
        assert before == []
        typed = " Due to the fact that"

        def type_it():
            for i, ch in enumerate(typed):
                client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        types.VersionedTextDocumentIdentifier(uri=uri, version=2 + i),
                        [types.TextDocumentContentChangePartial(
                            range=types.Range(types.Position(0, 17 + i), types.Position(0, 17 + i)),
                            text=ch,
                        )],
                    )
                )  # fmt: skip

        after = await wait_for_publish(client, uri, type_it)
        assert [d.data["category"] for d in after] == ["wordiness"]
        assert after[0].range.start == types.Position(0, 18)


async def test_dismissal_survives_restart(workspace, tmp_path):
    uri = (workspace / "c.md").as_uri()
    cache = tmp_path / "cache"
    async with nudge_server(workspace, cache, FAST) as client:
        diagnostics = await open_and_wait(client, uri, TEXT)
        target = next(d for d in diagnostics if d.data["category"] == "wordiness")
        args = [uri, target.data["start"], target.data["end"], target.data["rule"]]
        after = await wait_for_publish(
            client,
            uri,
            lambda: client.workspace_execute_command(
                types.ExecuteCommandParams(command="nudge.dismiss", arguments=args),
                callback=lambda *_: None,
            ),
        )
        assert all(d.data["category"] != "wordiness" for d in after)
    async with nudge_server(workspace, cache, FAST) as client:
        edited = "Intro line added.\n\n" + TEXT
        diagnostics = await open_and_wait(client, uri, edited)
        assert all(d.data["category"] != "wordiness" for d in diagnostics)


async def test_ignore_phrase_writes_team_file(workspace, tmp_path):
    uri = (workspace / "d.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", FAST) as client:
        diagnostics = await open_and_wait(client, uri, TEXT)
        assert any(d.data["category"] == "wordiness" for d in diagnostics)
        after = await wait_for_publish(
            client,
            uri,
            lambda: client.workspace_execute_command(
                types.ExecuteCommandParams(
                    command="nudge.ignorePhrase", arguments=[uri, "In order to"]
                ),
                callback=lambda *_: None,
            ),
        )
        assert all(d.data["category"] != "wordiness" for d in after)
    assert 'ignored_phrases = ["In order to"]' in (workspace / ".nudge.toml").read_text()


async def test_ignore_rule_is_offered_and_writes_the_team_file(workspace, tmp_path):
    uri = (workspace / "r.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", FAST) as client:
        diagnostics = await open_and_wait(client, uri, TEXT)
        wordy = next(d for d in diagnostics if d.data["category"] == "wordiness")
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri),
                range=wordy.range,
                context=types.CodeActionContext(diagnostics=[wordy]),
            )
        )
        (ignore,) = [a for a in actions if a.title.startswith("Ignore this rule")]
        # pytest-lsp reads this CodeAction (title, kind, diagnostics, command) as a Command
        # and keeps the nested command in its `command` field as text; check it as text.
        rule = wordy.data["rule"]
        assert "nudge.ignoreRule" in str(ignore.command) and rule in str(ignore.command)
        after = await wait_for_publish(
            client,
            uri,
            lambda: client.workspace_execute_command(
                types.ExecuteCommandParams(command="nudge.ignoreRule", arguments=[uri, rule]),
                callback=lambda *_: None,
            ),
        )
        assert all(d.data["rule"] != rule for d in after)
    assert rule in (workspace / ".nudge.toml").read_text()


async def test_threshold_change_republishes_without_restart(workspace, tmp_path):
    uri = (workspace / "e.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", FAST) as client:
        assert await open_and_wait(client, uri, TEXT)
        after = await wait_for_publish(
            client,
            uri,
            lambda: client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings={"nudge": {"minConfidence": 1.0}})
            ),
        )
        assert after == []


async def test_oversized_document_is_skipped_with_a_message(workspace, tmp_path):
    uri = (workspace / "big.md").as_uri()
    settings = {**FAST, "maxDocumentSize": 1000}
    async with nudge_server(workspace, tmp_path / "cache", settings) as client:
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri, "markdown", 1, "In order to go. " * 200)
            )
        )
        for _ in range(10):
            waiter = client.protocol.wait_for_notification_async(types.WINDOW_SHOW_MESSAGE)
            found = [m.message for m in client.messages if "maxDocumentSize" in m.message]
            if found:
                break
            await asyncio.wait_for(waiter, 10)
        assert found and "big.md" in found[0]


async def test_bad_team_file_warns_with_key_and_line(workspace, tmp_path):
    (workspace / ".nudge.toml").write_text('min_confidence = "high"\ndebounce_ms = 5\n')
    uri = (workspace / "f.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache") as client:
        diagnostics = await open_and_wait(client, uri, TEXT)
        assert diagnostics  # defaults used for min_confidence
        warnings = [m.message for m in client.messages]
        assert any("min_confidence" in w and ":1" in w for w in warnings), warnings


async def test_a_team_file_problem_is_warned_once_across_reloads(workspace, tmp_path):
    team = workspace / ".nudge.toml"
    team.write_text('min_confidence = "high"\n')
    uri = (workspace / "f.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache") as client:
        await open_and_wait(client, uri, TEXT)
        for _ in range(3):  # saving the team file reloads it; the problem is still there
            waiter = client.protocol.wait_for_notification_async(PUBLISH)
            client.text_document_did_save(
                types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(team.as_uri()))
            )
            await waiter
        warnings = [m.message for m in client.messages if "min_confidence" in m.message]
        assert len(warnings) == 1, warnings
        team.write_text('min_confidence = "high"\ndebounce_ms = "slow"\n')  # a new one is told
        waiter = client.protocol.wait_for_notification_async(PUBLISH)
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(team.as_uri()))
        )
        await waiter
        warnings = [m.message for m in client.messages if "setting '" in m.message]
        assert len(warnings) == 2 and "debounce_ms" in warnings[-1], warnings
