"""The model table and the request shape each model is sent (reference §0-§3)."""

import pytest

from nudge.critics.models import (
    MAX_NON_STREAMING,
    SUPPORTED,
    model_spec,
    shape_for,
    unknown_model_warning,
)
from nudge.prompt_loader import load_prompt

SCHEMA = {"type": "object", "additionalProperties": False, "properties": {}}

# model, kind -> (thinking sent, effort sent, max_tokens for a 2048-token answer)
SHAPES = [
    ("claude-sonnet-5-5", "critique", {"type": "between_tools"}, "medium", 2048),
    ("claude-sonnet-5-5", "grade", {"type": "between_tools"}, "low", 2048),
    ("claude-haiku-5-5", "critique", {"type": "disabled"}, "medium", 2048),
    ("claude-haiku-5-5", "grade", {"type": "disabled"}, "low", 2048),
    # Opus 5.5 accepts only adaptive thinking: low effort, room for thinking in max_tokens.
    ("claude-opus-5-5", "critique", {"type": "adaptive"}, "low", 2048 + 2048),
    ("claude-sonnet-5", "critique", {"type": "disabled"}, "medium", 2048),
    # Haiku 4.5 does not think unless asked and has no effort parameter.
    ("claude-haiku-4-5", "critique", None, None, 2048),
]


@pytest.mark.parametrize(("model", "kind", "thinking", "effort", "max_tokens"), SHAPES)
def test_each_model_gets_its_lowest_latency_shape(model, kind, thinking, effort, max_tokens):
    params = shape_for(model_spec(model), "auto", kind).params("t", "d", SCHEMA, 2048)
    assert params.get("thinking") == thinking
    assert params.get("output_config", {}).get("effort") == effort
    assert params["output_config"]["format"] == {"type": "json_schema", "schema": SCHEMA}
    assert params["max_tokens"] == max_tokens
    # Never a forced tool, sampling parameters or tools at all on the JSON shape.
    for key in ("tools", "tool_choice", "temperature", "top_p", "top_k"):
        assert key not in params


@pytest.mark.parametrize("model", SUPPORTED)
def test_explicit_effort_is_clamped_to_what_the_model_allows(model):
    shape = shape_for(model_spec(model), "max", "critique")
    spec = model_spec(model)
    if not spec.efforts:
        assert shape.effort is None
    elif shape.thinking in ("between_tools", "disabled"):
        assert shape.effort == "high"  # lowest thinking is allowed only at effort <= high
    else:
        assert shape.effort == "max"
    assert shape.max_tokens(2048) < MAX_NON_STREAMING


def test_unknown_model_is_warned_about_and_sent_the_conservative_shape():
    warning = unknown_model_warning("claude-nonesuch-9", "graderModel")
    assert warning is not None
    assert "graderModel" in warning and all(m in warning for m in SUPPORTED)
    assert unknown_model_warning("claude-sonnet-5-5") is None
    params = shape_for(model_spec("claude-nonesuch-9")).params("t", "d", SCHEMA, 1024)
    assert "thinking" not in params and "output_config" not in params
    assert params["tool_choice"] == {"type": "auto"}
    assert "strict" not in params["tools"][0]
    assert params["max_tokens"] > 1024  # it may think: leave room


def test_models_api_capabilities_override_the_table():
    spec = model_spec("claude-haiku-5-5").with_capabilities(
        {
            "thinking": {"supported": True, "types": {
                "adaptive": {"supported": True}, "between_tools": {"supported": True},
                "disabled": {"supported": False}, "enabled": {"supported": False},
            }},
            "effort": {"supported": True, "low": {"supported": True},
                       "medium": {"supported": True}, "high": {"supported": False}},
            "structured_outputs": {"supported": False},
        }
    )  # fmt: skip
    shape = shape_for(spec, "high", "grade")
    assert shape.thinking == "between_tools"
    assert shape.effort == "medium"
    assert shape.output == "tool"  # the capability covers strict tools too
    params = shape.params("t", "d", SCHEMA, 100)
    assert "strict" not in params["tools"][0] and params["tool_choice"] == {"type": "auto"}


@pytest.mark.parametrize(
    ("problem", "field", "value"),
    [
        ("thinking", "thinking", None),
        ("effort", "effort", None),
        ("output", "output", "tool"),
    ],
)
def test_step_down_changes_one_thing_once(problem, field, value):
    spec = model_spec("claude-sonnet-5-5")
    shape = shape_for(spec)
    lower = shape.step_down(spec, problem)
    assert lower is not None and getattr(lower, field) == value
    assert lower.step_down(spec, problem) is None  # never the same step twice
    if problem == "thinking":
        assert lower.thinks and lower.max_tokens(100) > 100  # adaptive by default now


# The system prompts, in the fake's and the README's estimate of four characters a
# token: critique about 1,950 tokens, grade about 2,300. Both clear the 512-token
# minimum of the 5.5 models and Sonnet 5's 1,024; neither reaches Haiku 4.5's 4,096, so
# on Haiku 4.5 the prefix is not cached (documented, not padded: padding costs more).
@pytest.mark.parametrize("name", ["critique", "grade"])
@pytest.mark.parametrize("model", SUPPORTED)
def test_system_prompt_against_each_models_cache_minimum(name, model):
    tokens = len(load_prompt(name).system) // 4
    assert 1800 <= tokens <= 2600
    minimum = model_spec(model).min_cache_tokens
    assert (tokens >= minimum) == (model != "claude-haiku-4-5")
