"""The prompt loader: shipped prompts load, malformed ones fail loudly."""

import pytest

from nudge.model import ALL_CATEGORIES
from nudge.prompt_loader import PromptError, load_prompt, parse_prompt

GOOD = """
version = 3
description = "d"
variables = ["a", "b"]
system = "static text"
user = "A={{a}} B={{ b }}"
[output]
name = "t"
description = "td"
[output.schema]
type = "object"
additionalProperties = false
"""


@pytest.mark.parametrize(("name", "min_chars"), [("critique", 6000), ("grade", 9000)])
def test_shipped_prompts_load_and_are_cacheable(name, min_chars):
    prompt = load_prompt(name)
    assert prompt.version >= 1
    assert prompt.key == f"{name}@{prompt.version}"
    # Large enough for prompt caching (>= 1024 tokens Sonnet, >= 2048 Haiku; ~4 chars/token).
    assert len(prompt.system) >= min_chars
    assert "data" in prompt.system and "instruction" in prompt.system
    rendered = prompt.render(**{v: f"<{v}>" for v in prompt.variables})
    assert all(f"<{v}>" in rendered for v in prompt.variables)


def test_critique_prompt_covers_categories_and_negative_cases():
    prompt = load_prompt("critique")
    for category in ALL_CATEGORIES:
        assert category in prompt.system
    for case in ("literal", "Quotation", "Dialogue", "repetition", "Code", "Names"):
        assert case in prompt.system
    enum = prompt.output.schema["properties"]["suggestions"]["items"]["properties"]
    assert set(enum["category"]["enum"]) == set(ALL_CATEGORIES)


def test_render_fills_variables():
    assert parse_prompt("x", GOOD).render(a=1, b="two") == "A=1 B=two"


@pytest.mark.parametrize(
    ("values", "message"),
    [({"a": 1}, "missing variable(s) b"), ({"a": 1, "b": 2, "c": 3}, "unknown variable(s) c")],
)
def test_render_rejects_bad_variables(values, message):
    with pytest.raises(PromptError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_prompt("x", GOOD).render(**values)


BROKEN = [
    ("unknown key", "extra = 1\n" + GOOD, "unknown key"),
    ("missing key", GOOD.replace('description = "d"\n', ""), "missing key"),
    ("bad version", GOOD.replace("version = 3", 'version = "3"'), "version"),
    ("undeclared var", GOOD.replace('["a", "b"]', '["a"]'), "undeclared"),
    ("unused var", GOOD.replace('["a", "b"]', '["a", "b", "c"]'), "unused"),
    ("variable in system", GOOD.replace('"static text"', '"{{a}}"'), "system"),
    ("not toml", "version = ", "not valid TOML"),
    ("output key", GOOD.replace('name = "t"', 'name = "t"\nstrict = true'), "output"),
    ("output schema", GOOD.replace('type = "object"', 'type = "array"'), "object schema"),
    # Outside the structured-outputs subset (reference §2): every request would be a 400.
    ("open object", GOOD.replace("additionalProperties = false", ""), "additionalProperties"),
    ("numeric bound", GOOD + "minProperties = 1\n", "minProperties"),
    (
        "nested bound",
        GOOD + '[output.schema.properties.n]\ntype = "number"\nmaximum = 1\n',
        "schema.n: 'maximum'",
    ),
    (
        "nested open object",
        GOOD + '[output.schema.properties.o]\ntype = "object"\n',
        "schema.o: objects need",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BROKEN)
def test_broken_prompt_files_are_rejected(name, text, message):
    with pytest.raises(PromptError, match=message):
        parse_prompt("x", text)


def test_unknown_prompt_name():
    with pytest.raises(PromptError, match="no prompt"):
        load_prompt("nope")


def test_user_parts_render_separately():
    text = GOOD.replace('user = "A={{a}} B={{ b }}"', 'user = ["A={{a}}", "B={{b}}"]')
    prompt = parse_prompt("x", text)
    assert prompt.render_parts(a=1, b=2) == ["A=1", "B=2"]
    assert prompt.render(a=1, b=2) == "A=1\n\nB=2"
    assert len(load_prompt("critique").user) == 2


def test_user_must_be_text():
    with pytest.raises(PromptError, match="user must be"):
        parse_prompt("x", GOOD.replace('user = "A={{a}} B={{ b }}"', "user = [1]"))
