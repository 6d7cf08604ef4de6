"""A prefix prompt cache that behaves as the prompt-caching page describes.

https://platform.claude.com/docs/en/build-with-claude/prompt-caching (cited as
PROMPT_CACHING below). The request is flattened into blocks in prefix order tools ->
system -> messages. Each block boundary has a key: a hash chain of everything before it,
salted with the request parameters that the docs' invalidation table ties to each level.
A write happens only at a `cache_control` breakpoint and only once the prefix reaches
the model's minimum; a lookup checks each breakpoint and up to 20 blocks back; an entry
lives 5 minutes (or 1 hour) from its last use; writes become readable only when the
writing response begins (`commit`), so parallel identical requests miss each other.
Token counts are the fake's estimate (characters / 4 of the serialized block).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LOOKBACK = 20  # PROMPT_CACHING: the lookup checks "at most 20 blocks" before a breakpoint
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}  # PROMPT_CACHING#cache-storage-cost / 1-hour TTL


def estimate_tokens(text: str) -> int:
    """Return the fake's deterministic token estimate for a piece of text."""
    return max(1, len(text) // 4)


@dataclass(frozen=True)
class Block:
    """One cacheable block of the prompt, serialized without its cache_control."""

    level: str
    text: str
    ttl: str | None  # the breakpoint's TTL when the block carries cache_control
    tokens: int


def _ttl(mark: Any) -> str:
    return str((mark or {}).get("ttl") or "5m")


def _block(level: str, block: Any, extra: dict[str, Any] | None = None) -> Block:
    if not isinstance(block, dict):
        block = {"type": "text", "text": str(block)}
    clean = {k: v for k, v in block.items() if k != "cache_control"}
    text = json.dumps({**(extra or {}), **clean}, sort_keys=True)
    ttl = _ttl(block["cache_control"]) if block.get("cache_control") else None
    return Block(level, text, ttl, estimate_tokens(text))


def blocks(body: dict[str, Any]) -> list[Block]:
    """Return the prompt's blocks in cache prefix order, explicit breakpoints marked."""
    out = [_block("tools", tool) for tool in body.get("tools") or []]
    system = body.get("system")
    for block in [{"type": "text", "text": system}] if isinstance(system, str) else system or []:
        out.append(_block("system", block))
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        items = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for block in items or []:
            out.append(_block("messages", block, {"role": message.get("role")}))
    return out


def automatic_breakpoint(body: dict[str, Any], found: list[Block]) -> list[Block]:
    """Apply top-level `cache_control`: a breakpoint on the last cacheable block.

    PROMPT_CACHING#automatic-caching: a no-op when that block already carries the same
    TTL; a different TTL there is a 400, checked by the rules module.
    """
    mark = body.get("cache_control")
    if not mark or not found:
        return found
    last = found[-1]
    if last.ttl is None:
        found = [*found[:-1], Block(last.level, last.text, _ttl(mark), last.tokens)]
    return found


def _salts(body: dict[str, Any], found: list[Block]) -> dict[str, str]:
    """Return what each cache level's key also depends on, per the invalidation table.

    PROMPT_CACHING#what-invalidates-the-cache: tool definitions invalidate every level
    (they are in the chain); web search/citations toggles and `speed` invalidate system
    and messages; `tool_choice`, images, thinking parameters and effort invalidate the
    messages level. Sending the model's default effort equals omitting it. Changing
    `output_config.format` invalidates the whole thread (STRUCTURED_OUTPUTS), and the
    cache is per model, so both salt the first level. Whether thinking and effort also
    reach the tools/system levels is "model-specific" in the docs; the fake keeps them.
    The caller passes `body` with thinking and effort already set to what the model
    runs, so omitting a default and sending it give the same key.
    """
    config = body.get("output_config") or {}
    effort = config.get("effort")
    in_messages = [b.text for b in found if b.level == "messages"]
    images = any('"type": "image"' in text for text in in_messages)
    citations = any('"citations"' in text for text in in_messages)
    return {
        "tools": json.dumps([body.get("model"), config.get("format")], sort_keys=True),
        "system": json.dumps([body.get("speed"), citations], sort_keys=True),
        "messages": json.dumps(
            [body.get("tool_choice"), body.get("thinking"), effort, images], sort_keys=True
        ),
    }


LEVELS = ("tools", "system", "messages")


def keys(body: dict[str, Any], found: list[Block]) -> list[str]:
    """Return the cache key at the end of each block."""
    salts = _salts(body, found)
    digest = hashlib.sha256(salts["tools"].encode())
    salted = {"tools"}
    out: list[str] = []
    for block in found:
        for level in LEVELS[1 : LEVELS.index(block.level) + 1]:
            if level not in salted:
                digest.update(salts[level].encode())
                salted.add(level)
        digest.update(block.text.encode())
        out.append(digest.hexdigest())
    return out


@dataclass
class Lookup:
    """The cache's answer for one request, with the writes it will make."""

    input_tokens: int
    read: int
    write_5m: int = 0
    write_1h: int = 0
    pending: list[tuple[str, str]] = field(default_factory=list)

    @property
    def write(self) -> int:
        """Return all tokens written, whatever the TTL."""
        return self.write_5m + self.write_1h

    def usage(self) -> dict[str, Any]:
        """Return the usage fields of SDK 2.17 `Usage` for input and cache."""
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.write,
            "cache_read_input_tokens": self.read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.write_5m,
                "ephemeral_1h_input_tokens": self.write_1h,
            },
        }


class PrefixCache:
    """Cache entries keyed by prefix hash, each with an expiry on `clock`."""

    def __init__(self, ttl_5m: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self.ttl = {"5m": ttl_5m, "1h": TTL_SECONDS["1h"]}
        self.clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def lookup(self, body: dict[str, Any], min_tokens: int) -> Lookup:
        """Count reads and writes for a request; writes wait for `commit`."""
        found = automatic_breakpoint(body, blocks(body))
        chain = keys(body, found)
        cumulative, total = [], 0
        for block in found:
            total += block.tokens
            cumulative.append(total)
        marks = [i for i, block in enumerate(found) if block.ttl]
        now = self.clock()
        read, hit = 0, None
        with self._lock:
            for j in marks:
                for i in range(j, max(-1, j - LOOKBACK), -1):
                    if self._expiry.get(chain[i], 0.0) > now and cumulative[i] > read:
                        read, hit = cumulative[i], i
                        break
            if hit is not None:  # a hit refreshes the entry's lifetime for free
                self._expiry[chain[hit]] = now + self.ttl[found[hit].ttl or "5m"]
        result = Lookup(input_tokens=0, read=read)
        done = read
        for j in marks:
            if cumulative[j] <= done or cumulative[j] < min_tokens:
                continue  # PROMPT_CACHING#cache-limitations: shorter prompts are not cached
            ttl = found[j].ttl or "5m"
            segment = cumulative[j] - done
            if ttl == "1h":
                result.write_1h += segment
            else:
                result.write_5m += segment
            result.pending.append((chain[j], ttl))
            done = cumulative[j]
        result.input_tokens = total - result.read - result.write
        return result

    def commit(self, pending: list[tuple[str, str]]) -> None:
        """Make a response's writes readable (PROMPT_CACHING: once the response begins)."""
        now = self.clock()
        with self._lock:
            for key, ttl in pending:
                self._expiry[key] = now + self.ttl[ttl]


def fingerprint(body: dict[str, Any]) -> dict[str, Any]:
    """Return what cache diagnostics compare between two requests."""

    def digest(value: Any) -> str:
        return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()

    return {
        "model": [body.get("model"), body.get("speed")],
        "system": digest(body.get("system")),
        "tools": digest(body.get("tools")),
        "messages": [digest(m) for m in body.get("messages") or []],
        "other": digest([body.get(k) for k in ("thinking", "tool_choice", "output_config")]),
    }


def diagnose(previous: dict[str, Any] | None, current: dict[str, Any], missed: int) -> Any:
    """Return `diagnostics` for a response (CACHE_DIAGNOSTICS#cache-miss-reason-types).

    SDK 2.17 `Diagnostics`: `null` when no divergence was found. The `*_changed` reasons
    carry `cache_missed_input_tokens`; a thinking, tool_choice or output_config change
    with model, system and tools equal is `unavailable`.
    """
    if previous is None:
        return {"cache_miss_reason": {"type": "previous_message_not_found"}}
    for field_name, reason in (
        ("model", "model_changed"),
        ("system", "system_changed"),
        ("tools", "tools_changed"),
    ):
        if previous[field_name] != current[field_name]:
            return {"cache_miss_reason": {"type": reason, "cache_missed_input_tokens": missed}}
    before, after = previous["messages"], current["messages"]
    if after[: len(before)] != before:
        return {
            "cache_miss_reason": {"type": "messages_changed", "cache_missed_input_tokens": missed}
        }
    if previous["other"] != current["other"]:
        return {"cache_miss_reason": {"type": "unavailable"}}
    return None
