"""Server-sent events for `stream: true`, built from a finished Message body.

https://platform.claude.com/docs/en/build-with-claude/streaming: message_start, then per
content block content_block_start / *_delta / content_block_stop, then message_delta
(stop reason and cumulative usage) and message_stop. SDK 2.17
`lib/streaming/_messages.py` accumulates exactly these events.
"""

from __future__ import annotations

import json
from typing import Any

CHUNK = 64  # characters per text delta; the real API's chunking is not documented


def _deltas(block: dict[str, Any]) -> list[dict[str, Any]]:
    kind = block["type"]
    if kind == "text":
        text = block["text"]
        parts = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]
        return [{"type": "text_delta", "text": part} for part in parts]
    if kind == "tool_use":
        return [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
    if kind == "thinking":
        out = (
            [{"type": "thinking_delta", "thinking": block["thinking"]}] if block["thinking"] else []
        )
        return [*out, {"type": "signature_delta", "signature": block["signature"]}]
    return []


def _start(block: dict[str, Any]) -> dict[str, Any]:
    if block["type"] == "text":
        return {"type": "text", "text": ""}
    if block["type"] == "tool_use":
        return {**block, "input": {}}
    if block["type"] == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    return block


def events(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return the (event name, data) pairs that stream `message`."""
    usage = message["usage"]
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "stop_details": None,
        "usage": {**usage, "output_tokens": 1},
    }
    out: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start})
    ]
    for index, block in enumerate(message["content"]):
        out.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": _start(block)},
            )
        )
        for delta in _deltas(block):
            out.append(
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
            )
        out.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    delta = {
        "stop_reason": message["stop_reason"],
        "stop_sequence": message["stop_sequence"],
        "stop_details": message.get("stop_details"),
    }
    out.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": usage}))
    out.append(("message_stop", {"type": "message_stop"}))
    return out


def encode(pairs: list[tuple[str, dict[str, Any]]]) -> bytes:
    """Return the SSE wire form of the events."""
    return b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in pairs)
