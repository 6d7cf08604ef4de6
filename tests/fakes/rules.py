"""Validation of a Messages request against the documented contract.

`validate` takes a parsed body and returns either a `Rejection` (status, error type,
message) or a `Plan`: what the model will run (thinking type, effort, forced tool,
schema). The same rules serve POST /v1/messages, /v1/messages/count_tokens and each
request of a Message Batch (which runs them asynchronously). Every rule cites its page;
URLs are the constants of `contract`. Messages the docs print are exact; the others are
the fake's wording (ASSUMPTION), so tests should match those by status and type only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.fakes import contract as c
from tests.fakes import prompt_cache, schema_subset

# SDK 2.17 types/message_create_params.py and message_count_tokens_params.py: the body
# fields the API takes. Anything else is "Extra inputs are not permitted" (the live
# API's pydantic-style text, seen for `temperature` on 2026-10-21).
MESSAGE_FIELDS = frozenset(
    {
        "model", "messages", "max_tokens", "cache_control", "container", "diagnostics",
        "inference_geo", "metadata", "output_config", "service_tier", "speed",
        "stop_sequences", "stream", "system", "thinking", "tool_choice", "tools",
        "user_profile_id",
    }
)  # fmt: skip
COUNT_FIELDS = frozenset(
    {
        "model", "messages", "cache_control", "output_config", "speed", "system",
        "thinking", "tool_choice", "tools", "user_profile_id",
    }
)  # fmt: skip
SAMPLING = ("temperature", "top_p", "top_k")
ROLES = ("user", "assistant", "system")
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # define-tools: tool `name` regex
MIN_BUDGET = 1024  # EXTENDED_THINKING: budget_tokens "Must be ≥1024 and less than max_tokens"


@dataclass(frozen=True)
class Rejection:
    """A documented refusal: HTTP status, error type and message."""

    status: int
    kind: str
    message: str


def bad(message: str) -> Rejection:
    """Return a 400 invalid_request_error (ERRORS)."""
    return Rejection(400, "invalid_request_error", message)


@dataclass(frozen=True)
class Plan:
    """What the model runs for a valid request."""

    model: c.ModelContract
    thinking: str  # the effective thinking.type
    effort: str | None  # the effective effort (None on models without effort)
    budget: int | None
    display: str
    forced: bool  # tool_choice any/tool
    tool_names: tuple[str, ...]
    schema: dict[str, Any] | None  # output_config.format schema
    thinks: bool  # whether the reply begins with a thinking block
    max_tokens: int

    def cache_view(self, body: dict[str, Any]) -> dict[str, Any]:
        """Return `body` with thinking and effort as run, for prefix-cache keys."""
        config = dict(body.get("output_config") or {})
        config["effort"] = self.effort
        thinking = {"type": self.thinking, "budget_tokens": self.budget, "display": self.display}
        return {**body, "model": self.model.id, "thinking": thinking, "output_config": config}


def _text_blocks(content: Any, where: str) -> Rejection | None:
    if isinstance(content, str):
        return bad(f"{where}: text content blocks must be non-empty") if not content else None
    if not isinstance(content, list):
        return bad(f"{where}: Input should be a valid string or list of content blocks")
    for block in content:
        if not isinstance(block, dict) or "type" not in block:
            return bad(f"{where}: each content block needs a type")
        if block["type"] == "text" and not block.get("text"):
            return bad(f"{where}: text content blocks must be non-empty")
    return None


def _messages(body: dict[str, Any], model: c.ModelContract, version: str) -> Rejection | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return bad("messages: at least one message is required")  # MESSAGES_API
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ROLES:  # SDK 2.17 MessageParam: user, assistant or system
            return bad(f"messages.{i}.role: Input should be 'user', 'assistant' or 'system'")
        if role == "system" and not model.system_messages:
            # Mid-conversation system messages are new with the 5.5 models (SONNET_55_NEW).
            return bad(f"messages.{i}: system messages are not supported for this model")
        content = message.get("content")
        if problem := _text_blocks(content, f"messages.{i}.content"):
            return problem
        if version >= "2026-10-21" and isinstance(content, list):
            # MIGRATION_2026_10_21: documents in assistant turns and user-side citations.
            for block in content:
                if role == "assistant" and block.get("type") == "document":
                    return bad(f"messages.{i}: document blocks are not allowed in assistant turns")
                if role == "user" and block.get("type") == "text" and block.get("citations"):
                    return bad(f"messages.{i}: citations are not allowed on user text blocks")
    system = body.get("system")
    if system is not None:
        return _text_blocks(system, "system")
    return None


def _sampling(body: dict[str, Any], model: c.ModelContract, version: str) -> Rejection | None:
    sent = [name for name in SAMPLING if name in body]
    if not sent:
        return None
    if version >= "2026-10-21":  # MIGRATION_2026_10_21: removed, 400 even at the default
        return bad(f"{sent[0]}: Extra inputs are not permitted")
    if model.id == "claude-haiku-4-5":  # HAIKU_45_MIGRATION: temperature OR top_p
        if "temperature" in body and "top_p" in body:
            return bad("`temperature` and `top_p` cannot both be specified for this model.")
        return None
    # On 2023-06-01 Haiku 5.5 takes only temperature=1 or top_p=0.99 (reference §1).
    lone = len(sent) == 1 and body.get("temperature", 1) == 1 and body.get("top_p", 0.99) == 0.99
    if model.id == "claude-haiku-5-5" and lone:
        return None
    return bad(f"{sent[0]}: sampling parameters are not supported for this model")


def _thinking(body: dict[str, Any], model: c.ModelContract, cat: c.Catalogue) -> Any:
    """Return (type, budget, display) or a Rejection (THINKING#configuring-thinking)."""
    given = body.get("thinking")
    if given is None:
        kind = "adaptive" if model.thinks_by_default else "disabled"
        return kind, None, model.default_display
    kind = given.get("type") if isinstance(given, dict) else None
    if kind not in c.THINKING_TYPES:
        return bad(
            "thinking.type: Input should be 'adaptive', 'between_tools', 'disabled' or 'enabled'"
        )
    if not cat.accepts_thinking(model, kind):  # ThinkingTypes: false means this 400
        if kind == "disabled":
            return bad(model.disabled_message)  # SONNET_55_MIGRATION / OPUS_55_NEW strings
        if kind == "enabled":
            return bad(c.ENABLED_USE_ADAPTIVE)  # OPUS_55_NEW, SONNET_55_MIGRATION
        return bad(f'"thinking.type.{kind}" is not supported for this model.')
    display = given.get("display") or model.default_display
    if display not in ("summarized", "omitted"):  # SDK ThinkingConfigAdaptiveParam.display
        return bad("thinking.display: Input should be 'summarized' or 'omitted'")
    budget = None
    if kind == "enabled":  # EXTENDED_THINKING: budget_tokens >= 1024 and < max_tokens
        budget = given.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool):
            return bad("thinking.enabled.budget_tokens: Field required")
        if budget < MIN_BUDGET:
            return bad(
                "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
            )
        if "max_tokens" in body and budget >= body["max_tokens"]:
            return bad("`max_tokens` must be greater than `thinking.budget_tokens`.")
    return kind, budget, display


def _effort(body: dict[str, Any], model: c.ModelContract, cat: c.Catalogue, kind: str) -> Any:
    """Return the effective effort or a Rejection (EFFORT; per-model off-mode limits)."""
    config = body.get("output_config") or {}
    if not isinstance(config, dict):
        return bad("output_config: Input should be a valid dictionary")
    for key in config:
        if key not in ("effort", "format"):  # SDK OutputConfigParam
            return bad(f"output_config.{key}: Extra inputs are not permitted")
    effort = config.get("effort")
    if effort is not None and effort not in c.EFFORT_LEVELS:
        return bad(
            "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'"
        )
    allowed = cat.efforts(model)
    if effort is not None and not allowed:
        return bad(c.NO_EFFORT)  # Haiku 4.5 is not among EFFORT's models
    if effort is not None and effort not in allowed:
        return bad(f"output_config.effort: {effort!r} is not supported for this model")
    effort = effort or (model.default_effort if allowed else None)
    # SONNET_55_NEW: between_tools only at low/medium/high; HAIKU_55_MIGRATION: disabled
    # only at effort <= high. Both 400 at xhigh and max.
    off = kind in ("disabled", "between_tools") and model.off_efforts is not None
    if off and effort is not None and effort not in model.off_efforts:
        return bad(
            f'"thinking.type.{kind}" is not supported at "output_config.effort" '
            f'{effort!r}. Use "low", "medium" or "high", or "thinking.type.adaptive".'
        )
    return effort


def _tools(body: dict[str, Any], model: c.ModelContract, kind: str) -> Any:
    """Return (tool names, forced) or a Rejection."""
    tools = body.get("tools") or []
    if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
        return bad("tools: Input should be a valid list of tool definitions")
    names = [t.get("name") for t in tools if "input_schema" in t or t.get("type") == "custom"]
    for i, name in enumerate(names):
        if not isinstance(name, str) or not TOOL_NAME.match(name):
            return bad(f"tools.{i}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
    if len(set(names)) != len(names):
        return bad("tools: Tool names must be unique.")
    choice = body.get("tool_choice")
    if choice is None:
        return tuple(names), False
    kind_of_choice = choice.get("type") if isinstance(choice, dict) else None
    if kind_of_choice not in ("auto", "any", "tool", "none"):  # SDK ToolChoiceParam
        return bad("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
    forced = kind_of_choice in ("any", "tool")
    if forced and not model.forced_tool_choice:
        return bad(c.FORCED_TOOL_CHOICE)  # SONNET_55_NEW / OPUS_55_NEW, exact text
    if forced and kind == "enabled":
        return bad(c.THINKING_WITH_FORCED_TOOL)  # EXTENDED_THINKING#feature-compatibility
    if forced and not names:
        return bad("tool_choice: a forced tool choice needs at least one tool")
    if kind_of_choice == "tool" and choice.get("name") not in names:
        return bad(f"tool_choice.name: no tool named {choice.get('name')!r} in tools")
    return tuple(names), forced


def _prefill(body: dict[str, Any], model: c.ModelContract, kind: str) -> Rejection | None:
    messages = body.get("messages") or []
    if messages[-1].get("role") != "assistant":
        return None
    if model.prefill == "never":
        return bad(c.PREFILL)  # ERRORS#prefill-not-supported, exact text
    if kind == "enabled":  # EXTENDED_THINKING: no prefill while thinking is on
        return bad("Prefilling the assistant turn is not supported with thinking enabled.")
    if (body.get("output_config") or {}).get("format"):
        return bad("Structured outputs are not compatible with assistant message prefill.")
    return None  # HAIKU_45_MIGRATION: Haiku 4.5 continues a prefill with thinking off


def _cache_control(body: dict[str, Any]) -> Rejection | None:
    """Check breakpoints (PROMPT_CACHING#cache-limitations, #automatic-caching)."""
    marks = [body.get("cache_control")] if body.get("cache_control") else []
    marks += [t.get("cache_control") for t in body.get("tools") or [] if t.get("cache_control")]
    system = body.get("system")
    for block in system if isinstance(system, list) else []:
        marks += [block["cache_control"]] if block.get("cache_control") else []
    for message in body.get("messages") or []:
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            marks += [block["cache_control"]] if block.get("cache_control") else []
    for mark in marks:
        if not isinstance(mark, dict) or mark.get("type") != "ephemeral":
            return bad("cache_control.type: Input should be 'ephemeral'")
        if mark.get("ttl", "5m") not in prompt_cache.TTL_SECONDS:
            return bad("cache_control.ttl: Input should be '5m' or '1h'")
    explicit = prompt_cache.blocks(body)
    ttls = [b.ttl for b in explicit if b.ttl]
    if "5m" in ttls and "1h" in ttls[ttls.index("5m") :]:
        # PROMPT_CACHING#mixing-different-ttls: 1-hour entries must come before 5-minute ones.
        return bad("cache_control: a 1h breakpoint cannot follow a 5m breakpoint")
    count = len(ttls)
    auto = body.get("cache_control")
    if auto and explicit:
        last = explicit[-1].ttl
        if last is not None and last != auto.get("ttl", "5m"):
            return bad("cache_control: the last block already has a different cache TTL")
        count += last is None
    if count > 4:
        return bad(c.TOO_MANY_BREAKPOINTS.format(n=count))
    return None


def _schemas(body: dict[str, Any], model: c.ModelContract, cat: c.Catalogue) -> Any:
    """Check JSON outputs and strict tools against the subset (STRUCTURED_OUTPUTS)."""
    fmt = (body.get("output_config") or {}).get("format")
    strict = [(i, t) for i, t in enumerate(body.get("tools") or []) if t.get("strict")]
    if fmt is None and not strict:
        return None
    if not cat.structured_outputs(model):
        return bad("Structured outputs are not supported for this model.")
    tally = schema_subset.Tally()
    schema = None
    if fmt is not None:
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
            return bad("output_config.format.type: Input should be 'json_schema'")
        schema = fmt.get("schema")
        if problem := schema_subset.check(schema, "output_config.format.schema", tally):
            return bad(problem)
    for i, tool in strict:  # STRICT_TOOLS: the same subset for tool input schemas
        if problem := schema_subset.check(
            tool.get("input_schema"), f"tools.{i}.input_schema", tally
        ):
            return bad(problem)
    if problem := schema_subset.over_limits(tally, len(strict)):
        return bad(problem)
    return {"schema": schema}


def validate(
    body: Any,
    *,
    version: str,
    catalogue: c.Catalogue,
    count_tokens: bool = False,
    beta: bool = False,
) -> Rejection | Plan:
    """Return the documented rejection of a request, or the plan the model will run."""
    if not isinstance(body, dict):
        return bad("Request body must be a JSON object")
    fields = COUNT_FIELDS if count_tokens else MESSAGE_FIELDS
    for key in body:
        if key in SAMPLING or key in fields or beta:
            continue
        return bad(f"{key}: Extra inputs are not permitted")
    required = ("model", "messages") if count_tokens else ("model", "messages", "max_tokens")
    for key in required:
        if key not in body:
            return bad(f"{key}: Field required")
    model = catalogue.resolve(body["model"])
    if model is None:
        return Rejection(404, "not_found_error", f"model: {body['model']}")  # ERRORS: 404
    max_tokens = body.get("max_tokens", model.max_tokens)
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 0:
        return bad("max_tokens: Input should be a valid non-negative integer")
    if max_tokens > model.max_tokens:
        return bad(
            f"max_tokens: {max_tokens} > {model.max_tokens}, which is the maximum allowed "
            f"number of output tokens for {model.id}"
        )
    steps = (_messages(body, model, version), _sampling(body, model, version))
    if problem := next((s for s in steps if s), None):
        return problem
    thinking = _thinking(body, model, catalogue)
    if isinstance(thinking, Rejection):
        return thinking
    kind, budget, display = thinking
    tools = _tools(body, model, kind)
    if isinstance(tools, Rejection):
        return tools
    names, forced = tools
    effort = _effort(body, model, catalogue, kind)
    if isinstance(effort, Rejection):
        return effort
    if problem := _prefill(body, model, kind) or _cache_control(body):
        return problem
    schemas = _schemas(body, model, catalogue)
    if isinstance(schemas, Rejection):
        return schemas
    return Plan(
        model=model,
        thinking=kind,
        effort=effort,
        budget=budget,
        display=display,
        forced=forced,
        tool_names=names,
        schema=(schemas or {}).get("schema"),
        # HAIKU_55_MIGRATION: a forced tool call starts the reply, with no thinking block.
        # ASSUMPTION: the same on Sonnet 5, whose docs only say forced tool use works.
        # SONNET_55_NEW: between_tools thinks only between tool calls; `disabled` never.
        thinks=not forced
        and (kind in ("adaptive", "enabled") or (kind == "between_tools" and _after_tool(body))),
        max_tokens=max_tokens,
    )


def _after_tool(body: dict[str, Any]) -> bool:
    """Say whether the last turn returns a tool result (the model is between tools)."""
    content = (body.get("messages") or [{}])[-1].get("content")
    return isinstance(content, list) and any(b.get("type") == "tool_result" for b in content)
