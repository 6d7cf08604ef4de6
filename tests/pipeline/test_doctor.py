"""`nudge doctor`: the offline report, and live checks against the fake Claude."""

import re

import pytest

from nudge import cli
from tests.fakes.fake_claude import FakeClaude, heuristic_responder


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    return tmp_path


def test_without_a_key_it_reports_and_says_what_is_missing(state, capsys):
    (state / ".nudge.toml").write_text('min_confidence = 0.7\nmodel = "claude-opus-5-5"\n')
    assert cli.main(["doctor", "--root", str(state)]) == 2
    out = capsys.readouterr().out
    assert "minConfidence = 0.7  [.nudge.toml:1]" in out
    assert "debounceMs = 400  [default]" in out
    assert str(state / "state") in out
    assert '"thinking": {"type": "adaptive"}' in out  # Opus 5.5, the critic here
    assert '"thinking": {"type": "disabled"}' in out  # Haiku 5.5, the grader
    assert "tool_choice" not in out and "temperature" not in out
    assert "ANTHROPIC_API_KEY is not set" in out


def test_an_unknown_model_is_named_with_the_supported_ones(state, capsys):
    (state / ".nudge.toml").write_text('grader_model = "claude-nonesuch"\n')
    cli.main(["doctor", "--root", str(state)])
    out = capsys.readouterr().out
    assert "claude-nonesuch  (unknown model: most conservative shape)" in out


def test_live_checks_show_a_cache_read_on_the_second_call(state, capsys, monkeypatch):
    with FakeClaude(heuristic_responder()) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-doctor")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        assert cli.main(["doctor", "--root", str(state)]) == 0
        assert fake.rejections == []
    out = capsys.readouterr().out
    assert "sk-test-doctor" not in out
    for kind, model in (("critique", "claude-sonnet-5-5"), ("grade", "claude-haiku-5-5")):
        first = re.search(rf"{kind} on {model}, call 1: ok.*?(\d+) cache read", out)
        second = re.search(rf"{kind} on {model}, call 2: ok.*?(\d+) cache read", out)
        assert first and second, out
        assert int(first.group(1)) == 0 and int(second.group(1)) > 500
        assert re.search(rf"{kind} on {model}: request counts [\d,]+ input tokens", out)
    cost = float(re.search(r"total estimated cost of the live checks: \$([\d.]+)", out).group(1))
    assert 0 < cost < 0.01


def test_a_rejected_key_fails_with_status_1(state, capsys, monkeypatch):
    from tests.fakes.fake_claude import error

    with FakeClaude(lambda recorded: error(401, message="invalid x-api-key")) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-bad")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        assert cli.main(["doctor", "--root", str(state)]) == 1
    assert "FAILED: Claude rejected the API key" in capsys.readouterr().out
