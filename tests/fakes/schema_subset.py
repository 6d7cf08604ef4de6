"""The JSON Schema subset that structured outputs accept, as a checker.

One subset serves both mechanisms: `output_config.format` (JSON outputs) and tools with
`"strict": true` (https://platform.claude.com/docs/en/build-with-claude/structured-outputs
#json-schema-limitations; .../agents-and-tools/tool-use/strict-tool-use). Using a feature
outside it returns 400. `check` walks one schema and returns the first violation as the
API-style message, or None; it also counts optional and union-typed properties, which
are capped per request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# STRUCTURED_OUTPUTS#json-schema-limitations, "Supported" / "Not supported" lists.
STRING_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
UNSUPPORTED = {
    # "Numerical constraints (minimum, maximum, multipleOf, etc.)"
    "minimum": "number",
    "maximum": "number",
    "exclusiveMinimum": "number",
    "exclusiveMaximum": "number",
    "multipleOf": "number",
    # "String constraints (minLength, maxLength)"
    "minLength": "string",
    "maxLength": "string",
    # "Array constraints beyond minItems of 0 or 1"
    "maxItems": "array",
    "uniqueItems": "array",
    "contains": "array",
    "minContains": "array",
    "maxContains": "array",
}
# "simple regex patterns": no backreferences, lookaround or word boundaries.
COMPLEX_PATTERN = re.compile(r"\\[1-9]|\\k<|\(\?[=!]|\(\?<[=!]|\\b|\\B")
# Per-request limits (STRICT_TOOLS#limits, STRUCTURED_OUTPUTS#schema-complexity-limits).
MAX_STRICT_TOOLS = 20
MAX_OPTIONAL = 24
MAX_UNIONS = 16

SUBSCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
SUBSCHEMA_MAPS = ("properties", "$defs", "definitions")


@dataclass
class Tally:
    """Optional and union-typed properties seen across a request's schemas."""

    optional: int = 0
    unions: int = 0


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("type")
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if isinstance(kind, str):
        return [kind]
    return ["object"] if "properties" in node else []


def _refs(node: Any) -> set[str]:
    """Return every $ref string anywhere under `node`."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _definitions(root: dict[str, Any]) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        for name, value in (root.get(key) or {}).items():
            defs[f"#/{key}/{name}"] = value
    return defs


def _recursive(root: dict[str, Any]) -> bool:
    """Say whether some definition reaches itself, or the root is referenced."""
    defs = _definitions(root)
    if "#" in _refs(root):
        return True
    edges = {name: _refs(value) & defs.keys() for name, value in defs.items()}
    state: dict[str, int] = {}

    def cyclic(name: str) -> bool:
        state[name] = 1
        for nxt in edges[name]:
            if state.get(nxt) == 1 or (nxt not in state and cyclic(nxt)):
                return True
        state[name] = 2
        return False

    return any(name not in state and cyclic(name) for name in defs)


def check(schema: Any, where: str, tally: Tally) -> str | None:
    """Return the first way `schema` leaves the supported subset, as a 400 message."""
    if not isinstance(schema, dict):
        return f"{where}: schema must be an object"
    for ref in _refs(schema):
        if not ref.startswith("#"):
            return f"{where}: External '$ref' is not supported: {ref!r}"
    if _recursive(schema):
        return f"{where}: Recursive schemas are not supported"
    return _walk(schema, where, tally)


def _walk(node: Any, where: str, tally: Tally) -> str | None:
    if not isinstance(node, dict):
        return None
    kinds = _types(node)
    for keyword, kind in UNSUPPORTED.items():
        if keyword in node:
            return f"{where}: For '{kind}' type, property '{keyword}' is not supported"
    if node.get("minItems", 0) not in (0, 1):
        return f"{where}: For 'array' type, 'minItems' values other than 0 or 1 are not supported"
    fmt = node.get("format")
    if fmt is not None and fmt not in STRING_FORMATS:
        return f"{where}: String format {fmt!r} is not supported"
    pattern = node.get("pattern")
    if isinstance(pattern, str) and COMPLEX_PATTERN.search(pattern):
        return f"{where}: Pattern {pattern!r} uses unsupported regex features"
    for value in node.get("enum") or []:
        if isinstance(value, (dict, list)):
            return f"{where}: Complex types in 'enum' are not supported"
    if any(isinstance(s, dict) and "$ref" in s for s in node.get("allOf") or []):
        return f"{where}: 'allOf' with '$ref' is not supported"
    if "object" in kinds:
        # Observed live text; the docs say additionalProperties "must be set to false".
        if "additionalProperties" not in node:
            return (
                f"{where}: For 'object' type, 'additionalProperties' must be explicitly "
                "set to false"
            )
        if node["additionalProperties"] is not False:
            value = str(node["additionalProperties"]).lower()
            return (
                f"{where}: For 'object' type, 'additionalProperties: {value}' is not "
                "supported. Please set 'additionalProperties' to false"
            )
        required = set(node.get("required") or [])
        for name, prop in (node.get("properties") or {}).items():
            tally.optional += name not in required
            if isinstance(prop, dict) and ("anyOf" in prop or isinstance(prop.get("type"), list)):
                tally.unions += 1
    for key in SUBSCHEMA_MAPS:
        for value in (node.get(key) or {}).values():
            if problem := _walk(value, where, tally):
                return problem
    for key in SUBSCHEMA_LISTS:
        for value in node.get(key) or []:
            if problem := _walk(value, where, tally):
                return problem
    return _walk(node.get("items"), where, tally)


def over_limits(tally: Tally, strict_tools: int) -> str | None:
    """Return the message for a request past the documented complexity limits."""
    if strict_tools > MAX_STRICT_TOOLS:
        return f"tools: At most {MAX_STRICT_TOOLS} strict tools are supported per request"
    if tally.optional > MAX_OPTIONAL:
        return (
            f"Schemas contain {tally.optional} optional parameters; at most "
            f"{MAX_OPTIONAL} are supported per request"
        )
    if tally.unions > MAX_UNIONS:
        return (
            f"Schemas contain {tally.unions} union-typed parameters; at most "
            f"{MAX_UNIONS} are supported per request"
        )
    return None
