"""Planning `nudge review`: every uncached prose block under some paths, grouped and priced.

Files come from `nudge check`'s discovery (`iter_files`, so `exclude` holds, and
`read_report`); blocks from `split_blocks`, kept when `worth_sending` and when the
results cache holds nothing for them under the review identity (the review models and
the prompt versions). An identical block is planned once: the cache is keyed by content.
The blocks of one file are grouped into critique requests of at most `batch_token_cap`
estimated tokens, as the scheduler fills an interactive request, and each request gets
a `custom_id` made of the run id and a number (`^[a-zA-Z0-9_-]{1,64}$`).

Every request's parameters are built the one way the interactive path builds them
(`Caller.request`), so the plan knows their exact size. Tokens are estimated at four
characters a token; the system prompt is assumed read from the cache for 30% of the
requests (the low end the batch docs give) and written for the rest; each critique is
assumed to need one grading request. Costs are at batch prices (half).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nudge.budget import DailyBudget, TokenUsage, estimate_cost
from nudge.check import FileReport, iter_files, read_report
from nudge.critics.base import CritiqueRequest, DocumentContext
from nudge.critics.claude import CRITIQUE_TOKENS, GRADE_TOKENS, ClaudeCritic, render_blocks
from nudge.critics.grading import grade_message
from nudge.engine import document_context
from nudge.model import Block, Finding
from nudge.prompt_loader import load_prompt
from nudge.results_cache import ResultsCache, cache_key
from nudge.scheduler import estimate_tokens, worth_sending
from nudge.segment import split_blocks
from nudge.settings import Settings
from nudge.style import StyleGuide

CACHE_HIT_SHARE = 0.3  # batch-processing page: cache hits are best-effort, 30-98%
CRITIQUE_OUTPUT = (300, 30)  # guessed output tokens: per request, plus per block
GRADE_OUTPUT = (150, 20)


def review_critic(
    settings: Settings, client: Any = None, style: StyleGuide | None = None
) -> ClaudeCritic:
    """Return the Claude critic with the review models (its caller builds the requests)."""
    return ClaudeCritic(
        client,
        model=settings.review_model,
        grader_model=settings.review_grader_model,
        effort=settings.effort,
        grader_effort=settings.grader_effort,
        style=style,
    )


def review_identity(settings: Settings, style: StyleGuide | None = None) -> dict[str, Any]:
    """Return the results-cache identity of `nudge review`'s findings (house style included)."""
    return review_critic(settings, style=style).identity()


@dataclass(frozen=True)
class PlannedRequest:
    """One critique request: which blocks of which file (hash, start, end) it carries."""

    custom_id: str
    path: str
    blocks: tuple[tuple[str, int, int], ...]
    bytes: int


@dataclass
class Plan:
    """What a review would send, and what it would cost at batch prices."""

    run_id: str
    files: int = 0
    blocks: int = 0
    cached: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    requests: list[PlannedRequest] = field(default_factory=list)
    critique: TokenUsage = field(default_factory=TokenUsage)
    grade: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float = 0.0
    interactive_cost_usd: float = 0.0

    @property
    def bytes(self) -> int:
        """Return the size of every request as sent."""
        return sum(r.bytes for r in self.requests)

    @property
    def tokens(self) -> int:
        """Return every estimated token (input, cache and output, both calls)."""
        return self.critique.total + self.grade.total

    def over_budget(self, budget: DailyBudget) -> str:
        """Return why this plan would pass today's budget, or "" when it fits."""
        tokens, cost = budget.spent()
        if budget.token_limit and tokens + self.tokens > budget.token_limit:
            return f"{tokens + self.tokens:,} tokens is over the daily {budget.token_limit:,}"
        if budget.cost_limit_usd and cost + self.cost_usd > budget.cost_limit_usd:
            return f"${cost + self.cost_usd:.2f} is over the daily ${budget.cost_limit_usd:.2f}"
        return ""


class CurrentFiles:
    """Files as they are now, read and split once per process, blocks found by hash."""

    def __init__(self, settings: Settings, language: str | None = None):
        self.settings, self.language = settings, language
        self._seen: dict[str, tuple[FileReport, dict[str, Block], DocumentContext]] = {}

    def load(self, path: str) -> tuple[FileReport, dict[str, Block], DocumentContext]:
        """Return the file's report, its blocks by hash and its context."""
        if path not in self._seen:
            report = read_report(Path(path), self.settings, self.language)
            blocks = [] if report.error else split_blocks(report.text, report.language)
            context = document_context(path, report.language, blocks)
            self._seen[path] = (report, {b.hash: b for b in blocks}, context)
        return self._seen[path]

    def batch(self, path: str, blocks: Iterable[Sequence[Any]]) -> list[CritiqueRequest | None]:
        """Return the request for each (hash, start, end) still in the file, else None."""
        _, current, context = self.load(path)
        return [CritiqueRequest(current[h], context) if h in current else None for h, *_ in blocks]


def critique_params(critic: ClaudeCritic, batch: Sequence[CritiqueRequest]) -> dict[str, Any]:
    """Return the Messages parameters of one critique request: the editor's, cached 1 h."""
    prompt = load_prompt("critique")
    parts = prompt.render_parts(**render_blocks(batch))
    return critic.caller.request(
        "critique", critic.model, prompt, parts, CRITIQUE_TOKENS, cache_ttl="1h",
        system=critic.system_blocks("critique"),
    )  # fmt: skip


def grade_params(
    critic: ClaudeCritic,
    candidates: Sequence[tuple[int, Finding]],
    batch: Sequence[CritiqueRequest],
) -> dict[str, Any]:
    """Return the Messages parameters of one grading request: the editor's, cached 1 h."""
    prompt, user = load_prompt("grade"), grade_message(candidates, batch)
    return critic.caller.request(
        "grade", critic.grader_model, prompt, [user], GRADE_TOKENS, cache_ttl="1h",
        system=critic.system_blocks("grade"),
    )  # fmt: skip


def item_bytes(custom_id: str, params: dict[str, Any]) -> int:
    """Return the size of one batch request as JSON."""
    return len(json.dumps({"custom_id": custom_id, "params": params}).encode()) + 1


def _usage(system: int, user: int, output: int, requests: int) -> TokenUsage:
    read = round(system * requests * CACHE_HIT_SHARE)
    written = system * requests - read
    return TokenUsage(user, output, written, read, written)  # batches cache for an hour


def _group(blocks: list[Block], cap: int) -> list[list[Block]]:
    groups: list[list[Block]] = []
    tokens = 0
    for block in blocks:
        cost = estimate_tokens(block)
        if not groups or tokens + cost > cap:
            groups.append([])
            tokens = 0
        groups[-1].append(block)
        tokens += cost
    return groups


def plan_review(
    paths: list[str],
    settings: Settings,
    root: Path,
    cache: ResultsCache,
    *,
    language: str | None = None,
    files: CurrentFiles | None = None,
    style: StyleGuide | None = None,
) -> Plan:
    """Return the plan for reviewing `paths`: uncached blocks, requests and estimates."""
    critic = review_critic(settings, style=style)
    identity = critic.identity()
    files = files or CurrentFiles(settings, language)
    plan = Plan(run_id=secrets.token_hex(4))
    seen: set[str] = set()
    user_chars = out_tokens = 0
    for path, named in iter_files(paths, settings, root):
        if named and not path.exists():
            plan.skipped.append((str(path), "no such file or folder"))
            continue
        report, current, context = files.load(str(path))
        if report.error:
            plan.skipped.append((report.path, report.error))
            continue
        plan.files += 1
        todo = []
        for block in current.values():
            if not worth_sending(block) or block.hash in seen:
                continue
            seen.add(block.hash)
            if cache.get(cache_key(identity, block.hash)) is not None:
                plan.cached += 1
            else:
                todo.append(block)
        for group in _group(todo, settings.batch_token_cap):
            custom_id = f"{plan.run_id}-c{len(plan.requests) + 1:06d}"
            params = critique_params(critic, [CritiqueRequest(b, context) for b in group])
            user_chars += sum(len(p["text"]) for p in params["messages"][0]["content"])
            out_tokens += CRITIQUE_OUTPUT[0] + CRITIQUE_OUTPUT[1] * len(group)
            spans = tuple((b.hash, b.start, b.end) for b in group)
            plan.requests.append(
                PlannedRequest(custom_id, report.path, spans, item_bytes(custom_id, params))
            )
            plan.blocks += len(group)
    count = len(plan.requests)
    critique_system = len(load_prompt("critique").system) // 4
    grade_system = len(load_prompt("grade").system) // 4
    plan.critique = _usage(critique_system, user_chars // 4, out_tokens, count)
    grade_out = GRADE_OUTPUT[0] * count + GRADE_OUTPUT[1] * plan.blocks
    plan.grade = _usage(grade_system, user_chars // 4, grade_out, count)
    for batch, attr in ((True, "cost_usd"), (False, "interactive_cost_usd")):
        cost = estimate_cost(critic.model, plan.critique, batch=batch)
        cost += estimate_cost(critic.grader_model, plan.grade, batch=batch)
        setattr(plan, attr, cost)
    return plan


def plan_summary(plan: Plan) -> dict[str, Any]:
    """Return the plan's numbers as plain data (for `--dry-run --format json`)."""
    return {
        "run": plan.run_id,
        "files": plan.files,
        "blocks": plan.blocks,
        "cached_blocks": plan.cached,
        "requests": len(plan.requests),
        "bytes": plan.bytes,
        "critique_tokens": plan.critique.as_dict(),
        "grade_tokens": plan.grade.as_dict(),
        "tokens": plan.tokens,
        "cost_usd": round(plan.cost_usd, 4),
        "interactive_cost_usd": round(plan.interactive_cost_usd, 4),
        "skipped": [dict(zip(("path", "error"), s, strict=True)) for s in plan.skipped],
    }


def plan_records(plan: Plan) -> list[dict[str, Any]]:
    """Return the durable record of each planned request (no text: files are re-read)."""
    return [
        {"id": r.custom_id, "path": r.path, "blocks": [list(b) for b in r.blocks],
         "state": "planned", "phase": "critique", "batch": None, "error": "", "cost": 0.0,
         "tokens": 0}
        for r in plan.requests
    ]  # fmt: skip
