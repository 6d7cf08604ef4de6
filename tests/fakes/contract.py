"""The documented Claude API contract the fake enforces: one table of per-model facts.

Everything here is written from the platform.claude.com documentation (copies of
September to November 2026) and the `anthropic` SDK 2.17 types, never from Nudge's
client. Each fact carries the page it rests on. Facts the docs leave open are marked
ASSUMPTION; `ModelContract.assumed` lists them per model so a reader can tell the two
apart. The Models API view (`model_info`) is derived from the same rows, so a test that
overrides a model's capabilities changes what the fake reports *and* what it accepts.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

DOCS = "https://platform.claude.com/docs/en"
SONNET_55_NEW = f"{DOCS}/models/sonnet-5-5/whats-new-sonnet-5-5"
SONNET_55_MIGRATION = f"{DOCS}/models/sonnet-5-5/migration-guide"
HAIKU_55_NEW = f"{DOCS}/models/haiku-5-5/whats-new-haiku-5-5"
HAIKU_55_MIGRATION = f"{DOCS}/models/haiku-5-5/migration-guide"
HAIKU_55_PROMPTING = f"{DOCS}/build-with-claude/prompt-engineering/prompting-claude-haiku-5-5"
OPUS_55_NEW = f"{DOCS}/models/opus-5-5/whats-new-opus-5-5"
SONNET_5_OVERVIEW = f"{DOCS}/models/sonnet-5/overview"
HAIKU_45_MIGRATION = f"{DOCS}/models/haiku-4-5/migration-guide"
THINKING = f"{DOCS}/build-with-claude/thinking"
EXTENDED_THINKING = f"{DOCS}/build-with-claude/extended-thinking"
EFFORT = f"{DOCS}/build-with-claude/effort"
VERSIONING = f"{DOCS}/api/versioning"
MIGRATION_2026_10_21 = f"{DOCS}/api/migration-2026-10-21"
STRUCTURED_OUTPUTS = f"{DOCS}/build-with-claude/structured-outputs"
STRICT_TOOLS = f"{DOCS}/agents-and-tools/tool-use/strict-tool-use"
PROMPT_CACHING = f"{DOCS}/build-with-claude/prompt-caching"
CACHE_DIAGNOSTICS = f"{DOCS}/build-with-claude/cache-diagnostics"
BATCHES = f"{DOCS}/build-with-claude/batch-processing"
TOKEN_COUNTING = f"{DOCS}/build-with-claude/token-counting"
MODELS_API = f"{DOCS}/api/models/list"
MESSAGES_API = f"{DOCS}/api/messages"
ERRORS = f"{DOCS}/api/errors"
REFUSALS = f"{DOCS}/build-with-claude/refusals-and-fallback"
STOP_REASONS = f"{DOCS}/build-with-claude/handling-stop-reasons"

API_VERSIONS = ("2023-06-01", "2026-10-21")  # VERSIONING
EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")  # EFFORT; SDK OutputConfigParam
THINKING_TYPES = ("adaptive", "between_tools", "disabled", "enabled")  # SDK ThinkingTypes

# Exact messages the docs print (§1 of shared/reference/claude-api.md, checked against
# the pages named beside each).
FORCED_TOOL_CHOICE = 'tool_choice: type "tool" and "any" are not supported for this model.'
# ^ SONNET_55_NEW#forced-tool-use-is-not-supported, OPUS_55_NEW
DISABLED_USE_BETWEEN_TOOLS = (
    '"thinking.type.disabled" is not supported for this model. Use '
    '"thinking.type.between_tools" for the lowest thinking setting, or '
    '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
)  # SONNET_55_MIGRATION (the message "points to between_tools": SONNET_55_NEW)
DISABLED_USE_ADAPTIVE = (
    '"thinking.type.disabled" is not supported for this model. Use '
    '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
)  # OPUS_55_NEW#thinking-cant-be-disabled
ENABLED_USE_ADAPTIVE = (
    '"thinking.type.enabled" is not supported for this model. Use '
    '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
)  # OPUS_55_NEW#thinking-cant-be-disabled, SONNET_55_MIGRATION
PREFILL = (
    "This model does not support assistant message prefill. "
    "The conversation must end with a user message."
)  # ERRORS#prefill-not-supported (SDK 2.17 MessageCreateParams.messages links it)
NO_EFFORT = "This model does not support the effort parameter."
# ^ the live API's text for effort on Haiku 4.5, which EFFORT does not list
THINKING_WITH_FORCED_TOOL = "Thinking may not be enabled when tool_choice forces tool use."
# ^ EXTENDED_THINKING#feature-compatibility: thinking is not compatible with forced tool use
TOO_MANY_BREAKPOINTS = "A maximum of 4 blocks with cache_control may be provided. Found {n}."
# ^ PROMPT_CACHING: "up to 4 cache breakpoints"; the text is the live API's


@dataclass(frozen=True)
class ModelContract:
    """What one model accepts and how it behaves, per the docs."""

    id: str
    display_name: str
    created_at: str
    line: str
    max_input_tokens: int
    max_tokens: int
    thinking_types: frozenset[str]
    thinks_by_default: bool
    efforts: tuple[str, ...]
    default_effort: str | None
    # Efforts at which the model's "thinking off" type (disabled / between_tools) is allowed.
    off_efforts: tuple[str, ...] | None
    forced_tool_choice: bool
    prefill: str  # "never" | "thinking_off"
    structured_outputs: bool
    min_cache_tokens: int
    default_display: str
    disabled_message: str = DISABLED_USE_ADAPTIVE
    system_messages: bool = False  # role "system" inside `messages` (SDK SystemMessageParam)
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    assumed: tuple[str, ...] = field(default=())


MODELS: dict[str, ModelContract] = {
    m.id: m
    for m in (
        ModelContract(
            id="claude-sonnet-5-5",
            display_name="Claude Sonnet 5.5",
            created_at="2026-09-28T00:00:00Z",  # release date, SONNET_55_NEW
            line="sonnet",
            max_input_tokens=1_000_000,  # "1M context", SONNET_55_NEW / model page
            max_tokens=128_000,  # "128K output"
            thinking_types=frozenset({"adaptive", "between_tools"}),  # SONNET_55_MIGRATION table
            thinks_by_default=True,  # "Adaptive thinking is on by default", SONNET_55_NEW
            efforts=EFFORT_LEVELS,
            default_effort="high",  # "Its default on the Claude API is high", SONNET_55_NEW
            off_efforts=("low", "medium", "high"),  # between_tools at low/medium/high only
            forced_tool_choice=False,  # SONNET_55_NEW#forced-tool-use-is-not-supported
            prefill="never",  # SONNET_55_MIGRATION: prefill is one of five 400s
            structured_outputs=True,  # SONNET_55_MIGRATION (Claude API; not Bedrock)
            min_cache_tokens=512,  # PROMPT_CACHING#cache-limitations
            default_display="omitted",  # SONNET_55_MIGRATION table
            disabled_message=DISABLED_USE_BETWEEN_TOOLS,
            system_messages=True,  # mid-conversation system messages, SONNET_55_NEW table
            sources=(SONNET_55_NEW, SONNET_55_MIGRATION, PROMPT_CACHING),
        ),
        ModelContract(
            id="claude-haiku-5-5",
            display_name="Claude Haiku 5.5",
            created_at="2026-10-01T00:00:00Z",
            line="haiku",
            max_input_tokens=1_000_000,
            max_tokens=128_000,
            thinking_types=frozenset({"adaptive", "disabled"}),  # HAIKU_55_MIGRATION
            thinks_by_default=True,  # HAIKU_55_MIGRATION#configure-thinking
            efforts=EFFORT_LEVELS,
            default_effort="medium",  # HAIKU_55_NEW, EFFORT
            off_efforts=("low", "medium", "high"),  # disabled at <= high, HAIKU_55_MIGRATION
            forced_tool_choice=True,  # accepted; reply starts with the tool call, no thinking
            prefill="never",  # HAIKU_55_MIGRATION: "end with a user turn", even thinking off
            structured_outputs=True,  # HAIKU_55_MIGRATION, HAIKU_55_PROMPTING use them
            min_cache_tokens=512,  # PROMPT_CACHING#cache-limitations
            default_display="omitted",
            system_messages=True,  # mid-conversation system messages, SONNET_55_NEW table
            sources=(HAIKU_55_NEW, HAIKU_55_MIGRATION, HAIKU_55_PROMPTING, PROMPT_CACHING),
            assumed=(
                "created_at: no release date read in the docs",
                "max_input_tokens/max_tokens: the docs publish no Models API values",
                "between_tools: documented nowhere, so treated as rejected",
            ),
        ),
        ModelContract(
            id="claude-opus-5-5",
            display_name="Claude Opus 5.5",
            created_at="2026-09-22T00:00:00Z",
            line="opus",
            max_input_tokens=1_000_000,
            max_tokens=128_000,
            thinking_types=frozenset({"adaptive"}),  # "Thinking can't be disabled", OPUS_55_NEW
            thinks_by_default=True,  # "Adaptive thinking is always on"
            efforts=EFFORT_LEVELS,
            default_effort="medium",  # "its default on this model is medium", OPUS_55_NEW
            off_efforts=None,
            forced_tool_choice=False,  # OPUS_55_NEW#forced-tool-use-is-not-supported
            prefill="never",
            structured_outputs=True,  # SONNET_55_MIGRATION names Opus 5.5 too
            min_cache_tokens=512,
            default_display="omitted",  # "empty at the default display setting"
            system_messages=True,  # mid-conversation system messages, SONNET_55_NEW table
            sources=(OPUS_55_NEW, THINKING, PROMPT_CACHING),
            assumed=("max_tokens: not read in the docs",),
        ),
        ModelContract(
            id="claude-sonnet-5",
            display_name="Claude Sonnet 5",
            created_at="2026-07-01T00:00:00Z",
            line="sonnet",
            max_input_tokens=1_000_000,
            max_tokens=128_000,
            thinking_types=frozenset({"adaptive", "disabled"}),  # SONNET_55_MIGRATION table
            thinks_by_default=True,
            efforts=EFFORT_LEVELS,  # "low to max", SONNET_5_OVERVIEW
            default_effort="high",  # SONNET_5_OVERVIEW
            off_efforts=EFFORT_LEVELS,  # no effort limit on disabled is documented
            forced_tool_choice=True,  # "Every earlier model on this page accepts" any/tool
            prefill="never",
            structured_outputs=True,
            min_cache_tokens=1024,  # PROMPT_CACHING#cache-limitations
            default_display="omitted",
            sources=(SONNET_5_OVERVIEW, SONNET_55_MIGRATION, PROMPT_CACHING),
            assumed=(
                "created_at: not read in the docs",
                "off_efforts: no effort limit on disabled is documented for Sonnet 5",
            ),
        ),
        ModelContract(
            id="claude-haiku-4-5",
            display_name="Claude Haiku 4.5",
            created_at="2025-10-01T00:00:00Z",
            line="haiku",
            max_input_tokens=200_000,
            max_tokens=64_000,
            thinking_types=frozenset({"disabled", "enabled"}),  # manual budget only
            thinks_by_default=False,  # SONNET_55_MIGRATION: "Claude Haiku 4.5 ... no thinking"
            efforts=(),  # not among EFFORT's models; the API answers NO_EFFORT
            default_effort=None,
            off_efforts=None,
            forced_tool_choice=True,  # 400 only with manual thinking, EXTENDED_THINKING
            prefill="thinking_off",
            structured_outputs=True,  # STRUCTURED_OUTPUTS: GA for Claude Haiku 4.5
            min_cache_tokens=4096,  # PROMPT_CACHING#cache-limitations
            default_display="summarized",  # THINKING#controlling-thinking-display
            aliases=("claude-haiku-4-5-20251001",),
            sources=(HAIKU_45_MIGRATION, EXTENDED_THINKING, PROMPT_CACHING, STRUCTURED_OUTPUTS),
        ),
    )
}

ALIASES = {alias: m.id for m in MODELS.values() for alias in m.aliases}


def _support(flag: bool) -> dict[str, bool]:
    return {"supported": bool(flag)}


def capabilities(model: ModelContract) -> dict[str, Any]:
    """Return the SDK 2.17 `ModelCapabilities` dict implied by a model's table row."""
    # Shape: anthropic/types/model_capabilities.py and its member types. Leaves the docs
    # do not cover for Nudge (citations, images, server tools, context management) are
    # ASSUMPTION: reported as supported on every model here.
    return {
        "batch": _support(True),  # BATCHES: "All active models support the Message Batches API"
        "citations": _support(True),
        "code_execution": _support(True),
        "context_management": {
            "supported": True,
            "clear_thinking_20251015": _support(True),
            "clear_tool_uses_20250919": _support(True),
            "compact_20260112": _support(True),
        },
        "effort": {
            "supported": bool(model.efforts),
            **{level: _support(level in model.efforts) for level in EFFORT_LEVELS},
        },
        "image_input": _support(True),
        "pdf_input": _support(True),
        "server_tools": {
            "supported": True,
            "code_execution": _support(True),
            "web_search": _support(True),
        },
        "structured_outputs": _support(model.structured_outputs),
        "thinking": {
            "supported": True,
            # ThinkingTypes docstring: `disabled` is true on a model that cannot think.
            "types": {kind: _support(kind in model.thinking_types) for kind in THINKING_TYPES},
        },
    }


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Return `base` deep-updated with `override` (neither is changed)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def model_info(model: ModelContract, caps: dict[str, Any]) -> dict[str, Any]:
    """Return the SDK 2.17 `ModelInfo` body for GET /v1/models/{id} (MODELS_API)."""
    return {
        "type": "model",
        "id": model.id,
        "display_name": model.display_name,
        "created_at": model.created_at,
        "lifecycle": "active",
        "deprecated_at": None,
        "retires_at": None,
        "line": model.line,
        "max_input_tokens": model.max_input_tokens,
        "max_tokens": model.max_tokens,
        "capabilities": caps,
    }


class Catalogue:
    """The models the fake serves, with test overrides of their reported capabilities."""

    def __init__(
        self,
        models: dict[str, ModelContract] | None = None,
        overrides: dict[str, dict[str, Any]] | None = None,
    ):
        self.models = dict(MODELS if models is None else models)
        self.overrides = {key: dict(value) for key, value in (overrides or {}).items()}

    def resolve(self, model_id: Any) -> ModelContract | None:
        """Return the model for an id or alias, or None (the API answers 404)."""
        if not isinstance(model_id, str):
            return None
        return self.models.get(ALIASES.get(model_id, model_id))

    def capabilities(self, model: ModelContract) -> dict[str, Any]:
        """Return the model's capabilities as the Models API reports them."""
        return merge(capabilities(model), self.overrides.get(model.id, {}))

    def accepts_thinking(self, model: ModelContract, kind: str) -> bool:
        """Say whether `thinking.type == kind` passes (ThinkingTypes: false means 400)."""
        types = self.capabilities(model)["thinking"]["types"]
        return bool(types.get(kind, {}).get("supported"))

    def efforts(self, model: ModelContract) -> tuple[str, ...]:
        """Return the effort levels the model accepts, empty when it has no effort."""
        caps = self.capabilities(model)["effort"]
        if not caps.get("supported"):
            return ()
        return tuple(level for level in EFFORT_LEVELS if (caps.get(level) or {}).get("supported"))

    def structured_outputs(self, model: ModelContract) -> bool:
        """Say whether the model takes output_config.format and strict tools."""
        return bool(self.capabilities(model)["structured_outputs"]["supported"])
