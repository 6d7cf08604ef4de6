"""ClaudeCritic: one request per batch, a forced tool call, then grading and anchoring.

The blocks of a batch are numbered in one user message after a large, cached system
prompt (`prompts/critique.toml`). Claude answers by calling `report_suggestions`;
nothing it says is trusted: every suggestion must name a block in range, quote words
that anchor inside that block's prose (never its masked code), use a known category
and carry a one-sentence reason and a replacement. Anything else is dropped and
counted in `counters`. When the answer was cut off (`stop_reason == "max_tokens"`) we
keep the suggestions that are complete and valid on their own; a cut-off one fails
validation like any malformed entry. Survivors go to the grader in one more call.

Retries are ours, not the SDK's (it waits as long as `retry-after` says): at most
`max_retries` more attempts with capped exponential backoff, and a `retry-after`
longer than `retry_after_cap` ends the attempt at once. Failure raises
`ClaudeUnavailable` with a reason fit for the status bar; the key never appears in
it, nor in logs or telemetry.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic

from nudge.anchor import anchor_quote
from nudge.budget import DailyBudget, TokenUsage, estimate_cost
from nudge.critics.base import CritiqueRequest
from nudge.grading import compact, grade, xml_text
from nudge.model import Category, Finding
from nudge.prompt_loader import PromptTemplate, load_prompt
from nudge.telemetry import Telemetry

NO_KEY_MESSAGE = (
    "Claude suggestions are off: set ANTHROPIC_API_KEY in the environment the editor "
    "starts Nudge with. Offline suggestions keep working."
)
PARSER_VERSION = 1
MAX_QUOTE, MAX_REASON, MAX_REPLACEMENT = 300, 300, 500


class ClaudeUnavailable(Exception):
    """Claude could not answer; `reason` is safe to show, `retry_after` in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass
class CallRecord:
    """What one API call cost and how it went (no text, no key)."""

    kind: str
    model: str
    prompt: str
    status: str
    usage: TokenUsage
    cost_usd: float
    latency_ms: float
    stop_reason: str | None = None


def _retry_after(exc: anthropic.APIStatusError) -> float | None:
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return None


def classify(exc: Exception) -> tuple[str, bool, float | None]:
    """Return (status word, retryable, server-requested wait) for an SDK error."""
    if isinstance(exc, anthropic.APITimeoutError):
        return "timeout", True, None
    if isinstance(exc, anthropic.APIConnectionError):
        return "connection_error", True, None
    if isinstance(exc, anthropic.RateLimitError):
        return "rate_limited", True, _retry_after(exc)
    if isinstance(exc, anthropic.APIStatusError):
        code = exc.status_code
        if code == 529:
            return "overloaded", True, _retry_after(exc)
        if code >= 500 or code in (408, 409):
            return f"server_error_{code}", True, _retry_after(exc)
        if code in (401, 403):
            return "auth_error", False, None
        return f"request_error_{code}", False, None
    return "error", False, None


REASONS = {
    "timeout": "Claude timed out",
    "connection_error": "cannot reach Claude",
    "rate_limited": "Claude rate limit reached",
    "overloaded": "Claude is overloaded",
    "auth_error": "Claude rejected the API key; check ANTHROPIC_API_KEY",
}


@dataclass
class ToolCaller:
    """Sends forced-tool requests with bounded retries, recording usage and cost."""

    client: Any
    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_cap: float = 4.0
    retry_after_cap: float = 8.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic
    budget: DailyBudget | None = None
    telemetry: Telemetry | None = None
    records: list[CallRecord] = field(default_factory=list)
    usage: TokenUsage = field(default_factory=TokenUsage)

    async def call(
        self,
        *,
        kind: str,
        model: str,
        prompt: PromptTemplate,
        user: str | list[str],
        max_tokens: int,
    ) -> tuple[dict[str, Any] | None, str | None]:
        """Return the forced tool's input and the stop reason, or raise ClaudeUnavailable.

        A user message given in parts is sent as content blocks, the next-to-last one
        marked for caching (so a stable document context is read from cache too).
        """
        parts = [user] if isinstance(user, str) else user
        content: list[dict[str, Any]] = [{"type": "text", "text": p} for p in parts]
        if len(content) > 1:
            content[-2]["cache_control"] = {"type": "ephemeral"}
        attempt = 0
        while True:
            started = self.clock()
            try:
                message = await self.client.messages.create(
                    model=model,
                    max_tokens=max_tokens,
                    system=[
                        {
                            "type": "text",
                            "text": prompt.system,
                            "cache_control": {"type": "ephemeral"},
                        }
                    ],
                    tools=[prompt.tool.as_param()],
                    tool_choice={"type": "tool", "name": prompt.tool.name},
                    messages=[{"role": "user", "content": content}],
                )
            except (anthropic.APIStatusError, anthropic.APIConnectionError) as exc:
                status, retryable, wait = classify(exc)
                self._record(kind, model, prompt, status, TokenUsage(), started, None)
                reason = REASONS.get(status, f"Claude request failed ({status})")
                if not retryable or attempt >= self.max_retries:
                    raise ClaudeUnavailable(reason, wait) from None
                if wait is None:
                    wait = min(self.backoff_cap, self.backoff_base * 2**attempt)
                elif wait > self.retry_after_cap:
                    raise ClaudeUnavailable(reason, wait) from None
                await self.sleep(wait)
                attempt += 1
                continue
            usage = TokenUsage.from_api(message.usage)
            self._record(kind, model, prompt, "ok", usage, started, message.stop_reason)
            for block in message.content:
                if getattr(block, "type", None) == "tool_use" and block.name == prompt.tool.name:
                    data = block.input
                    return (data if isinstance(data, dict) else None), message.stop_reason
            return None, message.stop_reason

    def _record(
        self,
        kind: str,
        model: str,
        prompt: PromptTemplate,
        status: str,
        usage: TokenUsage,
        started: float,
        stop_reason: str | None,
    ) -> None:
        cost = estimate_cost(model, usage)
        latency = round((self.clock() - started) * 1000, 1)
        self.records.append(
            CallRecord(kind, model, prompt.key, status, usage, cost, latency, stop_reason)
        )
        self.usage = self.usage + usage
        if self.budget is not None and usage.total:
            self.budget.record(usage.total, cost)
        if self.telemetry is not None:
            self.telemetry.record(
                "request",
                kind=kind,
                model=model,
                prompt=prompt.key,
                status=status,
                cost_usd=round(cost, 6),
                latency_ms=latency,
                **usage.as_dict(),
            )


def _one_line(value: Any, limit: int, allow_empty: bool = False) -> str | None:
    if not isinstance(value, str) or len(value) > limit or "\n" in value.strip():
        return None
    if not allow_empty and not value.strip():
        return None
    return value.strip() if not allow_empty else value


def render_blocks(batch: Sequence[CritiqueRequest]) -> dict[str, str]:
    """Return the critique prompt's variables for a batch (blocks numbered from 1)."""
    titles = list(dict.fromkeys(r.context.title for r in batch if r.context.title))
    headings: list[str] = []
    for context in dict.fromkeys(r.context for r in batch):
        headings.extend(f"- {h}" for h in context.headings[:30] if h not in titles)
    blocks = "\n".join(
        f'<block index="{i}">\n{xml_text(compact(r.block.masked))}\n</block>'
        for i, r in enumerate(batch, 1)
    )
    return {
        "title": " | ".join(titles) or "(untitled)",
        "headings": "\n".join(headings) or "(none)",
        "blocks": blocks,
    }


class ClaudeCritic:
    """Critique a batch with Claude, then grade and anchor what it proposes."""

    name = "claude"
    description = "Claude critique, graded by a second model"

    def __init__(
        self,
        client: Any,
        *,
        model: str,
        grader_model: str,
        max_tokens: int = 2048,
        caller: ToolCaller | None = None,
        **caller_options: Any,
    ):
        self.model, self.grader_model, self.max_tokens = model, grader_model, max_tokens
        self.caller = caller or ToolCaller(client, **caller_options)
        self.counters: Counter[str] = Counter()

    @classmethod
    def from_settings(
        cls,
        settings: Any,
        env: Mapping[str, str] | None = None,
        *,
        timeout: float = 30.0,
        **options: Any,
    ) -> ClaudeCritic | None:
        """Build the critic from Settings and the environment; None when there is no key."""
        env = os.environ if env is None else env
        key = (env.get("ANTHROPIC_API_KEY") or "").strip()
        if not key:
            return None
        client = anthropic.AsyncAnthropic(
            api_key=key,
            base_url=env.get("ANTHROPIC_BASE_URL") or None,
            max_retries=0,
            timeout=timeout,
        )
        return cls(client, model=settings.model, grader_model=settings.grader_model, **options)

    @property
    def usage(self) -> TokenUsage:
        """Return the tokens billed so far, by kind."""
        return self.caller.usage

    @property
    def records(self) -> list[CallRecord]:
        """Return one record per API call made so far."""
        return self.caller.records

    def cache_identity(self) -> dict[str, Any]:
        """Return what, besides the block, determines this critic's results."""
        return {
            "critique": load_prompt("critique").key,
            "grade": load_prompt("grade").key,
            "model": self.model,
            "grader_model": self.grader_model,
            "parser": PARSER_VERSION,
        }

    async def critique(self, batch: Sequence[CritiqueRequest]) -> list[list[Finding]]:
        """Return graded findings for each request, relative to its block."""
        if not batch:
            return []
        prompt = load_prompt("critique")
        user = prompt.render_parts(**render_blocks(batch))
        tool_input, stop = await self.caller.call(
            kind="critique", model=self.model, prompt=prompt, user=user, max_tokens=self.max_tokens
        )
        if stop == "max_tokens":
            self.counters["truncated"] += 1
        candidates, proposed = self.parse(tool_input, batch)
        graded = await grade(self.caller, self.grader_model, candidates, batch, self.counters)
        out: list[list[Finding]] = [[] for _ in batch]
        for index, finding in graded:
            out[index].append(finding)
        if self.caller.telemetry is not None:
            self.caller.telemetry.record(
                "findings",
                blocks=len(batch),
                proposed=proposed,
                malformed=proposed - len(candidates),
                graded=len(graded),
            )
        return out

    def parse(
        self, tool_input: dict[str, Any] | None, batch: Sequence[CritiqueRequest]
    ) -> tuple[list[tuple[int, Finding]], int]:
        """Validate and anchor suggestions; return (index, finding) pairs and how many came."""
        raw = (tool_input or {}).get("suggestions")
        if not isinstance(raw, list):
            self.counters["no_tool_call" if tool_input is None else "malformed"] += 1
            raw = []
        found: list[tuple[int, Finding]] = []
        seen: set[tuple[int, int, int, str]] = set()
        for item in raw:
            reason = self._check(item, batch)
            if isinstance(reason, str):
                self.counters[reason] += 1
                continue
            key = (reason[0], reason[1].start, reason[1].end, reason[1].category)
            if key in seen:
                self.counters["duplicate"] += 1
                continue
            seen.add(key)
            found.append(reason)
        self.counters["proposed"] += len(raw)
        return found, len(raw)

    def _check(self, item: Any, batch: Sequence[CritiqueRequest]) -> str | tuple[int, Finding]:
        """Return a drop reason, or the anchored (block index, finding)."""
        if not isinstance(item, dict):
            return "malformed"
        index = item.get("block")
        if isinstance(index, bool) or not isinstance(index, int):
            return "malformed"
        if not 1 <= index <= len(batch):
            return "bad_block"
        quote = _one_line(item.get("quote"), MAX_QUOTE)
        reason = _one_line(item.get("reason"), MAX_REASON)
        replacement = item.get("replacement")
        if quote is None or reason is None or not isinstance(replacement, str):
            return "malformed"
        if len(replacement) > MAX_REPLACEMENT:
            return "malformed"
        category = (
            Category.parse(item["category"]) if isinstance(item.get("category"), str) else None
        )
        if category is None:
            return "unknown_category"
        block = batch[index - 1].block
        span = anchor_quote(block.masked, quote)
        if span is None:
            return "unanchored"
        start, end = span
        if block.masked[start:end] != block.text[start:end]:
            return "touches_code"
        text = block.text[start:end]
        if replacement == text:
            return "no_change"
        return index - 1, Finding(
            start,
            end,
            text,
            category.value,
            reason,
            replacement,
            0.0,
            f"claude:{category.value}",
            "claude",
        )
