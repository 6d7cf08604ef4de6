"""Load the prompt templates in `prompts/` into one typed, strict model.

Prompts are data shipped inside the wheel (package `nudge.prompts`). Each TOML file
carries a `version`, the `variables` its user template uses, a static `system` text
(cached by the API, so it never contains variables), a `user` template with `{{name}}`
placeholders (a string, or a list of parts sent as separate content blocks so that all
but the last can be cached too) and the `tool` the model must call. Unknown keys,
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
_KEYS = {"version", "description", "variables", "system", "user", "tool"}
_TOOL_KEYS = {"name", "description", "input_schema"}


class PromptError(ValueError):
    """A prompt file or a render call does not match the prompt's declared shape."""


@dataclass(frozen=True)
class ToolSpec:
    """The tool a prompt forces the model to call, with its JSON schema."""

    name: str
    description: str
    input_schema: dict[str, Any]

    def as_param(self) -> dict[str, Any]:
        """Return the tool in the Messages API's `tools` shape."""
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
        }


@dataclass(frozen=True)
class PromptTemplate:
    """One versioned prompt: static system text, a user template and a tool."""

    name: str
    version: int
    description: str
    variables: tuple[str, ...]
    system: str
    user: tuple[str, ...]
    tool: ToolSpec

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
        tool=_parse_tool(name, data["tool"]),
    )


def _parse_tool(name: str, tool: Any) -> ToolSpec:
    if not isinstance(tool, dict):
        raise PromptError(f"prompt {name}: tool must be a table")
    unknown = sorted(set(tool) - _TOOL_KEYS)
    missing = sorted(_TOOL_KEYS - set(tool))
    if unknown or missing:
        raise PromptError(f"prompt {name}: tool has unknown {unknown} or missing {missing} keys")
    if not isinstance(tool["input_schema"], dict) or tool["input_schema"].get("type") != "object":
        raise PromptError(f"prompt {name}: tool.input_schema must be an object schema")
    return ToolSpec(str(tool["name"]), str(tool["description"]), tool["input_schema"])


@cache
def load_prompt(name: str) -> PromptTemplate:
    """Load `prompts/<name>.toml` from the installed package."""
    try:
        text = resources.files("nudge.prompts").joinpath(f"{name}.toml").read_text("utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"no prompt named {name!r}") from exc
    return parse_prompt(name, text)
