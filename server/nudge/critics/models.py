"""What each Claude model accepts, in one table, and the request shape Nudge sends it.

The facts come from the documented contract (`shared/reference/claude-api.md`, which
cites platform.claude.com for each row): which `thinking` types a model takes, its
effort levels and default, whether it accepts a forced `tool_choice`, whether it has
structured outputs, the shortest prompt it caches, and its prices. `shape_for` turns
a model's row into the parameters of a latency-sensitive call: the lowest thinking
setting the model allows, an explicit effort, the answer schema as
`output_config.format` (or, where a model has no structured outputs, a plain tool
chosen `auto`: the Models API's `structured_outputs` capability covers strict tool
schemas too, so a strict tool is no way round it), and a `max_tokens` that leaves room
for any thinking. Nudge never forces a
tool, and never sends sampling parameters or a prefill.

A model id the table does not know gets a warning and the most conservative shape:
no `thinking`, no effort, a plain tool with `tool_choice` auto. The Models API
(`probe.py`) can correct a row at start-up; a documented 400 can step a model down
to its next shape while running (`Shape.step_down`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

EFFORTS = ("low", "medium", "high", "xhigh", "max")
# Thinking counts toward max_tokens; this much room is left for it at each effort.
THINKING_ROOM = {"low": 2048, "medium": 4096, "high": 8192, "xhigh": 12288, "max": 16384}
# The SDK refuses a non-streaming request whose max_tokens could take over ten minutes.
MAX_NON_STREAMING = 21_333


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens of each kind (batch requests cost half of each)."""

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float


@dataclass(frozen=True)
class ModelSpec:
    """One model's documented request rules and prices."""

    id: str
    # thinking types the model accepts; the first of `lowest_thinking` it accepts is sent
    thinking: frozenset[str]
    # thinking is on when the request omits `thinking` (adaptive on the 5.x models)
    thinks_by_default: bool
    efforts: tuple[str, ...]  # () when the model has no effort parameter
    default_effort: str | None
    forced_tool_choice: bool
    structured_outputs: bool
    min_cache_tokens: int
    price: Price
    # prompts above this many tokens are billed whole at `long_price`
    long_context_tokens: int | None = None
    long_price: Price | None = None
    known: bool = True

    def with_capabilities(self, caps: Mapping[str, Any]) -> ModelSpec:
        """Return this row corrected by a Models API `capabilities` object."""
        changes: dict[str, Any] = {}
        thinking = caps.get("thinking") or {}
        types = thinking.get("types") if isinstance(thinking, Mapping) else None
        if isinstance(types, Mapping):
            accepted = {
                name for name, v in types.items() if isinstance(v, Mapping) and v.get("supported")
            }
            changes["thinking"] = frozenset(accepted)
        effort = caps.get("effort")
        if isinstance(effort, Mapping) and "supported" in effort:
            levels = [e for e in EFFORTS if isinstance(effort.get(e), Mapping)
                      and effort[e].get("supported")]  # fmt: skip
            changes["efforts"] = tuple(levels) if effort.get("supported") else ()
        outputs = caps.get("structured_outputs")
        if isinstance(outputs, Mapping) and "supported" in outputs:
            changes["structured_outputs"] = bool(outputs["supported"])
        return dataclasses.replace(self, **changes)


def _p(inp: float, out: float, w5: float, w1h: float, read: float) -> Price:
    return Price(inp, out, w5, w1h, read)


# Sources: per-model rules, reference §1 (Sonnet 5.5 / Haiku 5.5 / Opus 5.5 migration
# guides and what's-new pages, the thinking and effort pages); structured outputs §2
# (structured-outputs page: Haiku 4.5 and later); cache minimums §3 (prompt-caching
# page, #cache-limitations); prices §4 (pricing page; Sonnet 5.5 cache reads cut to
# $0.10 by the 2026-10-07 release note).
MODELS: dict[str, ModelSpec] = {
    spec.id: spec
    for spec in (
        ModelSpec(
            "claude-sonnet-5-5", frozenset({"adaptive", "between_tools"}), True, EFFORTS,
            "high", False, True, 512, _p(2.0, 10.0, 2.5, 4.0, 0.10),
        ),
        ModelSpec(
            "claude-haiku-5-5", frozenset({"adaptive", "disabled"}), True, EFFORTS,
            "medium", True, True, 512, _p(0.10, 0.50, 0.125, 0.20, 0.01),
            long_context_tokens=100_000, long_price=_p(0.50, 2.50, 0.625, 1.00, 0.05),
        ),
        ModelSpec(
            "claude-opus-5-5", frozenset({"adaptive"}), True, EFFORTS,
            "medium", False, True, 512, _p(4.0, 20.0, 5.0, 8.0, 0.20),
        ),
        ModelSpec(
            "claude-sonnet-5", frozenset({"adaptive", "disabled"}), True, EFFORTS,
            "high", True, True, 1024, _p(2.0, 10.0, 2.5, 4.0, 0.20),
        ),
        ModelSpec(
            "claude-haiku-4-5", frozenset({"disabled", "enabled"}), False, (),
            None, True, True, 4096, _p(1.0, 5.0, 1.25, 2.0, 0.10),
        ),
    )
}  # fmt: skip
SUPPORTED = tuple(MODELS)

# The most conservative row: assume nothing the API might reject.
_UNKNOWN = ModelSpec("", frozenset(), False, (), None, False, False, 4096,
                     MODELS["claude-sonnet-5-5"].price, known=False)  # fmt: skip
# Thinking settings from cheapest to dearest; "omit" sends no `thinking` field.
LOWEST_THINKING = ("between_tools", "disabled", "adaptive")


def model_spec(model: str) -> ModelSpec:
    """Return the table's row for `model`, or the conservative row for an unknown id."""
    spec = MODELS.get(model)
    return spec if spec is not None else dataclasses.replace(_UNKNOWN, id=model)


def unknown_model_warning(model: str, setting: str = "model") -> str | None:
    """Return a warning for a model id the table does not know, else None."""
    if model in MODELS:
        return None
    return (
        f"setting '{setting}': {model!r} is not a model Nudge knows "
        f"({', '.join(SUPPORTED)}); sending it the most conservative request shape"
    )


def model_warnings(settings: Any) -> list[str]:
    """Return a warning for each configured model id the table does not know."""
    pairs = (("model", settings.model), ("graderModel", settings.grader_model))
    return [w for key, model in pairs if (w := unknown_model_warning(model, key))]


def price_of(model: str) -> Price:
    """Return the list price of `model` (unknown ids are priced like Sonnet 5.5)."""
    return model_spec(model).price


@dataclass(frozen=True)
class Shape:
    """How one model is asked for a structured answer, minus the prompt text."""

    model: str
    output: str  # "json" (output_config.format) or "tool" (a plain tool, tool_choice auto)
    thinking: str | None  # the thinking type sent, or None to omit the field
    effort: str | None  # the effort sent, or None to omit it
    thinks: bool  # whether the model may think under this shape
    steps: tuple[str, ...] = field(default=())  # what `step_down` has already changed

    def max_tokens(self, answer: int) -> int:
        """Return max_tokens for an answer of `answer` tokens, with room for thinking."""
        room = THINKING_ROOM.get(self.effort or "medium", 4096) if self.thinks else 0
        return min(MAX_NON_STREAMING - 1, answer + room)

    def params(
        self, name: str, description: str, schema: dict[str, Any], answer_tokens: int
    ) -> dict[str, Any]:
        """Return the Messages API parameters of this shape (no system, no messages)."""
        out: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens(answer_tokens)}
        if self.thinking is not None:
            out["thinking"] = {"type": self.thinking}
        config: dict[str, Any] = {}
        if self.output == "json":
            config["format"] = {"type": "json_schema", "schema": schema}
        else:
            out["tools"] = [{"name": name, "description": description, "input_schema": schema}]
            out["tool_choice"] = {"type": "auto"}
        if self.effort is not None:
            config["effort"] = self.effort
        if config:
            out["output_config"] = config
        return out

    def step_down(self, spec: ModelSpec, problem: str) -> Shape | None:
        """Return the next safe shape after a documented 400 about `problem`, or None.

        `problem` is "thinking", "effort" or "output". Each is stepped at most once per
        model, so the same invalid request is never sent twice.
        """
        if problem in self.steps:
            return None
        steps = (*self.steps, problem)
        if problem == "thinking":
            # Omitting `thinking` is accepted by every model (adaptive or off by default).
            if self.thinking is None:
                return None
            return dataclasses.replace(self, thinking=None, thinks=spec.thinks_by_default
                                       or not spec.known, steps=steps)  # fmt: skip
        if problem == "effort":
            return None if self.effort is None else dataclasses.replace(
                self, effort=None, steps=steps)  # fmt: skip
        if problem == "output":
            return None if self.output == "tool" else dataclasses.replace(
                self, output="tool", steps=steps)  # fmt: skip
        return None


def _clamp_effort(spec: ModelSpec, wanted: str, ceiling: str | None) -> str | None:
    if not spec.efforts:
        return None
    top = EFFORTS.index(ceiling) if ceiling else len(EFFORTS)
    allowed = [e for e in spec.efforts if EFFORTS.index(e) <= top]
    if wanted in allowed:
        return wanted
    # The nearest allowed level below the wish, else the lowest allowed.
    lower = [e for e in allowed if EFFORTS.index(e) < EFFORTS.index(wanted)]
    return (lower or allowed or [None])[-1 if lower else 0]


# "auto" effort per call: (when the shape does not think, when it does). Thinking
# shapes (Opus 5.5) go to low, the lowest thinking setting such a model has.
AUTO_EFFORT = {"critique": ("medium", "low"), "grade": ("low", "low")}


def shape_for(spec: ModelSpec, effort: str = "auto", purpose: str = "critique") -> Shape:
    """Return the lowest-latency valid shape for `spec` at (or near) `effort`."""
    thinking = next((t for t in LOWEST_THINKING if t in spec.thinking), None)
    if thinking == "disabled" and not spec.thinks_by_default and not spec.efforts:
        thinking = None  # thinking is already off when omitted (Haiku 4.5): send less
    # An unknown model may think by default: leave room for it.
    thinks = thinking == "adaptive" or (
        thinking is None and (spec.thinks_by_default or not spec.known)
    )
    if effort == "auto":
        effort = AUTO_EFFORT.get(purpose, ("medium", "low"))[thinks]
    # between_tools and disabled are allowed only at effort high or lower (reference §1).
    ceiling = "high" if thinking in ("between_tools", "disabled") else None
    chosen_effort = _clamp_effort(spec, effort, ceiling)
    output = "json" if spec.structured_outputs else "tool"
    return Shape(spec.id, output, thinking, chosen_effort, thinks)
