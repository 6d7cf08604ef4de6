"""The second opinion: one cheaper call scores every candidate of a batch from 0 to 1.

The grader sees the blocks that have candidates and, for each candidate, its quote,
category, reason and replacement, and answers through a forced tool call with one
score per candidate id. A candidate with no valid score is dropped (and counted):
nothing ungraded is ever shown. The score becomes the finding's confidence; whether
it is shown is decided later by `Settings.shows`, so changing thresholds never needs
a new call (see `keep_shown`).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from nudge.critics.base import CritiqueRequest
from nudge.model import Finding
from nudge.prompt_loader import PromptTemplate, load_prompt
from nudge.settings import Settings

_SPACES = re.compile(r"[ \t]{2,}")


class ToolCaller(Protocol):
    """Anything that sends one forced-tool request and returns (tool input, stop reason)."""

    async def call(
        self,
        *,
        kind: str,
        model: str,
        prompt: PromptTemplate,
        user: str | list[str],
        max_tokens: int,
    ) -> tuple[dict[str, Any] | None, str | None]:
        """Send the request; raise if Claude is unavailable."""
        ...


def compact(masked: str) -> str:
    """Return block text to send: masked runs and surplus spaces squeezed to one space."""
    return _SPACES.sub(" ", masked.strip())


def xml_text(text: str) -> str:
    """Return document text safe to wrap in our pseudo-XML tags."""
    return text.replace("</block", "</ block").replace("</candidate", "</ candidate")


def render_candidates(
    candidates: Sequence[tuple[int, Finding]], batch: Sequence[CritiqueRequest]
) -> tuple[str, str]:
    """Return the (blocks, candidates) sections of the grading message."""
    used = sorted({index for index, _ in candidates})
    blocks = "\n".join(
        f'<block index="{i + 1}">\n{xml_text(compact(batch[i].block.masked))}\n</block>'
        for i in used
    )
    items = []
    for number, (index, f) in enumerate(candidates, 1):
        items.append(
            f'<candidate id="{number}" block="{index + 1}" category="{f.category}">\n'
            f"quote: {xml_text(f.quote)}\nreason: {xml_text(f.message)}\n"
            f"replacement: {xml_text(f.replacement or '')}\n</candidate>"
        )
    return blocks, "\n".join(items)


def parse_grades(tool_input: dict[str, Any] | None, count: int) -> dict[int, float]:
    """Return valid scores by candidate id (1-based); invalid entries are skipped."""
    grades: dict[int, float] = {}
    entries = (tool_input or {}).get("grades")
    if not isinstance(entries, list):
        return grades
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        cid, score = entry.get("id"), entry.get("score")
        if isinstance(cid, bool) or not isinstance(cid, int) or not 1 <= cid <= count:
            continue
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            continue
        if 0.0 <= float(score) <= 1.0:
            grades.setdefault(cid, float(score))
    return grades


async def grade(
    caller: ToolCaller,
    model: str,
    candidates: Sequence[tuple[int, Finding]],
    batch: Sequence[CritiqueRequest],
    counters: Counter[str],
    max_tokens: int = 1024,
) -> list[tuple[int, Finding]]:
    """Score candidates in one call; return those graded, confidence set to the score."""
    if not candidates:
        return []
    prompt = load_prompt("grade")
    blocks, items = render_candidates(candidates, batch)
    title = " | ".join(dict.fromkeys(r.context.title for r in batch if r.context.title))
    user = prompt.render(title=title or "(untitled)", blocks=blocks, candidates=items)
    tool_input, stop = await caller.call(
        kind="grade", model=model, prompt=prompt, user=user, max_tokens=max_tokens
    )
    if stop == "max_tokens":
        counters["grade_truncated"] += 1
    grades = parse_grades(tool_input, len(candidates))
    counters["ungraded"] += len(candidates) - len(grades)
    return [
        (index, dataclasses.replace(f, confidence=grades[number]))
        for number, (index, f) in enumerate(candidates, 1)
        if number in grades
    ]


def keep_shown(findings: Sequence[Finding], settings: Settings) -> list[Finding]:
    """Return the findings whose category and confidence pass the settings' thresholds."""
    return [f for f in findings if settings.shows(f.category, f.confidence)]
