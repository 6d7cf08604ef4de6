"""End to end at the edges: planted state, exclusions, live settings, hostile arguments."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import diskcache
import pytest
from lsprotocol import types

from .conftest import nudge_server, open_and_wait, wait_for_publish
from .test_claude import (
    claude_env,
    fake,  # noqa: F401 - the fake Claude fixture
    get_attr,
    statuses,
    until,
    until_published,
)

FAST = {"debounceMs": 20}
TEXT = "We write tests in order to sleep well.\n"


def plant_row(directory: Path, key: str, target: Path) -> None:
    """Store a pickle with diskcache's default Disk and point its row at `target`."""
    plain = diskcache.Cache(str(directory))
    plain.set(key, {"evil": 1})
    plain.close()
    with sqlite3.connect(directory / "cache.db") as db:
        db.execute("UPDATE Cache SET filename = ?, mode = 4", (str(target),))


async def test_planted_state_row_deletes_no_file(workspace, tmp_path, fake):  # noqa: F811
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    cache = tmp_path / "cache"
    plant_row(cache / "state", "dismissed:a.md", outside)
    plant_row(cache / "results", "k", outside)
    uri = (workspace / "a.md").as_uri()
    async with nudge_server(workspace, cache, FAST, env=claude_env(fake)) as client:
        assert await open_and_wait(client, uri, TEXT)
    assert outside.read_text() == "keep me"


async def test_cache_dir_that_is_a_file_degrades_to_a_warning(workspace, tmp_path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file")
    uri = (workspace / "a.md").as_uri()
    async with nudge_server(workspace, not_a_folder, FAST) as client:
        assert await open_and_wait(client, uri, TEXT)
        assert any("cannot keep its state" in m.message for m in client.messages)
    assert not_a_folder.read_text() == "a file"


async def test_bad_budget_file_still_publishes_local_findings(
    workspace,
    tmp_path,
    fake,  # noqa: F811
):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "budget.json").write_text(
        '{"day": "' + time.strftime("%Y-%m-%d") + '", "tokens": 1e999, "cost_usd": 0}'
    )
    uri = (workspace / "a.md").as_uri()
    async with nudge_server(workspace, cache, FAST, env=claude_env(fake)) as client:
        assert await open_and_wait(client, uri, TEXT)


async def test_excluded_files_never_reach_claude(workspace, tmp_path, fake):  # noqa: F811
    (workspace / ".nudge.toml").write_text('exclude = ["drafts/", "notes", "linked/**"]\n')
    (workspace / "real").mkdir()
    (workspace / "linked").symlink_to(workspace / "real")
    markers = {
        "drafts/a.md": "Zorblax",
        "notes/b.md": "Quintavo",
        "linked/c.md": "Frimpledorf",
        "mine.md": "Wobbleton",  # excluded by the editor's own setting
    }
    settings = {**FAST, "exclude": ["mine.md"]}
    async with nudge_server(workspace, tmp_path / "cache", settings, env=claude_env(fake)) as c:
        ok = (workspace / "ok.md").as_uri()
        texts = {name: f"{marker} writes tests in order to sleep well.\n"
                 for name, marker in markers.items()}  # fmt: skip
        for name, text in {**texts, "ok.md": TEXT}.items():
            uri = (workspace / name).as_uri()
            c.text_document_did_open(
                types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, text))
            )
        await until_published(c, ok, bool)
        await c.workspace_execute_command_async(
            types.ExecuteCommandParams(command="nudge.reviewDocument", arguments=[])
        )
        await until_published(c, ok, lambda ds: any(d.data["critic"] == "claude" for d in ds))
    sent = json.dumps([r.body for r in fake.requests])
    assert "sleep well" in sent
    assert [m for m in markers.values() if m in sent] == []


@pytest.mark.parametrize("trusted", ["false", "true", 0, None])
async def test_only_boolean_true_trusts_a_workspace(workspace, tmp_path, fake, trusted):  # noqa: F811
    uri = (workspace / "a.md").as_uri()
    options = {"trusted": trusted}
    async with nudge_server(
        workspace, tmp_path / "cache", FAST, env=claude_env(fake), initialization_options=options
    ) as client:
        status = statuses(client)
        assert await open_and_wait(client, uri, TEXT)
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="nudge.reviewDocument", arguments=[uri])
        )
        assert await until(status, lambda p: get_attr(p, "state") == "offline")
    assert fake.requests == []


# Settings and commands that change while the server runs ----------------------
def change(client, uri: str, version: int, text: str) -> None:
    """Replace a document's whole text."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def configure(client, settings) -> None:
    """Push new editor settings."""
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"nudge": settings})
    )


async def test_lowered_budget_stops_claude_at_once(workspace, tmp_path, fake):  # noqa: F811
    uri = (workspace / "a.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", FAST, env=claude_env(fake)) as client:
        status = statuses(client)
        await open_and_wait(client, uri, TEXT)
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="nudge.reviewDocument", arguments=[uri])
        )
        await until_published(client, uri, lambda ds: any(d.data["critic"] == "claude" for d in ds))
        sent = len(fake.requests)
        configure(client, {**FAST, "dailyTokenBudget": 1})
        change(client, uri, 2, TEXT + "\nThey made a decision in order to win.\n")
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="nudge.reviewDocument", arguments=[uri])
        )
        assert await until(status, lambda p: get_attr(p, "state") == "budget")
    assert len(fake.requests) == sent


async def test_stale_configuration_answer_loses(workspace, tmp_path):
    answers = [[{"minConfidence": 1.0}], [{"minConfidence": 0.1, "debounceMs": 20}]]
    first_asked, second_asked, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
    calls = []

    async def configuration(params):
        calls.append(params)
        if len(calls) == 1:
            first_asked.set()
            await release.wait()
            return answers[0]  # the older question, answered last
        second_asked.set()
        return answers[1]

    def install(client):
        client.protocol.fm.features[types.WORKSPACE_CONFIGURATION] = configuration

    uri = (workspace / "a.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", before_initialize=install) as client:
        await asyncio.wait_for(first_asked.wait(), 10)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
        await asyncio.wait_for(second_asked.wait(), 10)
        release.set()
        diagnostics = await asyncio.wait_for(open_and_wait(client, uri, TEXT), 10)
    assert diagnostics  # minConfidence 1.0 would hide everything


async def test_infinite_command_arguments_are_refused_politely(workspace, tmp_path):
    uri = (workspace / "a.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", FAST) as client:
        diagnostics = await open_and_wait(client, uri, TEXT)
        target = diagnostics[0]
        for args in ([uri, float("inf"), 1, "r"], [uri, 0, float("nan"), target.data["rule"]]):
            await asyncio.wait_for(
                client.workspace_execute_command_async(
                    types.ExecuteCommandParams(command="nudge.dismiss", arguments=args)
                ),
                10,
            )
        bad = types.Diagnostic(target.range, "x", source="nudge",
                               data={**target.data, "start": float("inf")})  # fmt: skip
        actions = await asyncio.wait_for(
            client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri),
                    range=target.range,
                    context=types.CodeActionContext(diagnostics=[bad]),
                )
            ),
            10,
        )
        assert actions is None
        assert any("malformed" in m.message for m in client.messages)


async def test_debug_log_never_carries_document_text(workspace, tmp_path, capfd):
    uri = (workspace / "a.md").as_uri()
    secret = "Quuxington writes tests in order to sleep well.\n"
    async with nudge_server(
        workspace, tmp_path / "cache", FAST, args=("--log-level", "DEBUG")
    ) as c:
        assert await open_and_wait(c, uri, secret)
        await wait_for_publish(
            c, uri, lambda: change(c, uri, 2, secret + "\nMore of Quuxington.\n")
        )
    err = capfd.readouterr().err
    assert "DEBUG" in err
    assert "Quuxington" not in err and "in order to" not in err


async def test_skipped_documents_come_back(workspace, tmp_path):
    uri = (workspace / "a.md").as_uri()
    big = "In order to go. " * 200
    async with nudge_server(workspace, tmp_path / "cache", {**FAST, "maxDocumentSize": 1000}) as c:
        c.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, big))
        )
        shrunk = await wait_for_publish(c, uri, lambda: change(c, uri, 2, TEXT))
        assert shrunk, "a document shrunk under maxDocumentSize is checked again"
        gone = await wait_for_publish(c, uri, lambda: configure(c, {**FAST, "languages": []}))
        assert gone == []
        back = await wait_for_publish(c, uri, lambda: configure(c, FAST))
        assert back, "a document whose language is enabled again is checked again"
