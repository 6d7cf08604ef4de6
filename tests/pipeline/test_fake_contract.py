"""The fake Claude keeps the documented API contract: the real SDK against it over HTTP.

These tests pin the fake to the docs (tests/fakes/contract.py cites each rule), not to
Nudge's client: rejections with the documented status, type and message, the answer
shapes, the prompt cache, count_tokens, the Models API and the Message Batches life cycle.
"""

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import anthropic
import pytest

from tests.fakes import contract
from tests.fakes.fake_claude import FakeClaude, Reply, error, refusal, tool, truncated
from tests.fakes.replies import THINKING_TOKENS
from tests.fakes.virtual_latency import HeldClient

KEY = "sk-test-key"
SONNET, HAIKU, OPUS, SONNET5, HAIKU45 = (
    "claude-sonnet-5-5",
    "claude-haiku-5-5",
    "claude-opus-5-5",
    "claude-sonnet-5",
    "claude-haiku-4-5",
)
LONG = "Judge prose for clichés, wordiness and unclear sentences. " * 60  # ~900 tokens
TOOL = {
    "name": "report_suggestions",
    "description": "Report the suggestions.",
    "input_schema": {
        "type": "object",
        "properties": {"suggestions": {"type": "array", "items": {"type": "string"}}},
        "required": ["suggestions"],
    },
}
SCHEMA = {
    "type": "object",
    "properties": {"suggestions": {"type": "array", "items": {"type": "string"}}},
    "required": ["suggestions"],
    "additionalProperties": False,
}


def client(fake):
    return anthropic.Anthropic(api_key=KEY, base_url=fake.url, max_retries=0)


def user(text="Review: at the end of the day we ship."):
    return [{"role": "user", "content": [{"type": "text", "text": text}]}]


def request(model=SONNET, **extra):
    body = {"model": model, "max_tokens": 4096, "messages": user()}
    body.update(extra)
    return body


@dataclass
class Response:
    status_code: int
    text: str
    headers: dict

    @property
    def is_success(self):
        return self.status_code == 200

    def json(self):
        return json.loads(self.text)


def post(fake, path, body, version="2026-10-21", auth=True):
    """POST a raw JSON body (for bodies the SDK would refuse to build)."""
    headers = {"content-type": "application/json"}
    if version:
        headers["anthropic-version"] = version
    if auth:
        headers["authorization"] = f"Bearer {KEY}"
    sent = urllib.request.Request(
        f"{fake.url}{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(sent, timeout=5) as got:
            return Response(got.status, got.read().decode(), dict(got.headers))
    except urllib.error.HTTPError as failed:
        return Response(failed.code, failed.read().decode(), dict(failed.headers))


def old_shape(model):
    """Nudge's previous critique request (reference §0)."""
    return {
        "model": model,
        "max_tokens": 2048,
        "system": [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}],
        "tools": [TOOL],
        "tool_choice": {"type": "tool", "name": "report_suggestions"},
        "messages": user(),
    }


def fmt(schema):
    return {"format": {"type": "json_schema", "schema": schema}}


def obj(**properties):
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


# --- the old request shape ------------------------------------------------------------


def test_old_request_shape_is_rejected_by_sonnet_5_5(fake):
    fake.push(tool({"suggestions": []}))
    with pytest.raises(anthropic.BadRequestError) as caught:
        client(fake).messages.create(**old_shape(SONNET))
    assert caught.value.status_code == 400
    assert caught.value.body["error"] == {
        "type": "invalid_request_error",
        "message": 'tool_choice: type "tool" and "any" are not supported for this model.',
    }
    assert caught.value.body["request_id"] == caught.value.response.headers["request-id"]
    (recorded,) = fake.requests
    assert fake.rejections == [(recorded, 400, contract.FORCED_TOOL_CHOICE)]
    assert len(fake.replies) == 1  # a rejected request consumes no scripted reply


def test_old_request_shape_succeeds_on_haiku_5_5_without_thinking(fake):
    fake.push(tool({"suggestions": ["x"]}))
    reply = client(fake).messages.create(**old_shape(HAIKU))
    assert reply.content[0].type == "tool_use"
    assert reply.content[0].name == "report_suggestions"
    assert reply.content[0].input == {"suggestions": ["x"]}
    assert not [b for b in reply.content if b.type == "thinking"]
    assert reply.stop_reason == "tool_use" and fake.rejections == []


# --- rejections -----------------------------------------------------------------------

FORCED = {"tools": [TOOL], "tool_choice": {"type": "any"}}
THINK = contract
REJECTED = [
    ("unknown model", request("claude-nope"), 404, "not_found_error", "model: claude-nope"),
    ("forced any, Opus 5.5", request(OPUS, **FORCED), 400, None, THINK.FORCED_TOOL_CHOICE),
    (
        "forced tool, Sonnet 5.5",
        request(SONNET, tools=[TOOL], tool_choice={"type": "tool", "name": "report_suggestions"}),
        400,
        None,
        THINK.FORCED_TOOL_CHOICE,
    ),
    (
        "forced tool with manual thinking, Haiku 4.5",
        request(HAIKU45, thinking={"type": "enabled", "budget_tokens": 2048}, **FORCED),
        400,
        None,
        THINK.THINKING_WITH_FORCED_TOOL,
    ),
    (
        "disabled, Sonnet 5.5",
        request(SONNET, thinking={"type": "disabled"}),
        400,
        None,
        THINK.DISABLED_USE_BETWEEN_TOOLS,
    ),
    (
        "disabled, Opus 5.5",
        request(OPUS, thinking={"type": "disabled"}),
        400,
        None,
        THINK.DISABLED_USE_ADAPTIVE,
    ),
    *[
        (
            f"budget, {m}",
            request(m, thinking={"type": "enabled", "budget_tokens": 2048}),
            400,
            None,
            THINK.ENABLED_USE_ADAPTIVE,
        )
        for m in (SONNET, HAIKU, OPUS, SONNET5)
    ],
    ("between_tools, Opus 5.5", request(OPUS, thinking={"type": "between_tools"}), 400, None, ""),
    ("between_tools, Haiku 5.5", request(HAIKU, thinking={"type": "between_tools"}), 400, None, ""),
    ("adaptive, Haiku 4.5", request(HAIKU45, thinking={"type": "adaptive"}), 400, None, ""),
    (
        "budget under 1024, Haiku 4.5",
        request(HAIKU45, thinking={"type": "enabled", "budget_tokens": 512}),
        400,
        None,
        "",
    ),
    (
        "budget not under max_tokens, Haiku 4.5",
        request(HAIKU45, max_tokens=2048, thinking={"type": "enabled", "budget_tokens": 2048}),
        400,
        None,
        "",
    ),
    *[
        (
            f"disabled at {e}, Haiku 5.5",
            request(HAIKU, thinking={"type": "disabled"}, output_config={"effort": e}),
            400,
            None,
            "",
        )
        for e in ("xhigh", "max")
    ],
    *[
        (
            f"between_tools at {e}, Sonnet 5.5",
            request(SONNET, thinking={"type": "between_tools"}, output_config={"effort": e}),
            400,
            None,
            "",
        )
        for e in ("xhigh", "max")
    ],
    (
        "effort, Haiku 4.5",
        request(HAIKU45, output_config={"effort": "low"}),
        400,
        None,
        THINK.NO_EFFORT,
    ),
    ("effort value", request(SONNET, output_config={"effort": "extreme"}), 400, None, ""),
    *[
        (f"{p}, {m}", request(m, **{p: v}), 400, None, f"{p}: Extra inputs are not permitted")
        for p, v in (("temperature", 1.0), ("top_p", 0.9), ("top_k", 5))
        for m in (SONNET, HAIKU, HAIKU45)
    ],
    *[
        (
            f"prefill, {m}",
            request(
                m,
                messages=[*user(), {"role": "assistant", "content": "{"}],
                **({"thinking": {"type": "disabled"}} if m == HAIKU else {}),
            ),
            400,
            None,
            THINK.PREFILL,
        )
        for m in (SONNET, HAIKU, OPUS, SONNET5)
    ],
    (
        "missing max_tokens",
        {"model": SONNET, "messages": user()},
        400,
        None,
        "max_tokens: Field required",
    ),
    (
        "empty messages",
        request(messages=[]),
        400,
        None,
        "messages: at least one message is required",
    ),
    ("bad role", request(messages=[{"role": "robot", "content": "hi"}]), 400, None, ""),
    ("empty text block", request(messages=user("")), 400, None, ""),
    ("max_tokens above the model's", request(HAIKU45, max_tokens=64_001), 400, None, ""),
    ("unknown field", request(output_format=fmt(SCHEMA)["format"]), 400, None, ""),
    (
        "system message on Sonnet 5",
        request(SONNET5, messages=[*user(), {"role": "system", "content": "x"}, *user()]),
        400,
        None,
        "",
    ),
]


def cached(text, ttl=None):
    mark = {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}
    return {"type": "text", "text": text, "cache_control": mark}


CACHE_REJECTED = [
    (
        "five breakpoints",
        request(system=[cached(f"part {i}") for i in range(5)]),
        THINK.TOO_MANY_BREAKPOINTS.format(n=5),
    ),
    (
        "four breakpoints plus automatic",
        request(
            system=[cached(f"part {i}") for i in range(4)], cache_control={"type": "ephemeral"}
        ),
        THINK.TOO_MANY_BREAKPOINTS.format(n=5),
    ),
    (
        "automatic TTL differs from the last block's",
        request(
            messages=[{"role": "user", "content": [cached("x")]}],
            cache_control={"type": "ephemeral", "ttl": "1h"},
        ),
        "",
    ),
    ("1h after 5m", request(system=[cached("a"), cached("b", "1h")]), ""),
    ("bad ttl", request(system=[cached("a", "10m")]), ""),
]

BAD_SCHEMAS = [
    (
        "no additionalProperties",
        {"type": "object", "properties": {}},
        "must be explicitly set to false",
    ),
    (
        "additionalProperties true",
        {**obj(), "additionalProperties": True},
        "'additionalProperties: true' is not supported",
    ),
    (
        "nested object open",
        obj(inner={"type": "object", "properties": {}}),
        "must be explicitly set to false",
    ),
    *[(k, obj(n={"type": "integer", k: 1}), k) for k in ("minimum", "maximum", "multipleOf")],
    *[(k, obj(s={"type": "string", k: 2}), k) for k in ("minLength", "maxLength")],
    ("maxItems", obj(a={"type": "array", "items": {"type": "string"}, "maxItems": 3}), "maxItems"),
    (
        "minItems 2",
        obj(a={"type": "array", "items": {"type": "string"}, "minItems": 2}),
        "minItems",
    ),
    ("uniqueItems", obj(a={"type": "array", "uniqueItems": True}), "uniqueItems"),
    (
        "recursive",
        {
            **obj(node={"$ref": "#/$defs/node"}),
            "$defs": {"node": obj(child={"$ref": "#/$defs/node"})},
        },
        "Recursive",
    ),
    ("external ref", obj(x={"$ref": "https://example.com/s.json"}), "External"),
    ("object in enum", obj(x={"enum": [{"a": 1}]}), "enum"),
    ("format", obj(x={"type": "string", "format": "credit-card"}), "format"),
    ("backreference", obj(x={"type": "string", "pattern": "(a)\\1"}), "Pattern"),
    ("lookahead", obj(x={"type": "string", "pattern": "a(?=b)"}), "Pattern"),
    (
        "allOf with $ref",
        {**obj(x={"allOf": [{"$ref": "#/$defs/d"}]}), "$defs": {"d": obj()}},
        "allOf",
    ),
]


def assert_rejected(fake, body, status, kind, message, queued=1):
    fake.push(tool({"unused": True}))
    response = post(fake, "/v1/messages", body)
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["type"] == "error"
    assert payload["error"]["type"] == (kind or "invalid_request_error")
    if message:
        assert message in payload["error"]["message"]
    assert payload["request_id"] == response.headers["request-id"]
    assert fake.rejections[-1][1:] == (status, payload["error"]["message"])
    assert fake.requests[-1] is fake.rejections[-1][0]
    assert len(fake.replies) == queued


@pytest.mark.parametrize(("name", "body", "status", "kind", "message"), REJECTED)
def test_documented_rejections(fake, name, body, status, kind, message):
    assert_rejected(fake, body, status, kind, message)


@pytest.mark.parametrize(("name", "body", "message"), CACHE_REJECTED)
def test_cache_control_rejections(fake, name, body, message):
    assert_rejected(fake, body, 400, None, message)


@pytest.mark.parametrize(("name", "schema", "message"), BAD_SCHEMAS)
def test_json_outputs_outside_the_subset_are_rejected(fake, name, schema, message):
    assert_rejected(fake, request(output_config=fmt(schema)), 400, None, message)


@pytest.mark.parametrize(("name", "schema", "message"), BAD_SCHEMAS[:6])
def test_strict_tools_share_the_subset(fake, name, schema, message):
    strict = {**TOOL, "input_schema": schema, "strict": True}
    assert_rejected(fake, request(tools=[strict], tool_choice={"type": "auto"}), 400, None, message)


def test_models_without_structured_outputs_reject_a_format():
    overrides = {SONNET: {"structured_outputs": {"supported": False}}}
    with FakeClaude(capabilities=overrides) as fake:
        assert_rejected(fake, request(output_config=fmt(SCHEMA)), 400, None, "not supported")


def test_headers_are_required(fake):
    assert post(fake, "/v1/messages", request(), version=None).status_code == 400
    unauthorised = post(fake, "/v1/messages", request(), auth=False)
    assert unauthorised.status_code == 401
    assert unauthorised.json()["error"]["type"] == "authentication_error"


def test_sampling_is_judged_by_api_version(fake):
    assert post(fake, "/v1/messages", request(HAIKU45, temperature=0.2), "2023-06-01").is_success
    both = request(HAIKU45, temperature=0.2, top_p=0.9)
    assert post(fake, "/v1/messages", both, "2023-06-01").status_code == 400
    assert (
        post(fake, "/v1/messages", request(SONNET, temperature=0.2), "2023-06-01").status_code
        == 400
    )


# --- accepted requests ----------------------------------------------------------------

GOOD_SCHEMA = {
    "type": "object",
    "properties": {
        "kind": {"enum": ["cliche", "wordiness", None]},
        "fixed": {"const": "yes"},
        "when": {"type": "string", "format": "date-time"},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 1},
        "either": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "note": {"type": "string", "default": ""},
    },
    "required": ["kind", "items"],
    "additionalProperties": False,
    "$defs": {"item": obj(quote={"type": "string"})},
}
ACCEPTED = [
    ("forced any, Haiku 5.5", request(HAIKU, **FORCED)),
    (
        "forced tool, Sonnet 5",
        request(SONNET5, tools=[TOOL], tool_choice={"type": "tool", "name": "report_suggestions"}),
    ),
    ("forced any, Haiku 4.5", request(HAIKU45, **FORCED)),
    (
        "disabled at high, Haiku 5.5",
        request(HAIKU, thinking={"type": "disabled"}, output_config={"effort": "high"}),
    ),
    (
        "between_tools at medium, Sonnet 5.5",
        request(SONNET, thinking={"type": "between_tools"}, output_config={"effort": "medium"}),
    ),
    (
        "disabled at max, Sonnet 5",
        request(SONNET5, thinking={"type": "disabled"}, output_config={"effort": "max"}),
    ),
    ("budget, Haiku 4.5", request(HAIKU45, thinking={"type": "enabled", "budget_tokens": 2048})),
    (
        "prefill with thinking off, Haiku 4.5",
        request(HAIKU45, messages=[*user(), {"role": "assistant", "content": "{"}]),
    ),
    *[
        (f"{e}, {m}", request(m, output_config={"effort": e}))
        for m in (SONNET, HAIKU, OPUS, SONNET5)
        for e in contract.EFFORT_LEVELS
    ],
    ("supported schema features", request(output_config=fmt(GOOD_SCHEMA))),
    (
        "strict tool with auto",
        request(
            tools=[{**TOOL, "strict": True, "input_schema": SCHEMA}], tool_choice={"type": "auto"}
        ),
    ),
    ("four breakpoints", request(system=[cached(f"part {i}") for i in range(4)])),
    (
        "automatic plus same TTL on the last block",
        request(
            messages=[{"role": "user", "content": [cached("x")]}],
            cache_control={"type": "ephemeral"},
        ),
    ),
    (
        "system message on Sonnet 5.5",
        request(messages=[*user(), {"role": "system", "content": "Be brief."}, *user()]),
    ),
    ("dated alias", request("claude-haiku-4-5-20251001")),
]


@pytest.mark.parametrize(("name", "body"), ACCEPTED)
def test_documented_requests_are_accepted(fake, name, body):
    response = post(fake, "/v1/messages", body)
    assert response.status_code == 200, response.text
    assert fake.rejections == []


# --- answer shapes --------------------------------------------------------------------

THINKING_CASES = [
    # model, request extras, expect a thinking block first
    (SONNET, {}, True),
    (SONNET, {"thinking": {"type": "adaptive"}}, True),
    (SONNET, {"thinking": {"type": "between_tools"}}, False),
    (HAIKU, {}, True),
    (HAIKU, {"thinking": {"type": "disabled"}}, False),
    (
        HAIKU,
        {"tools": [TOOL], "tool_choice": {"type": "tool", "name": "report_suggestions"}},
        False,
    ),
    (OPUS, {}, True),
    (SONNET5, {}, True),
    (SONNET5, {"thinking": {"type": "disabled"}}, False),
    (HAIKU45, {}, False),
    (HAIKU45, {"thinking": {"type": "enabled", "budget_tokens": 2048}}, True),
]


@pytest.mark.parametrize(("model", "extra", "thinks"), THINKING_CASES)
def test_thinking_block_comes_first_when_the_model_thinks(fake, model, extra, thinks):
    fake.push(tool({"suggestions": []}))
    reply = client(fake).messages.create(**request(model, **extra))
    kinds = [b.type for b in reply.content]
    assert (kinds[0] == "thinking") is thinks, kinds
    assert kinds.count("thinking") == int(thinks)
    if thinks:
        block = reply.content[0]
        assert block.signature
        summarized = contract.MODELS[model].default_display == "summarized"
        assert bool(block.thinking) is summarized  # display "omitted": empty text
    assert (reply.usage.output_tokens_details.thinking_tokens > 0) is thinks


def test_between_tools_thinks_after_a_tool_result(fake):
    messages = [
        *user(),
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "report_suggestions", "input": {}}
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}],
        },
    ]
    body = request(SONNET, thinking={"type": "between_tools"}, tools=[TOOL], messages=messages)
    reply = client(fake).messages.create(**body)
    assert reply.content[0].type == "thinking"
    assert reply.usage.output_tokens_details.thinking_tokens == THINKING_TOKENS["between_tools"]


def test_summarized_display_returns_thinking_text(fake):
    body = request(SONNET, thinking={"type": "adaptive", "display": "summarized"})
    assert client(fake).messages.create(**body).content[0].thinking


@pytest.mark.parametrize("effort", contract.EFFORT_LEVELS)
def test_thinking_tokens_follow_effort(fake, effort):
    body = request(SONNET, max_tokens=16_000, output_config={"effort": effort})
    reply = client(fake).messages.create(**body)
    used = reply.usage.output_tokens_details.thinking_tokens
    assert used == THINKING_TOKENS[effort]
    assert reply.usage.output_tokens == used + 1  # "{}" is the default answer


def test_default_effort_is_the_models(fake):
    for model in (SONNET, HAIKU, OPUS, SONNET5):
        reply = client(fake).messages.create(**request(model))
        expected = THINKING_TOKENS[contract.MODELS[model].default_effort]
        assert reply.usage.output_tokens_details.thinking_tokens == expected, model


def test_thinking_costs_and_latency_are_configurable():
    with FakeClaude(thinking_tokens={"low": 10, "high": 1000}, thinking_latency=1e-5) as fake:
        sdk = client(fake)
        sdk.messages.create(**request(SONNET, output_config={"effort": "low"}))
        sdk.messages.create(**request(SONNET, output_config={"effort": "high"}))
        low, high = fake.requests
        assert (low.thinking_tokens, high.thinking_tokens) == (10, 1000)
        assert low.latency == pytest.approx(1e-4) and high.latency == pytest.approx(1e-2)


def test_simulated_latency_can_be_spent_on_a_virtual_clock():
    slept, waited = [], []

    class Clock:
        def hold(self):
            return contextlib.nullcontext()

        async def sleep(self, seconds):
            waited.append(seconds)

    with FakeClaude(thinking_latency=1e-3, sleep=slept.append) as fake:
        sdk = anthropic.AsyncAnthropic(api_key=KEY, base_url=fake.url, max_retries=0)
        held = HeldClient(sdk, Clock(), latency=0.5, fake=fake)
        reply = asyncio.run(
            held.messages.create(**request(SONNET, output_config={"effort": "low"}))
        )
        expected = THINKING_TOKENS["low"] * 1e-3
        assert fake.simulated[reply.id] == pytest.approx(expected)
        assert slept == [pytest.approx(expected)]  # the server "waited" through `sleep`
        assert waited == [pytest.approx(0.5 + expected)]


def test_thinking_that_fills_max_tokens_leaves_no_text(fake):
    fake.push(tool({"suggestions": ["a"]}))
    body = request(SONNET, max_tokens=100, output_config={**fmt(SCHEMA), "effort": "high"})
    reply = client(fake).messages.create(**body)
    assert reply.stop_reason == "max_tokens"
    assert [b.type for b in reply.content] == ["thinking"]
    assert reply.usage.output_tokens == 100


def test_thinking_plus_answer_over_max_tokens_truncates_the_json(fake):
    data = {"suggestions": ["word " * 40] * 5}
    fake.push(tool(data))
    body = request(
        SONNET,
        max_tokens=THINKING_TOKENS["low"] + 50,
        output_config={**fmt(SCHEMA), "effort": "low"},
    )
    reply = client(fake).messages.create(**body)
    text = next(b.text for b in reply.content if b.type == "text")
    assert reply.stop_reason == "max_tokens" and json.dumps(data).startswith(text)
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_scripted_truncation_and_refusal(fake):
    fake.push(truncated({"suggestions": ["a", "b", "c"]}, keep=0.5), refusal("cyber", "No."))
    sdk = client(fake)
    cut = sdk.messages.create(**request(HAIKU, output_config=fmt(SCHEMA)))
    assert cut.stop_reason == "max_tokens"
    text = cut.content[-1].text
    assert text == json.dumps({"suggestions": ["a", "b", "c"]})[: len(text)] and text
    refused = sdk.messages.create(**request(HAIKU))
    assert refused.stop_reason == "refusal"
    assert refused.stop_details.category == "cyber" and refused.stop_details.explanation == "No."
    assert not [b for b in refused.content if b.type == "text"]


SHAPES = [
    ("json format", {"output_config": fmt(SCHEMA)}, tool({"suggestions": []}), "text", "end_turn"),
    (
        "tools, auto",
        {"tools": [TOOL], "tool_choice": {"type": "auto"}},
        tool({"suggestions": []}),
        "tool_use",
        "tool_use",
    ),
    ("tools, no choice", {"tools": [TOOL]}, tool({"suggestions": []}), "tool_use", "tool_use"),
    (
        "tools, auto, text answer",
        {"tools": [TOOL]},
        Reply(text="No suggestions."),
        "text",
        "end_turn",
    ),
    (
        "tools, choice none",
        {"tools": [TOOL], "tool_choice": {"type": "none"}},
        tool({"suggestions": []}),
        "text",
        "end_turn",
    ),
    ("neither", {}, tool({"suggestions": []}), "text", "end_turn"),
    (
        "format and a named tool call",
        {"tools": [TOOL], "output_config": fmt(SCHEMA)},
        Reply(tool_input={"suggestions": []}, tool_name="report_suggestions"),
        "tool_use",
        "tool_use",
    ),
]


@pytest.mark.parametrize(("name", "extra", "reply", "kind", "stop"), SHAPES)
def test_structured_answer_takes_the_requests_shape(fake, name, extra, reply, kind, stop):
    fake.push(reply)
    answer = client(fake).messages.create(**request(SONNET, **extra))
    blocks = [b for b in answer.content if b.type != "thinking"]
    assert blocks[-1].type == kind and answer.stop_reason == stop
    if kind == "text" and reply.tool_input is not None:
        assert json.loads(blocks[-1].text) == reply.tool_input


def test_max_tokens_zero_prewarms_the_cache(fake):
    body = request(HAIKU, max_tokens=0, system=[cached(LONG)])
    warm = client(fake).messages.create(**body)
    assert warm.content == [] and warm.usage.cache_creation_input_tokens > 0


def test_streaming_accumulates_to_the_same_message(fake):
    fake.push(tool({"suggestions": ["s"]}))
    with client(fake).messages.stream(**request(SONNET, output_config=fmt(SCHEMA))) as stream:
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert json.loads(final.content[1].text) == {"suggestions": ["s"]}
    assert final.usage.output_tokens_details.thinking_tokens == THINKING_TOKENS["high"]


def test_scripted_errors_keep_retry_after_and_request_id(fake):
    fake.push(error(429, retry_after=7, message="slow down"), error(529, retry_after=1))
    sdk = client(fake)
    with pytest.raises(anthropic.RateLimitError) as limited:
        sdk.messages.create(**request())
    assert limited.value.response.headers["retry-after"] == "7"
    assert limited.value.body["error"] == {"type": "rate_limit_error", "message": "slow down"}
    assert limited.value.body["request_id"] == limited.value.response.headers["request-id"]
    with pytest.raises(anthropic.APIStatusError) as overloaded:
        sdk.messages.create(**request())
    assert (
        overloaded.value.status_code == 529
        and overloaded.value.body["error"]["type"] == "overloaded_error"
    )


def test_recorded_helpers(fake):
    client(fake).messages.create(**request(HAIKU, system="Be kind.", output_config=fmt(SCHEMA)))
    client(fake).messages.create(**old_shape(HAIKU))
    as_format, as_tool = fake.requests
    assert (as_format.model, as_format.system_text, as_format.schema) == (HAIKU, "Be kind.", SCHEMA)
    assert as_format.tool_name is None and "at the end of the day" in as_format.user_text
    assert as_tool.tool_name == "report_suggestions" and as_tool.schema == TOOL["input_schema"]
    assert "authorization" not in as_tool.headers and KEY not in json.dumps(as_tool.headers)


# --- prompt cache ---------------------------------------------------------------------


def cache_request(model=HAIKU, system=LONG, **extra):
    return request(model, system=[cached(system)], **extra)


def usage(fake, body):
    return client(fake).messages.create(**body).usage


def test_second_identical_request_reads_the_cache(fake):
    first, second = usage(fake, cache_request()), usage(fake, cache_request())
    assert first.cache_read_input_tokens == 0 and first.cache_creation_input_tokens > 512
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens == 0
    assert second.cache_creation.ephemeral_5m_input_tokens == 0
    assert first.cache_creation.ephemeral_5m_input_tokens == first.cache_creation_input_tokens


@pytest.mark.parametrize("model", [SONNET5, HAIKU45])
def test_a_prompt_under_the_models_minimum_is_silently_not_cached(fake, model):
    # ~900 tokens: above the 5.5 models' 512, under Sonnet 5's 1,024 and Haiku 4.5's 4,096.
    for _ in range(2):
        got = usage(fake, cache_request(model))
        assert (got.cache_creation_input_tokens, got.cache_read_input_tokens) == (0, 0)
        assert got.cache_creation.ephemeral_5m_input_tokens == 0


def test_min_cache_tokens_overrides_every_model():
    with FakeClaude(min_cache_tokens=2000) as fake:
        assert usage(fake, cache_request(SONNET)).cache_creation_input_tokens == 0
    with FakeClaude(min_cache_tokens=10) as fake:
        assert usage(fake, cache_request(HAIKU45)).cache_creation_input_tokens > 0


def test_the_cache_is_per_model(fake):
    usage(fake, cache_request(SONNET))
    assert usage(fake, cache_request(HAIKU)).cache_read_input_tokens == 0


def test_entries_expire_after_their_ttl():
    now = [0.0]
    with FakeClaude(clock=lambda: now[0]) as fake:
        usage(fake, cache_request())
        now[0] = 299.0
        assert usage(fake, cache_request()).cache_read_input_tokens > 0  # a hit refreshes
        now[0] = 598.0
        assert usage(fake, cache_request()).cache_read_input_tokens > 0
        now[0] = 1000.0
        assert usage(fake, cache_request()).cache_read_input_tokens == 0


def test_one_hour_breakpoints_are_counted_apart():
    now = [0.0]
    with FakeClaude(clock=lambda: now[0]) as fake:
        body = request(HAIKU, system=[cached(LONG, "1h")])
        first = usage(fake, body)
        assert first.cache_creation.ephemeral_1h_input_tokens == first.cache_creation_input_tokens
        now[0] = 3000.0
        assert usage(fake, body).cache_read_input_tokens == first.cache_creation_input_tokens


INVALIDATIONS = [
    # change, model, what the second request still reads (PROMPT_CACHING table)
    (
        "tool_choice",
        HAIKU,
        {"tools": [TOOL]},
        {"tools": [TOOL], "tool_choice": {"type": "any"}},
        "system",
    ),
    ("thinking", HAIKU, {}, {"thinking": {"type": "disabled"}}, "system"),
    ("effort", HAIKU, {}, {"output_config": {"effort": "low"}}, "system"),
    ("effort at the default", HAIKU, {}, {"output_config": {"effort": "medium"}}, "all"),
    ("adaptive sent explicitly", HAIKU, {}, {"thinking": {"type": "adaptive"}}, "all"),
    ("output format", HAIKU, {}, {"output_config": fmt(SCHEMA)}, "none"),
    (
        "tool definitions",
        HAIKU,
        {"tools": [TOOL]},
        {"tools": [{**TOOL, "description": "Other."}]},
        "none",
    ),
    (
        "thinking budget",
        HAIKU45,
        {"thinking": {"type": "enabled", "budget_tokens": 1024}},
        {"thinking": {"type": "enabled", "budget_tokens": 2048}},
        "system",
    ),
]


@pytest.mark.parametrize(("name", "model", "before", "after", "kept"), INVALIDATIONS)
def test_what_invalidates_which_level(name, model, before, after, kept):
    turn = [cached("Earlier turn. " * 20), {"type": "text", "text": "Now."}]

    def body(extra):
        messages = [{"role": "user", "content": turn}]
        return request(model, system=[cached(LONG)], messages=messages, **extra)

    with FakeClaude(min_cache_tokens=100) as fake:
        first = usage(fake, body(before))
        second = usage(fake, body(after))
    total = first.cache_creation_input_tokens
    read = second.cache_read_input_tokens
    expected = {"all": total, "none": 0}.get(kept)
    if expected is not None:
        assert read == expected
    else:  # the system level survives, the messages level does not
        assert 0 < read < total


def test_lookup_reaches_back_only_twenty_blocks(fake):
    def body(after, tag):
        """LONG (cached by the first request), then `after` blocks, the last one marked."""
        content = [{"type": "text", "text": LONG}]
        content += [{"type": "text", "text": f"{tag}{i}"} for i in range(after)]
        content[-1]["cache_control"] = {"type": "ephemeral"}
        return request(HAIKU, messages=[{"role": "user", "content": content}])

    first = usage(fake, body(0, "-"))
    near = usage(fake, body(19, "a"))  # the breakpoint is 19 blocks after the entry: a hit
    assert near.cache_read_input_tokens == first.cache_creation_input_tokens
    far = usage(fake, body(25, "b"))  # 25 blocks after: outside the 20-block lookback
    assert far.cache_read_input_tokens == 0


def test_a_write_is_readable_only_once_its_response_began():
    with FakeClaude(latency=0.05) as fake:
        results = []
        threads = [
            threading.Thread(target=lambda: results.append(usage(fake, cache_request())))
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.cache_read_input_tokens for r in results] == [0, 0]
        assert usage(fake, cache_request()).cache_read_input_tokens > 0


def test_cache_diagnostics(fake):
    sdk = client(fake)
    first = sdk.messages.create(**cache_request(diagnostics={"previous_message_id": None}))
    assert first.diagnostics is None
    same = sdk.messages.create(**cache_request(diagnostics={"previous_message_id": first.id}))
    assert same.diagnostics is None
    changed = sdk.messages.create(
        **cache_request(system=LONG + "!", diagnostics={"previous_message_id": same.id})
    )
    reason = changed.diagnostics.cache_miss_reason
    assert reason.type == "system_changed" and reason.cache_missed_input_tokens > 0
    lost = sdk.messages.create(**cache_request(diagnostics={"previous_message_id": "msg_nope"}))
    assert lost.diagnostics.cache_miss_reason.type == "previous_message_not_found"
    other = sdk.messages.create(
        **cache_request(
            thinking={"type": "disabled"}, diagnostics={"previous_message_id": first.id}
        )
    )
    assert other.diagnostics.cache_miss_reason.type == "unavailable"


# --- count_tokens and models ----------------------------------------------------------


def test_count_tokens_counts_and_validates_like_messages(fake):
    sdk = client(fake)
    counted = sdk.messages.count_tokens(model=HAIKU, system=LONG, messages=user())
    assert counted.input_tokens > 800
    with pytest.raises(anthropic.BadRequestError) as forced:
        sdk.messages.count_tokens(
            model=SONNET, messages=user(), tools=[TOOL], tool_choice={"type": "any"}
        )
    assert forced.value.body["error"]["message"] == contract.FORCED_TOOL_CHOICE
    sampled = post(
        fake, "/v1/messages/count_tokens", {"model": SONNET, "messages": user(), "top_k": 3}
    )
    assert sampled.status_code == 400
    assert fake.requests == [] and len(fake.rejections) == 2


@pytest.mark.parametrize("model", sorted(contract.MODELS))
def test_models_api_reports_the_table(fake, model):
    info = client(fake).models.retrieve(model)
    row = contract.MODELS[model]
    assert (info.id, info.type, info.lifecycle, info.max_tokens) == (
        model,
        "model",
        "active",
        row.max_tokens,
    )
    types = info.capabilities.thinking.types
    for kind in contract.THINKING_TYPES:
        assert getattr(types, kind).supported is (kind in row.thinking_types)
    effort = info.capabilities.effort
    assert effort.supported is bool(row.efforts)
    assert [lvl for lvl in contract.EFFORT_LEVELS if getattr(effort, lvl).supported] == list(
        row.efforts
    )
    assert info.capabilities.structured_outputs.supported and info.capabilities.batch.supported


def test_models_list_alias_and_unknown(fake):
    sdk = client(fake)
    assert {m.id for m in sdk.models.list()} == set(contract.MODELS)
    assert sdk.models.retrieve("claude-haiku-4-5-20251001").id == HAIKU45
    with pytest.raises(anthropic.NotFoundError):
        sdk.models.retrieve("claude-nope")


def test_capability_overrides_change_what_is_reported_and_accepted():
    overrides = {HAIKU: {"thinking": {"types": {"between_tools": {"supported": True}}}}}
    body = request(HAIKU, thinking={"type": "between_tools"})
    with FakeClaude() as plain, FakeClaude(capabilities=overrides) as probed:
        assert post(plain, "/v1/messages", body).status_code == 400
        info = client(probed).models.retrieve(HAIKU)
        assert info.capabilities.thinking.types.between_tools.supported
        assert post(probed, "/v1/messages", body).status_code == 200


# --- Message Batches ------------------------------------------------------------------


def batch_item(custom_id, model=HAIKU, **extra):
    return {"custom_id": custom_id, "params": request(model, output_config=fmt(SCHEMA), **extra)}


def test_batch_life_cycle(fake):
    sdk = client(fake)
    fake.push(tool({"suggestions": ["one"]}), tool({"suggestions": ["three"]}))
    bad = {"custom_id": "b", "params": old_shape(SONNET)}
    created = sdk.messages.batches.create(requests=[batch_item("a"), bad, batch_item("c")])
    assert created.processing_status == "in_progress" and created.request_counts.processing == 3
    assert created.results_url is None and fake.rejections == []  # validated later
    with pytest.raises(anthropic.AnthropicError):
        list(sdk.messages.batches.results(created.id))  # its retrieve is the first poll
    ended = sdk.messages.batches.retrieve(created.id)
    assert ended.processing_status == "ended" and ended.ended_at is not None
    counts = ended.request_counts
    assert (counts.processing, counts.succeeded, counts.errored) == (0, 2, 1)
    results = list(sdk.messages.batches.results(created.id))
    order = [r.custom_id for r in results]
    assert sorted(order) == ["a", "b", "c"] and order != ["a", "b", "c"]
    assert order == [r.custom_id for r in sdk.messages.batches.results(created.id)]
    by_id = {r.custom_id: r.result for r in results}
    assert by_id["b"].type == "errored"
    assert by_id["b"].error.error.type == "invalid_request_error"
    assert by_id["b"].error.error.message == contract.FORCED_TOOL_CHOICE
    first = by_id["a"].message
    assert [b.type for b in first.content] == ["thinking", "text"]
    assert json.loads(first.content[1].text) == {"suggestions": ["one"]}  # replies in request order
    assert json.loads(by_id["c"].message.content[1].text) == {"suggestions": ["three"]}
    assert first.usage.service_tier == "batch" and first.usage.output_tokens > 0
    assert [r.custom_id for r in fake.requests] == ["a", "b", "c"]
    assert [r.custom_id for r, _, _ in fake.rejections] == ["b"]


@pytest.mark.parametrize(
    ("name", "requests", "status"),
    [
        ("bad custom_id", [{"custom_id": "has space", "params": request()}], 400),
        ("long custom_id", [{"custom_id": "x" * 65, "params": request()}], 400),
        ("duplicate custom_id", [batch_item("a"), batch_item("a")], 400),
        ("stream", [{"custom_id": "a", "params": request(stream=True)}], 400),
        ("max_tokens 0", [{"custom_id": "a", "params": request(max_tokens=0)}], 400),
        ("speed", [{"custom_id": "a", "params": request(speed="fast")}], 400),
        ("empty", [], 400),
    ],
)
def test_batch_create_checks_the_envelope(fake, name, requests, status):
    response = post(fake, "/v1/messages/batches", {"requests": requests})
    assert response.status_code == status, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_batch_size_limits_are_413(fake):
    assert fake.batches.max_requests == 100_000 and fake.batches.max_bytes == 256 * 1024 * 1024
    fake.batches.max_requests = 2
    many = post(fake, "/v1/messages/batches", {"requests": [batch_item(f"r{i}") for i in range(3)]})
    assert many.status_code == 413 and many.json()["error"]["type"] == "request_too_large"
    fake.batches.max_requests, fake.batches.max_bytes = 100_000, 200
    big = post(fake, "/v1/messages/batches", {"requests": [batch_item("a")]})
    assert big.status_code == 413


def test_batch_cancel_expire_fail_and_held_results():
    with FakeClaude(batch_polls=None) as fake:
        sdk = client(fake)
        items = [batch_item("a"), batch_item("b")]
        canceled = sdk.messages.batches.create(requests=items)
        assert sdk.messages.batches.retrieve(canceled.id).processing_status == "in_progress"
        assert sdk.messages.batches.cancel(canceled.id).processing_status == "canceling"
        done = sdk.messages.batches.retrieve(canceled.id)
        assert done.processing_status == "ended" and done.request_counts.canceled == 2
        assert done.cancel_initiated_at is not None

        expiring = sdk.messages.batches.create(requests=items)
        fake.batches.expire(expiring.id, processed=["a"])
        counts = sdk.messages.batches.retrieve(expiring.id).request_counts
        assert (counts.succeeded, counts.expired) == (1, 1)

        failing = sdk.messages.batches.create(requests=items)
        fake.batches.fail(failing.id, "b", "overloaded_error", "busy")
        fake.batches.finish(failing.id)
        results = {r.custom_id: r.result for r in sdk.messages.batches.results(failing.id)}
        assert (
            results["a"].type == "succeeded" and results["b"].error.error.type == "overloaded_error"
        )

        fake.batches.hold_results(failing.id)
        with pytest.raises(anthropic.InternalServerError):
            list(sdk.messages.batches.results(failing.id))
        fake.batches.release_results(failing.id)
        assert len(list(sdk.messages.batches.results(failing.id))) == 2


def test_batch_list_and_delete(fake):
    sdk = client(fake)
    first = sdk.messages.batches.create(requests=[batch_item("a")])
    second = sdk.messages.batches.create(requests=[batch_item("a")])
    assert [b.id for b in sdk.messages.batches.list()] == [second.id, first.id]
    with pytest.raises(anthropic.BadRequestError):
        sdk.messages.batches.delete(first.id)  # still in progress
    fake.batches.finish(first.id)
    assert sdk.messages.batches.delete(first.id).type == "message_batch_deleted"
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.retrieve(first.id)


# --- the process ----------------------------------------------------------------------


def test_cli_serves_the_heuristic_responder():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.fake_claude", "--port", "0", "--heuristic"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        url = process.stdout.readline().split()[-1]
        sdk = anthropic.Anthropic(api_key=KEY, base_url=url, max_retries=0)
        text = '<block index="1">We test in order to ship.</block>'
        reply = sdk.messages.create(
            **request(HAIKU, messages=user(text), output_config=fmt(SCHEMA))
        )
        answer = json.loads(next(b.text for b in reply.content if b.type == "text"))
        assert answer["suggestions"][0]["quote"] == "in order to"
    finally:
        process.terminate()
        process.wait(timeout=5)
