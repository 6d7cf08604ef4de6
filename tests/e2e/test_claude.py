"""End to end with Claude: `nudge lsp` against the fake Claude on 127.0.0.1."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import nudge_server, open_and_wait

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nudge.critics.models import SUPPORTED  # noqa: E402
from tests.fakes.fake_claude import FakeClaude, error, heuristic_responder  # noqa: E402

FAST = {"debounceMs": 20}
STATUS = "nudge/status"
LOCAL_ONLY = "Due to the fact that it rained, we stayed home.\n"
SENTENCE = "We write tests in order to sleep well at night."


@pytest.fixture
def fake():
    with FakeClaude(heuristic_responder(score=0.9)) as server:
        yield server


def claude_env(fake: FakeClaude) -> dict[str, str]:
    return {"ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": fake.url}


def statuses(client) -> asyncio.Queue:
    """Collect every `nudge/status` notification into a queue."""
    queue: asyncio.Queue = asyncio.Queue()
    client.feature(STATUS)(lambda params: queue.put_nowait(params))
    return queue


async def until(queue: asyncio.Queue, predicate, timeout: float = 4.0):
    """Return the first queued item matching `predicate`."""

    async def scan():
        while True:
            item = await queue.get()
            if predicate(item):
                return item

    return await asyncio.wait_for(scan(), timeout)


async def until_published(client, uri: str, predicate, timeout: float = 4.0):
    """Return the diagnostics of `uri` once the latest publish matches `predicate`."""

    async def scan():
        while True:
            current = list(client.diagnostics.get(uri, []))
            if predicate(current):
                return current
            await client.protocol.wait_for_notification_async(
                types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
            )

    return await asyncio.wait_for(scan(), timeout)


def type_sentence(client, uri: str, line: int, text: str, version: int = 2) -> None:
    for i, ch in enumerate(text):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version + i),
                [types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(line, i), types.Position(line, i)), text=ch
                )],
            )
        )  # fmt: skip


def get_attr(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


# Every supported model as critic (graded by Haiku 5.5) and as grader (for Sonnet 5.5),
# over real LSP: a request shape one of them rejects fails here.
PAIRS = [(m, "claude-haiku-5-5") for m in SUPPORTED] + [
    ("claude-sonnet-5-5", m) for m in SUPPORTED if m != "claude-haiku-5-5"
]


@pytest.mark.parametrize(("model", "grader"), PAIRS)
async def test_claude_finding_published_beside_local(fake, workspace, tmp_path, model, grader):
    uri = (workspace / "a.md").as_uri()
    settings = {**FAST, "model": model, "graderModel": grader}
    async with nudge_server(
        workspace, tmp_path / "cache", settings, env=claude_env(fake)
    ) as client:
        await open_and_wait(client, uri, "# Title\n\n\n\n" + LOCAL_ONLY)
        type_sentence(client, uri, 2, SENTENCE)

        def has_claude(diagnostics):
            return any(d.data.get("critic") == "claude" for d in diagnostics)

        diagnostics = await until_published(client, uri, has_claude)
        claude = [d for d in diagnostics if d.data["critic"] == "claude"]
        assert claude[0].range.start == types.Position(2, SENTENCE.index("in order to"))
        assert "90% confident" in claude[0].message
        assert any(d.data["critic"] == "local" for d in diagnostics), diagnostics
        assert any(
            d.data["category"] == "wordiness" and d.range.start.line == 4 for d in diagnostics
        )
        assert fake.rejections == [], [(r[1], r[2]) for r in fake.rejections]
        assert {r.model for r in fake.requests} == {model, grader}
        # Each review is one critique call, plus a grading call when there are candidates.
        assert 2 <= len(fake.requests) <= 3, [r.tool_name for r in fake.requests]
        usage = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="nudge.usage", arguments=[])
        )
        assert get_attr(usage, "requests") == len(fake.requests)
        assert get_attr(get_attr(usage, "tokens"), "input") > 0
        today = get_attr(usage, "today")
        assert get_attr(today, "cost_limit_usd") == 5.0 and get_attr(today, "tokens") > 0


@pytest.mark.parametrize("status", [529, 500])
async def test_server_error_falls_back_to_local_with_degraded_status(
    status, fake, workspace, tmp_path
):
    uri = (workspace / "b.md").as_uri()
    # retry-after 0 keeps the server's bounded retries from sleeping in the test.
    fake.responder = lambda recorded: error(status, retry_after=0)
    async with nudge_server(workspace, tmp_path / "cache", FAST, env=claude_env(fake)) as client:
        status = statuses(client)
        diagnostics = await open_and_wait(client, uri, SENTENCE + "\n")
        assert [d.data["critic"] for d in diagnostics] == ["local"]
        failed = await until(status, lambda p: get_attr(p, "state") == "degraded")
        assert get_attr(failed, "message")
        assert fake.requests


async def test_untrusted_workspace_never_calls_claude(fake, workspace, tmp_path):
    uri = (workspace / "c.md").as_uri()
    async with nudge_server(
        workspace,
        tmp_path / "cache",
        FAST,
        env=claude_env(fake),
        initialization_options={"trusted": False},
    ) as client:
        status = statuses(client)
        diagnostics = await open_and_wait(client, uri, SENTENCE + "\n")
        assert diagnostics
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="nudge.reviewDocument", arguments=[uri])
        )
        offline = await until(status, lambda p: get_attr(p, "state") == "offline")
        assert offline
    assert fake.requests == []
    assert not any("ANTHROPIC_API_KEY" in m.message for m in client.messages)


async def test_no_key_says_how_to_enable_claude(workspace, tmp_path):
    uri = (workspace / "d.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", FAST) as client:
        await open_and_wait(client, uri, SENTENCE + "\n")
        infos = [m.message for m in client.messages if m.type == types.MessageType.Info]
    assert len(infos) == 1 and "ANTHROPIC_API_KEY" in infos[0]


@pytest.mark.parametrize("grader", SUPPORTED)
@pytest.mark.parametrize("model", SUPPORTED)
def test_check_with_claude_for_every_model(model, grader, fake, tmp_path, monkeypatch, capsys):
    import json

    from nudge import cli

    path = tmp_path / "doc.md"
    text = "Each and every dog barks. Due to the fact that it rained, we stayed.\n"
    path.write_text(text)
    (tmp_path / ".nudge.toml").write_text(f'model = "{model}"\ngrader_model = "{grader}"\n')
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "cache"))
    for key, value in claude_env(fake).items():
        monkeypatch.setenv(key, value)
    argv = ["check", "--critic", "claude", "--format", "json", "--root", str(tmp_path), str(path)]
    assert cli.main(argv) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(f["quote"], f["critic"]) for f in found] == [("Each and every", "claude")]
    assert all(text[f["start"] : f["end"]] == f["quote"] for f in found)
    assert fake.rejections == []
    critiques = [r for r in fake.requests if r.model == model and "<block" in r.user_text]
    assert critiques and all("tool_choice" not in r.body or r.body["tool_choice"]["type"] == "auto"
                             for r in critiques)  # fmt: skip


@pytest.mark.parametrize(
    ("critic", "expected"),
    [
        ("claude", {("Each and every", "claude")}),
        ("merged", {("Each and every", "claude"), ("Due to the fact that", "local")}),
    ],
)
def test_check_with_claude(critic, expected, fake, tmp_path, monkeypatch, capsys):
    from nudge import cli

    path = tmp_path / "doc.md"
    path.write_text("Each and every dog barks. Due to the fact that it rained, we stayed.\n")
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "cache"))
    for key, value in claude_env(fake).items():
        monkeypatch.setenv(key, value)
    argv = ["check", "--critic", critic, "--format", "json", "--root", str(tmp_path), str(path)]
    assert cli.main(argv) == 1
    import json

    found = {(f["quote"], f["critic"]) for f in json.loads(capsys.readouterr().out)}
    assert found == expected


async def test_lowering_a_threshold_shows_an_already_graded_finding_without_a_call(
    workspace, tmp_path
):
    # The grader scores 0.4: hidden at the default minConfidence 0.5, but kept whole.
    # Lowering the threshold in the editor re-publishes it from the kept result.
    uri = (workspace / "t.md").as_uri()
    with FakeClaude(heuristic_responder(score=0.4)) as fake:
        env = claude_env(fake)
        async with nudge_server(workspace, tmp_path / "cache", FAST, env=env) as client:
            status = statuses(client)
            await open_and_wait(client, uri, "# Title\n\n\n\n" + LOCAL_ONLY)
            type_sentence(client, uri, 2, SENTENCE)
            # A review's results are in the session before its "ready" status is sent.
            await until(
                status, lambda p: len(fake.requests) >= 2 and get_attr(p, "state") == "ready"
            )
            shown = list(client.diagnostics.get(uri, []))
            assert not any(d.data.get("critic") == "claude" for d in shown)
            calls = len(fake.requests)
            client.set_configuration({**FAST, "minConfidence": 0.3}, section="nudge")
            client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(
                    settings={"nudge": {**FAST, "minConfidence": 0.3}}
                )
            )

            def has_claude(diagnostics):
                return any(d.data.get("critic") == "claude" for d in diagnostics)

            diagnostics = await until_published(client, uri, has_claude)
            claude = [d for d in diagnostics if d.data["critic"] == "claude"]
            assert "40% confident" in claude[0].message
            assert len(fake.requests) == calls  # no new call


async def test_an_unknown_model_is_warned_about_and_sent_the_safest_shape(
    fake, workspace, tmp_path
):
    uri = (workspace / "u.md").as_uri()
    settings = {**FAST, "model": "claude-nonesuch-7"}
    async with nudge_server(
        workspace, tmp_path / "cache", settings, env=claude_env(fake)
    ) as client:
        status = statuses(client)
        await open_and_wait(client, uri, SENTENCE + "\n")
        failed = await until(status, lambda p: get_attr(p, "state") == "degraded")
        assert "model" in get_attr(failed, "message")
        warnings = [m.message for m in client.messages if m.type == types.MessageType.Warning]
    assert any("claude-nonesuch-7" in w and "claude-sonnet-5-5" in w for w in warnings)
    sent = [r.body for r in fake.requests if r.model == "claude-nonesuch-7"]
    assert sent and all("thinking" not in b and "output_config" not in b for b in sent)
    assert all(b["tool_choice"] == {"type": "auto"} for b in sent)
