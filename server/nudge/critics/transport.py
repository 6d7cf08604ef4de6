"""Sending one structured request to Claude: the model's shape, retries, the answer.

`Caller.call` builds the request from the model's `Shape` (see `models.py`): cached
system block, user text blocks (the next-to-last one cached too), the answer schema
as `output_config.format`, or a plain tool chosen `auto` for a model without
structured outputs. The answer is read by block type, never by position: the first
`text` block is parsed as JSON (thinking and redacted-thinking blocks before it are
skipped), or the first `tool_use` block of our tool; text that is not JSON, or no
answer at all, is "no answer". A reply cut off by `max_tokens` keeps the complete items
of its list; a `refusal` or a missing answer is counted, never an error.

Retries are ours, not the SDK's (it waits as long as `retry-after` says): at most
`max_retries` more attempts with capped exponential backoff, and a `retry-after`
longer than `retry_after_cap` ends the attempt at once. A documented 400 about
thinking, effort or the output format steps that model down to its next shape once,
logged and recorded in telemetry, and the call goes on in the new shape; the same
invalid request is never sent twice. Failure raises `ClaudeUnavailable` with a reason
fit for the status bar; the key never appears in it, nor in logs or telemetry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic

from nudge.budget import DailyBudget, TokenUsage, estimate_cost
from nudge.critics.base import CriticUnavailable
from nudge.critics.models import ModelSpec, Shape, model_spec, shape_for
from nudge.prompt_loader import PromptTemplate
from nudge.telemetry import Telemetry

log = logging.getLogger(__name__)


class ClaudeUnavailable(CriticUnavailable):
    """Claude could not answer; `reason` is safe to show, `retry_after` in seconds."""


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


@dataclass(frozen=True)
class Answer:
    """The structured answer of one call, or None with why (`no_answer`, `refusal`...)."""

    data: dict[str, Any] | None
    stop_reason: str | None
    problem: str = ""


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
        if code == 404:
            return "model_not_found", False, None
        return f"request_error_{code}", False, None
    return "error", False, None


REASONS = {
    "timeout": "Claude timed out",
    "connection_error": "cannot reach Claude",
    "rate_limited": "Claude rate limit reached",
    "overloaded": "Claude is overloaded",
    "auth_error": "Claude rejected the API key; check ANTHROPIC_API_KEY",
    "model_not_found": "Claude does not know the configured model; check nudge.model",
}

# Which part of a request a documented 400 message is about (reference §1 error strings).
_PROBLEMS = (
    ("thinking", re.compile(r"thinking", re.I)),
    ("effort", re.compile(r"effort", re.I)),
    (
        "output",
        re.compile(r"output_config|output_format|structured|schema|strict|tool_choice", re.I),
    ),
)


def request_problem(exc: Exception) -> str | None:
    """Return "thinking", "effort" or "output" for a 400 about that part, else None."""
    if not isinstance(exc, anthropic.BadRequestError):
        return None
    body = exc.body if isinstance(exc.body, Mapping) else {}
    error = body.get("error") if isinstance(body.get("error"), Mapping) else body
    message = str(error.get("message", "")) if isinstance(error, Mapping) else ""
    return next((name for name, pattern in _PROBLEMS if pattern.search(message)), None)


def salvage(text: str) -> dict[str, Any] | None:
    """Return the complete items of a cut-off `{"key": [...` answer, or None."""
    match = re.match(r'\s*\{\s*"(\w+)"\s*:\s*\[', text)
    if match is None:
        return None
    decoder, pos, items = json.JSONDecoder(), match.end(), []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except ValueError:
            break
        items.append(item)
    return {match.group(1): items}


def read_answer(message: Any, prompt: PromptTemplate) -> Answer:
    """Return the structured answer in a reply, selecting content blocks by type."""
    stop = getattr(message, "stop_reason", None)
    if stop == "refusal":
        return Answer(None, stop, "refusal")
    for block in getattr(message, "content", None) or []:
        kind = getattr(block, "type", None)
        if kind == "tool_use" and getattr(block, "name", None) == prompt.output.name:
            data = block.input
            return Answer(data if isinstance(data, dict) else None, stop)
        if kind == "text":
            try:
                data = json.loads(block.text)
            except ValueError:
                data = salvage(block.text) if stop == "max_tokens" else None
                return Answer(data, stop, "" if data is not None else "unparsable")
            return Answer(data if isinstance(data, dict) else None, stop)
    return Answer(None, stop, "truncated" if stop == "max_tokens" else "no_answer")


class ModelShapes:
    """The shape each model is sent, per call kind: table row, probe, then step-downs."""

    def __init__(self, efforts: Mapping[str, str] | None = None):
        self.efforts = dict(efforts or {})
        self.specs: dict[str, ModelSpec] = {}
        self._shapes: dict[tuple[str, str], Shape] = {}

    def spec(self, model: str) -> ModelSpec:
        """Return the row in force for `model`."""
        if model not in self.specs:
            self.specs[model] = model_spec(model)
        return self.specs[model]

    def apply_capabilities(self, model: str, caps: Mapping[str, Any]) -> None:
        """Correct a model's row with what the Models API reported."""
        self.specs[model] = self.spec(model).with_capabilities(caps)
        for key in [k for k in self._shapes if k[0] == model]:
            del self._shapes[key]

    def shape(self, model: str, kind: str) -> Shape:
        """Return the shape to send `model` for a call of `kind` (critique or grade)."""
        key = (model, kind)
        if key not in self._shapes:
            self._shapes[key] = shape_for(self.spec(model), self.efforts.get(kind, "auto"), kind)
        return self._shapes[key]

    def step_down(self, model: str, kind: str, problem: str) -> Shape | None:
        """Move `model` to its next shape after a 400 about `problem`; None if none is left."""
        following = self.shape(model, kind).step_down(self.spec(model), problem)
        if following is not None:
            self._shapes[(model, kind)] = following
        return following


@dataclass
class Caller:
    """Sends structured requests with bounded retries, recording usage and cost."""

    client: Any
    shapes: ModelShapes = field(default_factory=ModelShapes)
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
    counters: Counter[str] = field(default_factory=Counter)
    prompt_suffix: str = ""  # "+style:<hash>" when a house style rides along

    def request(
        self,
        kind: str,
        model: str,
        prompt: PromptTemplate,
        parts: list[str],
        answer_tokens: int,
        cache_ttl: str = "5m",
        system: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Return the full Messages API parameters of one call (for sending or a batch).

        `system` adds blocks after the prompt's own (the team's style guide, the grader's
        examples), each cached: with the user context block that is at most four
        breakpoints, the API's limit. `cache_ttl="1h"` asks for the hour-long cache the
        batch docs recommend (a batch can take longer than five minutes to reach a
        request sharing the prefix).
        """
        mark: dict[str, Any] = {"type": "ephemeral"}
        if cache_ttl == "1h":
            mark["ttl"] = "1h"
        content: list[dict[str, Any]] = [{"type": "text", "text": p} for p in parts]
        if len(content) > 1:
            content[-2]["cache_control"] = dict(mark)
        out = self.shapes.shape(model, kind).params(
            prompt.output.name, prompt.output.description, prompt.output.schema, answer_tokens
        )
        texts = [prompt.system, *(t for t in system if t)][: 4 - (len(content) > 1)]
        out["system"] = [{"type": "text", "text": t, "cache_control": dict(mark)} for t in texts]
        out["messages"] = [{"role": "user", "content": content}]
        return out

    async def call(
        self,
        *,
        kind: str,
        model: str,
        prompt: PromptTemplate,
        user: str | list[str],
        answer_tokens: int,
        system: Sequence[str] = (),
    ) -> Answer:
        """Return the structured answer of one call, or raise ClaudeUnavailable."""
        parts = [user] if isinstance(user, str) else user
        attempt = 0
        while True:
            started = self.clock()
            try:
                params = self.request(kind, model, prompt, parts, answer_tokens, system=system)
                message = await self.client.messages.create(**params)
            except (anthropic.APIStatusError, anthropic.APIConnectionError) as exc:
                status, retryable, wait = classify(exc)
                self._record(kind, model, prompt, status, TokenUsage(), started, None)
                problem = request_problem(exc)
                if problem is not None and self._step_down(kind, model, problem):
                    continue
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
            answer = read_answer(message, prompt)
            if answer.problem:
                self.counters[f"{kind}_{answer.problem}"] += 1
            return answer

    def _step_down(self, kind: str, model: str, problem: str) -> bool:
        shape = self.shapes.step_down(model, kind, problem)
        if shape is None:
            return False
        log.warning("%s rejected the %s setting; switching to %s", model, problem, shape)
        self.counters[f"fallback_{problem}"] += 1
        if self.telemetry is not None:
            self.telemetry.record("fallback", kind=kind, model=model, reason=problem)
        return True

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
        key = prompt.key + self.prompt_suffix
        self.records.append(CallRecord(kind, model, key, status, usage, cost, latency, stop_reason))
        self.usage = self.usage + usage
        if self.budget is not None and usage.total:
            self.budget.record(usage.total, cost)
        if self.telemetry is not None:
            self.telemetry.record(
                "request",
                kind=kind,
                model=model,
                prompt=key,
                status=status,
                cost_usd=round(cost, 6),
                latency_ms=latency,
                **usage.as_dict(),
            )
