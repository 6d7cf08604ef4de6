"""End to end at the edges: planted state, hostile team files and odd settings."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import diskcache

from .conftest import nudge_server, open_and_wait
from .test_claude import claude_env, fake  # noqa: F401 - the fake Claude fixture

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
