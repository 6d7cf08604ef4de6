"""House style and turned-down examples reach Claude's cached system blocks (on the fake)."""

from __future__ import annotations

import anthropic
import pytest

from nudge.critics.base import CritiqueRequest, DocumentContext
from nudge.critics.claude import ClaudeCritic
from nudge.model import Block
from nudge.results_cache import cache_key
from nudge.session import Session
from nudge.style import FRAMING, MAX_CHARS, StyleGuide, load_style_guide
from nudge.telemetry import Telemetry
from nudge.unwanted import Unwanted
from tests.fakes.fake_claude import heuristic_responder

TEXT = "At the end of the day, we test in order to ship."
BATCH = [CritiqueRequest(Block.make(0, TEXT, TEXT), DocumentContext(title="Notes"))]
GUIDE = StyleGuide("docs/STYLE.md", "# House style\n\n- Write 'sign in', never 'log in'.\n" * 40)
UNWANTED = [Unwanted("cliche", "at the end of the day", "[At the end of the day], we test")]


def critic_for(fake, **options) -> ClaudeCritic:
    client = anthropic.AsyncAnthropic(api_key="sk-test", base_url=fake.url, max_retries=0)
    return ClaudeCritic(client, model="claude-sonnet-5-5", grader_model="claude-haiku-5-5",
                        **options)  # fmt: skip


def cache_points(body) -> int:
    blocks = list(body["system"]) + [c for m in body["messages"] for c in m["content"]]
    return sum("cache_control" in b for b in blocks)


async def test_style_guide_reaches_both_calls_cached_and_is_read_from_cache(fake):
    fake.responder = heuristic_responder(0.9)
    telemetry = Telemetry(None)
    critic = critic_for(fake, style=GUIDE, unwanted=lambda: UNWANTED, telemetry=telemetry)
    await critic.critique(BATCH)
    await critic.critique(BATCH)
    critique, grade, critique2, grade2 = fake.requests
    for request in fake.requests:
        system = request.body["system"]
        assert system[1]["text"].startswith(FRAMING) and "never 'log in'" in system[1]["text"]
        assert all(b["cache_control"] == {"type": "ephemeral"} for b in system)
        assert cache_points(request.body) <= 4
    assert len(critique.body["system"]) == 2  # prompt, style
    assert len(grade.body["system"]) == 3  # prompt, style, what the team turned down
    assert "at the end of the day" in grade.body["system"][2]["text"]
    assert critique2.body["system"] == critique.body["system"]  # byte-stable prefix
    assert grade2.body["system"] == grade.body["system"]
    first, _, second, second_grade = critic.records
    style_tokens = len(GUIDE.system_block()) // 4
    assert first.usage.cache_write_tokens > style_tokens
    assert second.usage.cache_read_tokens >= first.usage.cache_write_tokens
    assert second.usage.cache_write_tokens == 0 and second_grade.usage.cache_write_tokens == 0
    prompts = {e["prompt"] for e in telemetry.events if e["event"] == "request"}
    assert prompts == {f"critique@3+style:{GUIDE.hash}", f"grade@2+style:{GUIDE.hash}"}
    assert not any("log in" in str(e) for e in telemetry.events)


def test_style_guide_changes_the_results_cache_key(fake):
    plain, styled = critic_for(fake), critic_for(fake, style=GUIDE)
    edited = critic_for(fake, style=StyleGuide(GUIDE.path, GUIDE.text + "\n- Use 'email'."))
    keys = {cache_key(c.identity(), "block") for c in (plain, styled, edited)}
    assert len(keys) == 3
    assert GUIDE.text not in repr(styled.identity())


@pytest.mark.parametrize(
    ("setting", "content", "warning"),
    [
        ("docs/STYLE.md", None, "not found"),
        ("docs/STYLE.md", "x" * (MAX_CHARS + 1), "over the 30,000-character limit"),
        ("../outside.md", "rules", "outside the workspace"),
        ("docs/style.pdf", "rules", "expected Markdown or text"),
        ("docs/STYLE.md", b"\xff\xfe bad", "cannot be read"),
    ],
)
def test_a_missing_or_unusable_style_guide_warns_and_sends_none(tmp_path, setting, content,
                                                                 warning):  # fmt: skip
    root = tmp_path / "ws"
    (root / "docs").mkdir(parents=True)
    target = root / setting
    if isinstance(content, str):
        target.write_text(content)
    elif isinstance(content, bytes):
        target.write_bytes(content)
    guide, problem = load_style_guide(root, setting)
    assert guide is None and warning in problem
    (root / ".nudge.toml").write_text(f'style_guide = "{setting}"\n')
    session = Session(root, tmp_path / "cache")  # a warning in the problems, not a crash
    assert session.style is None
    assert any(p.key == "style_guide" for p in session.problems)


def test_the_session_reads_the_team_style_guide(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "STYLE.md").write_text("Write 'sign in'.\n")
    (tmp_path / ".nudge.toml").write_text('style_guide = "docs/STYLE.md"\n')
    session = Session(tmp_path, tmp_path / "cache")
    assert session.style == StyleGuide("docs/STYLE.md", "Write 'sign in'.")
    assert session.problems == []
