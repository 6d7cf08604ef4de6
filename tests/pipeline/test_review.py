"""`nudge review` against the fake's Batches endpoints, with the real client over HTTP."""

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from nudge.check import read_report
from nudge.cli import build_parser
from nudge.critics.base import CritiqueRequest
from nudge.critics.claude import CRITIQUE_TOKENS
from nudge.engine import document_context
from nudge.prompt_loader import load_prompt
from nudge.results_cache import ResultsCache, cache_key
from nudge.review_batches import Limits
from nudge.review_cli import run
from nudge.review_plan import critique_params, review_critic, review_identity
from nudge.segment import split_blocks
from nudge.service import DocumentBlocks, ReviewService
from nudge.settings import Settings
from nudge.telemetry import read_events, summarize
from tests.fakes.fake_claude import FakeClaude, heuristic_responder

A = "# Alpha\n\nWe write tests in order to sleep well at night.\n\nKeep in mind the end result.\n"
B = "# Beta\n\nThis paragraph is able to say a lot of things.\n"


class Crash(BaseException):
    """A simulated crash: nothing in the review catches it."""


@pytest.fixture
def fake():
    with FakeClaude(heuristic_responder(score=0.8)) as server:
        yield server


@pytest.fixture
def tree(tmp_path, monkeypatch, fake):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(A, encoding="utf-8")
    (docs / "b.md").write_text(B, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    return tmp_path


def review(capsys, *argv, **options):
    """Run `nudge review` in-process like a fresh process; return (status, out, err)."""
    options.setdefault("sleep", lambda seconds: None)
    args = build_parser().parse_args(["review", *argv])
    status = run(args, **options)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def stop_at(step):
    def checkpoint(name):
        if name == step:
            raise Crash(name)

    return checkpoint


def cached(tree, text, path="docs/a.md"):
    """Return, per worth-sending block of `text`, whether the review cache holds it."""
    cache = ResultsCache(tree / "state" / "results")
    identity = review_identity(Settings())
    try:
        blocks = split_blocks(text, "markdown")
        return [
            cache.get(cache_key(identity, b.hash)) is not None for b in blocks if len(b.text) > 12
        ]
    finally:
        cache.close()


def sent_ids(fake):
    return Counter(r.custom_id for r in fake.requests if r.custom_id)


def test_review_grades_fills_the_cache_and_prints_findings(tree, fake, capsys):
    status, out, err = review(capsys, "docs", "--poll-interval", "0", "--format", "json")
    assert status == 0, err
    found = {(f["path"], f["quote"], f["critic"]) for f in json.loads(out)}
    assert ("docs/a.md", "in order to", "claude") in found
    assert ("docs/b.md", "is able to", "claude") in found
    assert fake.rejections == []
    models = Counter((r.custom_id[9], r.model) for r in fake.requests)
    assert models == {("c", "claude-opus-5-5"): 2, ("g", "claude-sonnet-5-5"): 2}
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cid) for cid in sent_ids(fake))
    assert cached(tree, A) == [True, True]


def test_batch_params_are_exactly_the_interactive_request(tree, fake, capsys):
    review(capsys, "docs/b.md", "--poll-interval", "0")
    first = fake.batches.batches["msgbatch_fake000001"].requests[0]
    report = read_report(Path("docs/b.md"), Settings(), None)
    blocks = [b for b in split_blocks(report.text, "markdown") if b.kind != "heading"]
    context = document_context("docs/b.md", "markdown", split_blocks(report.text, "markdown"))
    expected = critique_params(review_critic(Settings()), [CritiqueRequest(blocks[0], context)])
    assert first["params"] == expected
    # The batch docs recommend the 1-hour cache: a batch may reach the next request that
    # shares the prefix after more than five minutes. Apart from that, the editor's shape.
    assert first["params"]["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert first["params"]["output_config"]["format"]["type"] == "json_schema"
    interactive = review_critic(Settings()).caller.request(
        "critique", first["params"]["model"], load_prompt("critique"),
        [m["text"] for m in first["params"]["messages"][0]["content"]], CRITIQUE_TOKENS,
    )  # fmt: skip
    for params in (interactive, first["params"]):
        for block in [*params["system"], *params["messages"][0]["content"]]:
            block.pop("cache_control", None)
    assert interactive == first["params"]


async def test_the_editor_path_gets_reviewed_findings_with_no_call(tree, fake):
    args = build_parser().parse_args(["review", "docs", "--poll-interval", "0"])
    assert run(args, sleep=lambda s: None) == 0
    calls = len(fake.requests)
    delivered = {}

    async def on_results(uri, block_hash, findings):
        delivered[block_hash] = findings

    env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": fake.url}
    service = ReviewService.start(Settings(), env, tree / "state", on_results)
    blocks = split_blocks(A, "markdown")
    doc = DocumentBlocks("file:///a.md", blocks, document_context("a.md", "markdown", blocks))
    found = await service.review_all([doc])
    await service.aclose()
    assert len(fake.requests) == calls  # no critique, no grading call
    quotes = sorted(f.quote for findings in found.values() for f in findings)
    assert quotes == ["Keep in mind", "end result", "in order to"]


STEPS = [
    "planned", "recovered", "critique:created", "critique:submitted", "critique:result",
    "critique:collected", "grade:created", "grade:submitted", "grade:result", "grade:collected",
]  # fmt: skip


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_after_each_step_resumes_without_losing_or_repeating(tree, fake, capsys, step):
    with pytest.raises(Crash):
        review(capsys, "docs", "--poll-interval", "0", checkpoint=stop_at(step))
    capsys.readouterr()
    status, out, err = review(capsys, "--resume", "--poll-interval", "0", "--format", "json")
    assert status == 0, err
    assert len(json.loads(out)) >= 5
    assert set(sent_ids(fake).values()) == {1}  # every request answered exactly once
    assert len(sent_ids(fake)) == 4 and len(fake.batches.batches) == 2
    assert cached(tree, A) == [True, True] and cached(tree, B) == [True]


def test_a_killed_process_resumes_in_a_new_one(tree, fake, capsys):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "server")}
    cmd = [sys.executable, "-m", "nudge", "review", "docs", "--poll-interval", "30"]
    child = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not fake.batches.batches and time.monotonic() < deadline:
            time.sleep(0.01)
        assert fake.batches.batches, "the review never submitted"
    finally:
        child.kill()
        child.communicate()
    status, out, err = review(capsys, "--resume", "--poll-interval", "0")
    assert status == 0, err
    assert "in order to" not in err and "docs/a.md" in out
    assert len(fake.batches.batches) == 2 and set(sent_ids(fake).values()) == {1}


def test_a_partly_errored_batch_reports_the_file_and_retries_that_request_alone(tree, fake, capsys):
    review(capsys, "docs", "--no-wait")
    batch = fake.batches.batches["msgbatch_fake000001"]
    b_id = next(r["custom_id"] for r in batch.requests if "Beta" in json.dumps(r["params"]))
    fake.batches.fail(batch.id, b_id, "overloaded_error", "busy")
    status, _, err = review(capsys, "--resume", "--poll-interval", "0")
    assert status == 2
    assert "docs/b.md: error: review: critique: errored: overloaded_error (busy)" in err
    assert "nudge review --retry" in err
    assert cached(tree, A) == [True, True] and cached(tree, B) == [False]
    status, _out, err = review(capsys, "--retry", "--poll-interval", "0")
    assert status == 0, err
    again = list(fake.batches.batches.values())[2]
    assert [r["custom_id"] for r in again.requests] == [b_id]
    assert cached(tree, B) == [True]


def test_expired_requests_are_failures_until_retried(tree, fake, capsys):
    review(capsys, "docs", "--no-wait")
    batch = fake.batches.batches["msgbatch_fake000001"]
    fake.batches.expire(batch.id, processed=[batch.requests[0]["custom_id"]])
    status, _, err = review(capsys, "--resume", "--poll-interval", "0")
    assert status == 2 and ": critique: expired" in err
    _, out, _ = review(capsys, "--status")
    assert "failed:" in out and "nudge review --retry" in out
    assert review(capsys, "--retry", "--poll-interval", "0")[0] == 0


def test_results_for_a_changed_file_use_only_blocks_whose_hash_still_matches(tree, fake, capsys):
    review(capsys, "docs", "--no-wait")
    changed = A.replace("Keep in mind the end result.", "Keep in mind the final end result.")
    (tree / "docs" / "a.md").write_text(changed, encoding="utf-8")
    status, _, err = review(capsys, "--resume", "--poll-interval", "0")
    assert status == 0, err
    assert "1 block(s) changed since they were sent" in err
    assert cached(tree, changed) == [True, False]
    _, out, _ = review(capsys, "docs", "--dry-run", "--format", "json")
    plan = json.loads(out)
    assert (plan["blocks"], plan["cached_blocks"], plan["requests"]) == (1, 2, 1)


def test_the_budget_refuses_a_plan_without_yes(tree, fake, capsys):
    (tree / ".nudge.toml").write_text("daily_cost_budget_usd = 0.001\n", encoding="utf-8")
    status, _, err = review(capsys, "docs", "--poll-interval", "0")
    assert status == 3 and "refusing to submit" in err and "--yes" in err
    assert fake.batches.batches == {}
    assert review(capsys, "docs", "--poll-interval", "0", "--yes")[0] == 0
    assert len(fake.batches.batches) == 2


def test_dry_run_prints_the_plan_and_sends_nothing(tree, fake, capsys):
    status, out, _ = review(capsys, "docs", "--dry-run", "--format", "json")
    plan = json.loads(out)
    assert status == 0 and fake.calls == []
    assert (plan["files"], plan["blocks"], plan["requests"]) == (2, 3, 2)
    assert plan["bytes"] > 2 * 7000  # each request carries the whole system prompt
    assert 0 < plan["cost_usd"] <= plan["interactive_cost_usd"] / 2 + 1e-9
    assert plan["tokens"] == sum(sum(plan[k].values()) for k in ("critique_tokens", "grade_tokens"))
    _, text, _ = review(capsys, "docs", "--dry-run")
    assert "3 block(s) to review" in text and "estimated cost at batch prices" in text


def test_status_shows_each_batch_with_its_counts(tree, fake, capsys):
    assert review(capsys, "--status")[1] == "no review recorded\n"
    fake.batches.polls = None  # the batch runs until the test ends it
    review(capsys, "docs", "--no-wait")
    status, out, _ = review(capsys, "--status")
    assert status == 0
    assert "b1 critique msgbatch_fake000001: in_progress; processing 2" in out
    assert "continue with: nudge review --resume" in out
    _, out, _ = review(capsys, "--status", "--format", "json")
    assert json.loads(out)["requests"] == {"sent": 2}
    assert review(capsys, "docs")[0] == 2  # one review at a time
    fake.batches.finish("msgbatch_fake000001")
    _, out, _ = review(capsys, "--status")
    assert "b1 critique msgbatch_fake000001: ended; succeeded 2" in out


def test_batches_are_split_by_our_limits_and_by_a_413(tree, fake, capsys):
    review(capsys, "docs", "--poll-interval", "0", limits=Limits(max_requests=1))
    sizes = [len(b.requests) for b in fake.batches.batches.values()]
    assert sizes == [1, 1, 1, 1]


def test_a_batch_the_api_calls_too_large_is_halved(tree, fake, capsys):
    fake.batches.max_requests = 1
    status, _, err = review(capsys, "docs", "--poll-interval", "0")
    assert status == 0, err
    assert [len(b.requests) for b in fake.batches.batches.values()] == [1, 1, 1, 1]


def test_cancel_stops_the_run_and_reports_canceled_requests(tree, fake, capsys):
    review(capsys, "docs", "--no-wait")
    status, _, err = review(capsys, "--cancel", "--poll-interval", "0")
    assert status == 2 and "canceled" in err
    assert next(iter(fake.batches.batches.values())).status == "ended"
    assert len(fake.batches.batches) == 1  # no grading batch after a cancel


def test_spend_is_recorded_at_batch_prices_and_shown_by_stats(tree, fake, capsys):
    review(capsys, "docs", "--poll-interval", "0")
    summary = summarize(read_events(tree / "state" / "telemetry.jsonl"))
    assert summary["batch"]["requests"] == 4 and summary["batch"]["cost_usd"] > 0
    budget = json.loads((tree / "state" / "budget.json").read_text())
    assert budget["tokens"] == summary["batch"]["tokens"]
    assert build_parser().parse_args(["stats"]).func(build_parser().parse_args(["stats"])) == 0
    assert "of which batch (nudge review): 4 requests" in capsys.readouterr().out


def test_write_baseline_then_check_against_it(tree, fake, capsys):
    review(capsys, "docs", "--poll-interval", "0", "--write-baseline", "baseline.json")
    entries = json.loads((tree / "baseline.json").read_text())["findings"]
    assert {"claude:wordiness", "claude:redundancy"} <= {e["rule"] for e in entries}
    args = build_parser().parse_args(["check", "docs", "--baseline", "baseline.json"])
    assert args.func(args) == 0  # everything shown now is accepted


async def test_a_house_style_reaches_the_batches_and_the_editor_finds_the_results(tree, fake):
    from nudge.style import load_style_guide

    (tree / "STYLE.md").write_text("# House style\n\nWrite 'sign in', never 'log in'.\n" * 20)
    (tree / ".nudge.toml").write_text('style_guide = "STYLE.md"\n')
    args = build_parser().parse_args(["review", "docs", "--poll-interval", "0"])
    assert run(args, sleep=lambda s: None) == 0
    batched = [r for r in fake.requests if r.custom_id]
    assert batched and all("never 'log in'" in r.system_text for r in batched)
    calls = len(fake.requests)
    style, _ = load_style_guide(tree, "STYLE.md")
    assert review_identity(Settings(), style)["style"] == style.hash

    async def on_results(uri, block_hash, findings):
        return None

    env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": fake.url}
    settings = Settings(style_guide="STYLE.md")
    service = ReviewService.start(settings, env, tree / "state", on_results, style=style)
    blocks = split_blocks(A, "markdown")
    doc = DocumentBlocks("file:///a.md", blocks, document_context("a.md", "markdown", blocks))
    found = await service.review_all([doc])
    await service.aclose()
    assert len(fake.requests) == calls  # the review, made with the same style, is reused
    assert sorted(f.quote for fs in found.values() for f in fs) == [
        "Keep in mind", "end result", "in order to"
    ]  # fmt: skip
