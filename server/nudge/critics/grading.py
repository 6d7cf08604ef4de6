"""The second opinion: one cheaper call scores every candidate of a batch from 0 to 1.

The grader sees the blocks that have candidates and, for each candidate, its quote,
category, reason and replacement, and answers with one structured `submit_grades`
object: a score per candidate id and a one-line note on what limited it. A candidate
with no valid score is dropped (and counted): nothing ungraded is ever shown. The
score becomes the finding's confidence (the note rides along in `extra["note"]`);
whether it is shown is decided later by `Settings.shows`, so changing thresholds never
needs a new call (see `engine.visible_findings`). The schema carries no numeric bounds (structured
outputs reject them), so the 0..1 range is checked here.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from nudge.critics.base import CritiqueRequest
from nudge.critics.transport import Answer, Caller
from nudge.model import Finding
from nudge.prompt_loader import load_prompt

_SPACES = re.compile(r"[ \t]{2,}")


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


_NOTE_LIMIT = 160


def parse_grades(data: dict[str, Any] | None, count: int) -> dict[int, tuple[float, str]]:
    """Return valid (score, note) by candidate id (1-based); invalid entries are skipped."""
    grades: dict[int, tuple[float, str]] = {}
    entries = (data or {}).get("grades")
    if not isinstance(entries, list):
        return grades
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        cid, score, note = entry.get("id"), entry.get("score"), entry.get("note", "")
        if isinstance(cid, bool) or not isinstance(cid, int) or not 1 <= cid <= count:
            continue
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            continue
        note = " ".join(note.split())[:_NOTE_LIMIT] if isinstance(note, str) else ""
        if 0.0 <= float(score) <= 1.0:
            grades.setdefault(cid, (float(score), note))
    return grades


async def grade(
    caller: Caller,
    model: str,
    candidates: Sequence[tuple[int, Finding]],
    batch: Sequence[CritiqueRequest],
    counters: Counter[str],
    answer_tokens: int = 1024,
    system: Sequence[str] = (),
) -> list[tuple[int, Finding]]:
    """Score candidates in one call; return those graded, confidence set to the score.

    `system` holds extra cached system blocks: the house style, then the examples of
    suggestions this team turned down.
    """
    if not candidates:
        return []
    prompt = load_prompt("grade")
    answer = await caller.call(
        kind="grade", model=model, prompt=prompt, user=grade_message(candidates, batch),
        answer_tokens=answer_tokens, system=system,
    )  # fmt: skip
    return apply_grades(answer, candidates, counters)


def grade_message(
    candidates: Sequence[tuple[int, Finding]], batch: Sequence[CritiqueRequest]
) -> str:
    """Return the grading call's user message for these candidates."""
    blocks, items = render_candidates(candidates, batch)
    title = " | ".join(dict.fromkeys(r.context.title for r in batch if r.context.title))
    return load_prompt("grade").render(title=title or "(untitled)", blocks=blocks, candidates=items)


def apply_grades(
    answer: Answer, candidates: Sequence[tuple[int, Finding]], counters: Counter[str]
) -> list[tuple[int, Finding]]:
    """Return the candidates the answer graded validly, with confidence and note set."""
    if answer.stop_reason == "max_tokens":
        counters["grade_truncated"] += 1
    grades = parse_grades(answer.data, len(candidates))
    counters["ungraded"] += len(candidates) - len(grades)
    out = []
    for number, (index, f) in enumerate(candidates, 1):
        if number in grades:
            score, note = grades[number]
            extra = {**f.extra, "note": note} if note else f.extra
            out.append((index, dataclasses.replace(f, confidence=score, extra=extra)))
    return out
