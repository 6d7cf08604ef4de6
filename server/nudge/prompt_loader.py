"""Load the prompt templates in `prompts/` into one typed, strict model.

Prompts are data shipped inside the wheel (package `nudge.prompts`). Each TOML file
carries a `version`, the `variables` its user template uses, a static `system` text
(cached by the API, so it never contains variables), a `user` template with `{{name}}`
placeholders (a string, or a list of parts sent as separate content blocks so that all
but the last can be cached too) and the `output` the model answers with: a name and a
JSON schema, sent as `output_config.format` or, for a model without JSON outputs, as a
strict tool. The schema must stay inside the subset structured outputs accept
(`additionalProperties: false` on every object; no numeric or length bounds), which
`schema_problems` checks, so a prompt edit cannot make every request a 400. Unknown keys,
undeclared or unused variables, and missing or unexpected values at render time are
errors: a typo in a prompt should fail a test, not quietly send a broken request.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_KEYS = {"version", "description", "variables", "system", "user", "output"}
_OUTPUT_KEYS = {"name", "description", "schema"}
# Structured outputs reject these keywords (reference §2: "JSON Schema subset").
_UNSUPPORTED = {
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "maxItems", "uniqueItems", "patternProperties",
    "minProperties", "maxProperties", "not", "if", "then", "else",
}  # fmt: skip


class PromptError(ValueError):
    """A prompt file or a render call does not match the prompt's declared shape."""


@dataclass(frozen=True)
class OutputSpec:
    """The structured answer a prompt asks for: a name and its JSON schema."""

    name: str
    description: str
    schema: dict[str, Any]


def schema_problems(schema: Any, where: str = "schema") -> list[str]:
    """Return why `schema` falls outside the structured-outputs subset (empty if fine)."""
    problems: list[str] = []
    if not isinstance(schema, dict):
        return [f"{where}: not an object"]
    for key in sorted(set(schema) & _UNSUPPORTED):
        problems.append(f"{where}: '{key}' is not supported")
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        problems.append(f"{where}: objects need additionalProperties = false")
    if schema.get("minItems", 0) not in (0, 1):
        problems.append(f"{where}: minItems may only be 0 or 1")
    for name, sub in (schema.get("properties") or {}).items():
        problems += schema_problems(sub, f"{where}.{name}")
    if "items" in schema:
        problems += schema_problems(schema["items"], f"{where}[]")
    for key in ("anyOf", "allOf"):
        for i, sub in enumerate(schema.get(key) or []):
            problems += schema_problems(sub, f"{where}.{key}[{i}]")
    return problems


@dataclass(frozen=True)
class PromptTemplate:
    """One versioned prompt: static system text, a user template and an output schema."""

    name: str
    version: int
    description: str
    variables: tuple[str, ...]
    system: str
    user: tuple[str, ...]
    output: OutputSpec

    @property
    def key(self) -> str:
        """Return `name@version`, the prompt's identity in cache keys and telemetry."""
        return f"{self.name}@{self.version}"

    def render(self, **values: Any) -> str:
        """Return the user message with every declared variable filled in."""
        return "\n\n".join(self.render_parts(**values))

    def render_parts(self, **values: Any) -> list[str]:
        """Return the user message's parts (each sent as its own content block)."""
        unknown = sorted(set(values) - set(self.variables))
        missing = sorted(set(self.variables) - set(values))
        if unknown or missing:
            parts = []
            if unknown:
                parts.append(f"unknown variable(s) {', '.join(unknown)}")
            if missing:
                parts.append(f"missing variable(s) {', '.join(missing)}")
            raise PromptError(f"prompt {self.key}: {'; '.join(parts)}")
        return [
            _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), part).strip("\n")
            for part in self.user
        ]


def parse_prompt(name: str, text: str) -> PromptTemplate:
    """Build a template from TOML text; raises PromptError on any shape problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"prompt {name}: not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - _KEYS)
    missing = sorted(_KEYS - set(data))
    if unknown:
        raise PromptError(f"prompt {name}: unknown key(s) {', '.join(unknown)}")
    if missing:
        raise PromptError(f"prompt {name}: missing key(s) {', '.join(missing)}")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise PromptError(f"prompt {name}: version must be a positive integer")
    for key in ("description", "system"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise PromptError(f"prompt {name}: {key} must be a non-empty string")
    user = [data["user"]] if isinstance(data["user"], str) else data["user"]
    if not isinstance(user, list) or not user or not all(isinstance(p, str) for p in user):
        raise PromptError(f"prompt {name}: user must be a string or a list of strings")
    variables = data["variables"]
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise PromptError(f"prompt {name}: variables must be a list of strings")
    if _PLACEHOLDER.search(data["system"]):
        raise PromptError(f"prompt {name}: the system text is cached and takes no variables")
    used = {v for part in user for v in _PLACEHOLDER.findall(part)}
    if used != set(variables):
        extra, unused = sorted(used - set(variables)), sorted(set(variables) - used)
        raise PromptError(
            f"prompt {name}: undeclared variable(s) {extra} or unused variable(s) {unused}"
        )
    return PromptTemplate(
        name=name,
        version=version,
        description=data["description"],
        variables=tuple(variables),
        system=data["system"].strip("\n"),
        user=tuple(user),
        output=_parse_output(name, data["output"]),
    )


def _parse_output(name: str, output: Any) -> OutputSpec:
    if not isinstance(output, dict):
        raise PromptError(f"prompt {name}: output must be a table")
    unknown = sorted(set(output) - _OUTPUT_KEYS)
    missing = sorted(_OUTPUT_KEYS - set(output))
    if unknown or missing:
        raise PromptError(f"prompt {name}: output has unknown {unknown} or missing {missing} keys")
    schema = output["schema"]
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise PromptError(f"prompt {name}: output.schema must be an object schema")
    problems = schema_problems(schema)
    if problems:
        raise PromptError(f"prompt {name}: {'; '.join(problems)}")
    return OutputSpec(str(output["name"]), str(output["description"]), schema)


@cache
def load_prompt(name: str) -> PromptTemplate:
    """Load `prompts/<name>.toml` from the installed package."""
    try:
        text = resources.files("nudge.prompts").joinpath(f"{name}.toml").read_text("utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"no prompt named {name!r}") from exc
    return parse_prompt(name, text)
