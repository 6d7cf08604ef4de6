"""End to end: every shown suggestion's fate, recorded once, through the real LSP client."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types

from .conftest import nudge_server, open_and_wait, wait_for_publish

TEXT = "# Notes\n\nWe test in order to ship.\n"
FAST = {"debounceMs": 20}
COL = len("We test ")
END = COL + len("in order to")


def change(client, uri, version, *edits):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(*a), types.Position(*b)), text=t)
             for a, b, t in edits],
        )
    )  # fmt: skip


def events(cache):
    path = cache / "telemetry.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


WHOLE = [((2, COL), (2, END), "to")]
SPLIT = [((2, COL), (2, END), ""), ((2, COL), (2, COL), "to")]


@pytest.mark.parametrize("fix", [WHOLE, SPLIT], ids=["replace", "delete+insert"])
async def test_an_applied_quick_fix_is_accepted_once(workspace, tmp_path, fix):
    uri = (workspace / "a.md").as_uri()
    cache = tmp_path / "cache"
    async with nudge_server(workspace, cache, FAST) as client:
        shown = await open_and_wait(client, uri, TEXT)
        assert [d.data["category"] for d in shown] == ["wordiness"]
        # Typing above moves the suggestion; it is not shown "again".
        await wait_for_publish(client, uri, lambda: change(client, uri, 2, ((0, 0), (0, 0), "A ")))
        await wait_for_publish(client, uri, lambda: change(client, uri, 3, *fix))
    rows = events(cache)
    fates = [(r["event"], r["rule"]) for r in rows if "shown_ms" in r]
    assert fates == [("accepted", shown[0].data["rule"])]
    assert sum(r["count"] for r in rows if r["event"] == "shown") == 1
    assert "We test" not in (cache / "telemetry.jsonl").read_text()  # rule ids, never text


async def test_a_document_closed_with_a_suggestion_shown_records_closed(workspace, tmp_path):
    uri = (workspace / "b.md").as_uri()
    cache = tmp_path / "cache"
    async with nudge_server(workspace, cache, FAST) as client:
        await open_and_wait(client, uri, TEXT)
        await wait_for_publish(
            client, uri,
            lambda: client.text_document_did_close(
                types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
            ),
        )  # fmt: skip
    fates = [r["event"] for r in events(cache) if "shown_ms" in r]
    assert fates == ["closed"]  # once: the shutdown after the close adds nothing


async def test_documents_still_open_at_shutdown_record_closed_once(workspace, tmp_path):
    uri = (workspace / "c.md").as_uri()
    cache = tmp_path / "cache"
    async with nudge_server(workspace, cache, FAST) as client:
        await open_and_wait(client, uri, TEXT)
    fates = [r["event"] for r in events(cache) if "shown_ms" in r]
    assert fates == ["closed"]
