"""ClaudeCritic: one structured request per batch, then grading and anchoring.

The blocks of a batch are numbered in one user message after a large, cached system
prompt (`prompts/critique.toml`). Claude answers with a `report_suggestions` object
(JSON output, or a tool chosen `auto` where a model has none: `transport.py`
sends each model the shape `models.py` says it accepts). Nothing it says is trusted:
every suggestion must name a block in range, quote words that anchor inside that
block's prose (never its masked code), use a known category (compared without regard
to case) and carry a one-sentence reason and a replacement. Anything else is dropped
and counted in `counters`. When the answer was cut off (`stop_reason ==
"max_tokens"`) we keep the suggestions that are complete and valid on their own; a
refusal or a missing answer counts as no suggestions. Survivors go to the grader in
one more call.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anthropic

from nudge.anchor import anchor_quote
from nudge.budget import TokenUsage
from nudge.critics.base import NO_KEY_MESSAGE, CritiqueRequest
from nudge.critics.grading import compact, grade, xml_text
from nudge.critics.probe import probe_models
from nudge.critics.transport import Answer, Caller, CallRecord, ClaudeUnavailable, ModelShapes
from nudge.model import Category, Finding
from nudge.prompt_loader import load_prompt
from nudge.style import StyleGuide
from nudge.unwanted import Unwanted
from nudge.unwanted import system_block as unwanted_block

__all__ = ["NO_KEY_MESSAGE", "ClaudeCritic", "ClaudeUnavailable"]
log = logging.getLogger(__name__)

PARSER_VERSION = 2
MAX_QUOTE, MAX_REASON, MAX_REPLACEMENT = 300, 300, 500
CRITIQUE_TOKENS, GRADE_TOKENS = 2048, 1024


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
        effort: str = "auto",
        grader_effort: str = "auto",
        caller: Caller | None = None,
        probe_cache: Path | None = None,
        style: StyleGuide | None = None,
        unwanted: Callable[[], Sequence[Unwanted]] | None = None,
        **caller_options: Any,
    ):
        self.model, self.grader_model = model, grader_model
        shapes = ModelShapes({"critique": effort, "grade": grader_effort})
        self.caller = caller or Caller(client, shapes, **caller_options)
        self.style, self.unwanted = style, unwanted
        self.caller.prompt_suffix = f"+style:{style.hash}" if style else ""
        self.counters = self.caller.counters
        self.probe_cache = probe_cache
        self._probed: asyncio.Task[None] | None = None

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
        return cls(
            client,
            model=settings.model,
            grader_model=settings.grader_model,
            effort=settings.effort,
            grader_effort=settings.grader_effort,
            **options,
        )

    async def prepare(self) -> None:
        """Ask the Models API once what the configured models accept (cached a day)."""
        if self._probed is None:
            self._probed = asyncio.ensure_future(self._probe())
        await asyncio.shield(self._probed)

    async def _probe(self) -> None:
        models = tuple(dict.fromkeys((self.model, self.grader_model)))
        found = await probe_models(self.caller.client, models, self.probe_cache)
        for model, caps in found.items():
            self.caller.shapes.apply_capabilities(model, caps)

    @property
    def usage(self) -> TokenUsage:
        """Return the tokens billed so far, by kind."""
        return self.caller.usage

    @property
    def records(self) -> list[CallRecord]:
        """Return one record per API call made so far."""
        return self.caller.records

    def identity(self) -> dict[str, Any]:
        """Return what, besides the block, determines this critic's results."""
        return {
            "critique": load_prompt("critique").key,
            "grade": load_prompt("grade").key,
            "model": self.model,
            "grader_model": self.grader_model,
            "effort": [self.caller.shapes.efforts.get(k, "auto") for k in ("critique", "grade")],
            "parser": PARSER_VERSION,
            "style": self.style.hash if self.style else "",
        }

    def system_blocks(self, kind: str) -> list[str]:
        """Return the system blocks after the prompt's own: house style, then (grading) examples."""
        blocks = [self.style.system_block()] if self.style else []
        if kind == "grade" and self.unwanted is not None:
            blocks.append(unwanted_block(self.unwanted()))
        return [b for b in blocks if b]

    async def critique(self, batch: Sequence[CritiqueRequest]) -> list[list[Finding]]:
        """Return graded findings for each request, relative to its block."""
        if not batch:
            return []
        await self.prepare()
        prompt = load_prompt("critique")
        user = prompt.render_parts(**render_blocks(batch))
        answer = await self.caller.call(
            kind="critique", model=self.model, prompt=prompt, user=user,
            answer_tokens=CRITIQUE_TOKENS, system=self.system_blocks("critique"),
        )  # fmt: skip
        before = Counter(self.counters)
        candidates, proposed = self.parse(answer, batch)
        graded = await grade(self.caller, self.grader_model, candidates, batch, self.counters,
                             GRADE_TOKENS, self.system_blocks("grade"))  # fmt: skip
        out: list[list[Finding]] = [[] for _ in batch]
        for index, finding in graded:
            out[index].append(finding)
        if self.caller.telemetry is not None:
            dropped = Counter(self.counters)
            dropped.subtract(before)
            unanchored = dropped["unanchored"] + dropped["touches_code"]
            self.caller.telemetry.record(
                "findings",
                blocks=len(batch),
                proposed=proposed,
                unanchored=unanchored,
                malformed=proposed - len(candidates) - unanchored,
                graded=len(graded),
            )
        return out

    def parse(
        self, answer: Answer, batch: Sequence[CritiqueRequest]
    ) -> tuple[list[tuple[int, Finding]], int]:
        """Validate and anchor suggestions; return (index, finding) pairs and how many came."""
        if answer.stop_reason == "max_tokens":
            self.counters["truncated"] += 1
        raw = (answer.data or {}).get("suggestions")
        if not isinstance(raw, list):
            self.counters["no_answer" if answer.data is None else "malformed"] += 1
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
