"""Every supported model as critic and as grader, against the fake that keeps the contract.

The fake (tests/fakes/) was written from the API documentation, not from our client:
a request shape one model rejects fails here. Each pair must get no 4xx, read the
system prompt from cache from the second call on (where the model's minimum allows),
and produce findings whose quotes match the text.
"""

import dataclasses

import anthropic
import pytest

from nudge.critics.base import CritiqueRequest, DocumentContext
from nudge.critics.claude import ClaudeCritic
from nudge.critics.models import SUPPORTED, model_spec
from nudge.critics.transport import Caller, ModelShapes
from nudge.model import Block
from nudge.prompt_loader import load_prompt
from nudge.telemetry import Telemetry
from tests.fakes import contract
from tests.fakes.fake_claude import FakeClaude, heuristic_responder

TEXT = "At the end of the day, we test in order to ship. Each and every crate builds."
BATCH = [CritiqueRequest(Block.make(0, TEXT, TEXT), DocumentContext(title="Testing"))]


def client(fake):
    return anthropic.AsyncAnthropic(api_key="sk-test", base_url=fake.url, max_retries=0)


@pytest.mark.parametrize("grader", SUPPORTED)
@pytest.mark.parametrize("model", SUPPORTED)
async def test_every_pair_of_models_is_accepted_and_cached(model, grader):
    with FakeClaude(heuristic_responder(0.9)) as fake:
        critic = ClaudeCritic(client(fake), model=model, grader_model=grader)
        for _ in range(2):
            result = await critic.critique(BATCH)
            assert {f.quote for f in result[0]} >= {"At the end of the day", "in order to"}
            assert all(TEXT[f.start : f.end] == f.quote for f in result[0])
        assert fake.rejections == [], [(r[1], r[2]) for r in fake.rejections]
        assert all(r.status == "ok" for r in critic.records)
        for kind, name in (("critique", model), ("grade", grader)):
            first, second = [r for r in critic.records if r.kind == kind]
            system = len(load_prompt(kind).system) // 4
            if system >= model_spec(name).min_cache_tokens:
                assert second.usage.cache_read_tokens >= system, (kind, name)
            else:  # Haiku 4.5 caches only prompts of 4,096+ tokens: silently not cached
                assert second.usage.cache_read_tokens == 0
                assert first.usage.cache_write_tokens == 0


async def test_a_documented_thinking_400_steps_the_model_down_once(tmp_path):
    # A Sonnet 5.5 that (unlike the table) rejects between_tools, and no Models API
    # probe to warn us: the first request gets the documented 400, the next goes out
    # without `thinking`, and that choice sticks.
    strict = dataclasses.replace(
        contract.MODELS["claude-sonnet-5-5"], thinking_types=frozenset({"adaptive"})
    )
    with FakeClaude(heuristic_responder(), models={**contract.MODELS, strict.id: strict}) as fake:
        telemetry = Telemetry(tmp_path / "t.jsonl")
        caller = Caller(client(fake), ModelShapes(), telemetry=telemetry)
        prompt = load_prompt("critique")
        parts = prompt.render_parts(
            title="T", headings="(none)", blocks='<block index="1">\nx\n</block>'
        )
        for _ in range(2):
            answer = await caller.call(kind="critique", model=strict.id, prompt=prompt, user=parts,
                                       answer_tokens=512)  # fmt: skip
            assert answer.data == {"suggestions": []}
        assert len(fake.rejections) == 1 and "thinking" in fake.rejections[0][2]
        sent = [r.body.get("thinking") for r in fake.requests]
        assert sent == [{"type": "between_tools"}, None, None]
        assert caller.counters["fallback_thinking"] == 1
        assert [e["reason"] for e in telemetry.events if e["event"] == "fallback"] == ["thinking"]


async def test_probe_capabilities_override_the_table_before_any_request(tmp_path):
    # The Models API says this Haiku 5.5 has no structured outputs (which covers strict
    # tools too): the critic sends a plain tool chosen auto, never what it would reject.
    caps = {"claude-haiku-5-5": {"structured_outputs": {"supported": False}}}
    with FakeClaude(heuristic_responder(), capabilities=caps) as fake:
        haiku = {"model": "claude-haiku-5-5", "grader_model": "claude-haiku-5-5"}
        critic = ClaudeCritic(client(fake), probe_cache=tmp_path / "models.json", **haiku)
        await critic.critique(BATCH)
        assert fake.rejections == []
        body = fake.requests[0].body
        assert body["tool_choice"] == {"type": "auto"} and "strict" not in body["tools"][0]
        assert "format" not in body.get("output_config", {})
        assert (tmp_path / "models.json").is_file()
        # A second critic reads the day's probe from the file, without asking again.
        calls = len(fake.calls)
        again = ClaudeCritic(client(fake), probe_cache=tmp_path / "models.json", **haiku)
        await again.prepare()
        assert len(fake.calls) == calls
