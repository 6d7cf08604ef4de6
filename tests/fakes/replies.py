"""Scripted answers and how the fake renders them into a Messages response.

A `Reply` says what the model "means": structured data, text, a refusal, a cut-off
answer or an HTTP error. `render` turns it into content blocks in the shape the request
asked for (JSON output format -> a text block; tools -> a `tool_use` block; neither ->
text), puts the thinking block first when the model thinks, and applies `max_tokens`
to thinking plus answer, as the thinking page says (thinking counts toward it).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.prompt_cache import estimate_tokens
from tests.fakes.rules import Plan

# ASSUMPTION: the docs give no thinking-token counts. The fake spends these output
# tokens on thinking, by effort (adaptive), for manual thinking (capped by the budget)
# and for a between_tools progress update. `FakeClaude(thinking_tokens=...)` overrides.
THINKING_TOKENS = {
    "low": 128,
    "medium": 512,
    "high": 1536,
    "xhigh": 3072,
    "max": 6144,
    "enabled": 1024,
    "between_tools": 32,
}
SUMMARY = "The fake model considered the request."  # display "summarized" text


@dataclass
class Reply:
    """One scripted answer: structured data and/or text, a refusal, or an HTTP error."""

    status: int = 200
    tool_input: dict[str, Any] | None = None  # the model's structured answer
    tool_name: str | None = None
    text: str | None = None
    stop_reason: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message: str = ""
    delay: float = 0.0
    raw_body: str | None = None
    refusal: str | None = None  # a refusal category (REFUSALS)
    explanation: str | None = None
    truncate: float | None = None  # keep this fraction of the answer, stop at max_tokens
    thinking_tokens: int | None = None  # override the fake's thinking cost for this reply


def tool(data: dict[str, Any], stop_reason: str | None = None, delay: float = 0.0) -> Reply:
    """Return the model's structured answer, rendered per the request's shape."""
    return Reply(tool_input=data, stop_reason=stop_reason, delay=delay)


def error(status: int, retry_after: float | None = None, message: str = "fake error") -> Reply:
    """Return an HTTP error reply, optionally with a retry-after header."""
    headers = {} if retry_after is None else {"retry-after": f"{retry_after:g}"}
    return Reply(status=status, headers=headers, message=message)


def refusal(category: str | None = "general_harms", explanation: str | None = None) -> Reply:
    """Return a refusal: HTTP 200, `stop_reason: "refusal"` with `stop_details` (REFUSALS)."""
    return Reply(refusal=category or "", explanation=explanation)


def truncated(
    data: dict[str, Any] | None = None, text: str | None = None, keep: float = 0.5
) -> Reply:
    """Return an answer cut off at `max_tokens`, keeping `keep` of its characters."""
    return Reply(tool_input=data, text=text, truncate=keep)


def _texts(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""


@dataclass
class Recorded:
    """One request as the server saw it (auth headers removed)."""

    path: str
    headers: dict[str, str]
    body: Any
    custom_id: str | None = None  # set for a request processed inside a batch
    batch_id: str | None = None
    latency: float = 0.0  # the simulated model latency of the answer, in seconds
    thinking_tokens: int = 0

    @property
    def model(self) -> str | None:
        """Return the requested model id."""
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def system_text(self) -> str:
        """Return the system prompt's text."""
        return _texts(self.body.get("system")) if isinstance(self.body, dict) else ""

    @property
    def user_text(self) -> str:
        """Return all text of the user messages joined."""
        messages = self.body.get("messages") if isinstance(self.body, dict) else None
        return "\n".join(
            _texts(m.get("content"))
            for m in messages or []
            if isinstance(m, dict) and m.get("role") == "user"
        )

    @property
    def tool_name(self) -> str | None:
        """Return the forced tool's name, else the only tool's name, else None."""
        body = self.body if isinstance(self.body, dict) else {}
        choice = body.get("tool_choice") or {}
        if choice.get("name"):
            return choice["name"]
        names = [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)]
        return names[0] if len(names) == 1 else None

    @property
    def schema(self) -> dict[str, Any] | None:
        """Return the output_config format schema, else the named tool's input_schema."""
        body = self.body if isinstance(self.body, dict) else {}
        fmt = (body.get("output_config") or {}).get("format") or {}
        if fmt.get("schema") is not None:
            return fmt["schema"]
        for t in body.get("tools") or []:
            if isinstance(t, dict) and t.get("name") == self.tool_name:
                return t.get("input_schema")
        return None


def thinking_cost(plan: Plan, reply: Reply, table: dict[str, int]) -> int:
    """Return the output tokens the model spends thinking on this reply."""
    if not plan.thinks:
        return 0
    if reply.thinking_tokens is not None:
        return reply.thinking_tokens
    if plan.thinking == "enabled":
        return min(plan.budget or table["enabled"], table["enabled"])
    if plan.thinking == "between_tools":
        return table["between_tools"]
    return table[plan.effort or "high"]


def _answer_blocks(recorded: Recorded, plan: Plan, reply: Reply) -> list[dict[str, Any]]:
    body = recorded.body
    blocks: list[dict[str, Any]] = []
    if reply.text is not None:
        blocks.append({"type": "text", "text": reply.text})
    data = reply.tool_input
    if data is None:
        return blocks
    choice = body.get("tool_choice") or {}
    names = plan.tool_names
    name = choice.get("name") or (reply.tool_name if reply.tool_name in names else None)
    if name is None and names and choice.get("type") != "none" and (plan.forced or not plan.schema):
        name = names[0]  # tools without a JSON format: the model calls the (single) tool
    if name is None:
        blocks.append({"type": "text", "text": json.dumps(data)})  # STRUCTURED_OUTPUTS
    else:
        uid = hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:24]
        blocks.append({"type": "tool_use", "id": f"toolu_{uid}", "name": name, "input": data})
    return blocks


def _size(block: dict[str, Any]) -> int:
    return estimate_tokens(block["text"] if block["type"] == "text" else json.dumps(block["input"]))


def _cut(blocks: list[dict[str, Any]], room: int, keep: float | None) -> list[dict[str, Any]]:
    """Return the answer as far as it got: text cut mid-way, an unfinished tool call empty."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        size = _size(block)
        if keep is None and size <= room:
            out.append(block)
            room -= size
            continue
        if room <= 0 and keep is None:
            break
        if block["type"] == "text":
            chars = int(len(block["text"]) * keep) if keep is not None else room * 4
            out.append({**block, "text": block["text"][:chars]})
        else:  # ASSUMPTION: an incomplete tool call arrives with an empty input
            out.append({**block, "input": {}})
        break
    return out


def render(
    recorded: Recorded, plan: Plan, reply: Reply, thinking: int, message_id: str
) -> dict[str, Any]:
    """Return content, stop reason, stop details and output tokens for a reply."""
    if plan.max_tokens == 0:  # SDK: max_tokens 0 only pre-warms the cache
        return {"content": [], "stop_reason": "max_tokens", "stop_details": None, "output": 0}
    thinking = min(thinking, plan.max_tokens)
    content: list[dict[str, Any]] = []
    if plan.thinks:
        signature = base64.b64encode(hashlib.sha256(message_id.encode()).digest()).decode()
        text = "" if plan.display == "omitted" else SUMMARY  # THINKING: display omitted
        content.append({"type": "thinking", "thinking": text, "signature": signature})
    answer = _answer_blocks(recorded, plan, reply)
    room = plan.max_tokens - thinking
    if reply.refusal is not None:  # REFUSALS: status 200, stop_details explains
        details = {"type": "refusal", "category": reply.refusal or None}
        details["explanation"] = reply.explanation
        output = thinking + sum(_size(b) for b in answer)
        return {
            "content": content + answer,
            "stop_reason": "refusal",
            "stop_details": details,
            "output": output,
        }
    needed = sum(_size(b) for b in answer)
    if reply.truncate is None and needed <= room:
        stop = reply.stop_reason or (
            "tool_use" if any(b["type"] == "tool_use" for b in answer) else "end_turn"
        )
        output = max(1, thinking + needed)
        return {
            "content": content + answer,
            "stop_reason": stop,
            "stop_details": None,
            "output": output,
        }
    # THINKING: thinking counts toward max_tokens; the reply stops where the budget ends.
    cut = _cut(answer, room, reply.truncate)
    return {
        "content": content + cut,
        "stop_reason": "max_tokens",
        "stop_details": None,
        "output": plan.max_tokens,
    }
