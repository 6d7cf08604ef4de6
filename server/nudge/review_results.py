"""What a review does with one batch result: price it, parse it, anchor it, cache it.

A critique result is parsed and anchored (`ClaudeCritic.parse`) against the file as it is
now: only blocks whose hash still matches are used, and a request whose blocks all
changed ends `stale`. A request with candidates goes on to grading; a graded one, or one
with nothing to grade, puts each block's raw findings into the results cache under the
review identity. Spend is recorded per result at batch prices. `Review` (review.py)
mixes this in; it supplies `critic`, `files`, `cache`, `identity`, `budget` and `_record`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from nudge.budget import TokenUsage, estimate_cost
from nudge.critics.base import CritiqueRequest
from nudge.critics.grading import apply_grades
from nudge.critics.transport import Answer, read_answer
from nudge.model import Block, Finding
from nudge.prompt_loader import load_prompt
from nudge.results_cache import cache_key
from nudge.review_batches import error_text


class ResultHandling:
    """The result-processing half of `Review`."""

    critic: Any
    files: Any
    cache: Any
    identity: Any
    budget: Any

    def _record(self, event: str, **fields: Any) -> None:  # supplied by Review
        raise NotImplementedError

    def _result(self, r: dict[str, Any], phase: str, result: Any) -> None:
        model = self.critic.model if phase == "critique" else self.critic.grader_model
        prompt = load_prompt("critique" if phase == "critique" else "grade")
        if result.type != "succeeded":
            r.update(state="failed", error=error_text(result), batch=None)
            self._record("request", kind=phase, model=model, prompt=prompt.key,
                         status=result.type, tier="batch")  # fmt: skip
            return
        message = result.message
        usage = TokenUsage.from_api(message.usage)
        cost = estimate_cost(model, usage, batch=True)
        self.budget.record(usage.total, cost)
        r.update(cost=r["cost"] + cost, tokens=r["tokens"] + usage.total, batch=None)
        self._record("request", kind=phase, model=model, prompt=prompt.key, status="ok",
                     cost_usd=round(cost, 6), tier="batch", **usage.as_dict())  # fmt: skip
        answer = read_answer(message, prompt)
        if phase == "critique":
            self._critiqued(r, answer)
        else:
            graded = apply_grades(answer, [(i, Finding.from_json(f)) for i, f in r["candidates"]],
                                  self.critic.counters)  # fmt: skip
            self._keep(r, self._aligned(r), graded)

    def _critiqued(self, r: dict[str, Any], answer: Answer) -> None:
        batch = self._aligned(r)
        present = {i + 1 for i, req in enumerate(batch) if req.block.text}
        if not present:
            r["state"] = "stale"
            return
        data = answer.data
        if isinstance(data, dict) and isinstance(data.get("suggestions"), list):
            kept = [s for s in data["suggestions"]
                    if not isinstance(s, dict) or s.get("block") in present]  # fmt: skip
            answer = dataclasses.replace(answer, data={**data, "suggestions": kept})
        candidates, proposed = self.critic.parse(answer, batch)
        self._record("findings", blocks=len(present), proposed=proposed,
                     malformed=proposed - len(candidates))  # fmt: skip
        if not candidates:
            self._keep(r, batch, [])
            return
        r.update(state="to_grade", phase="grade",
                 candidates=[[i, f.to_json()] for i, f in candidates])  # fmt: skip

    def _aligned(self, r: dict[str, Any]) -> list[CritiqueRequest]:
        """Return the request's blocks as they are now; a changed one is left empty."""
        batch = self.files.batch(r["path"], r["blocks"])
        _, _, context = self.files.load(r["path"])
        empty = CritiqueRequest(Block(0, "", "", "paragraph", ""), context)
        return [req or empty for req in batch]

    def _keep(self, r: dict[str, Any], batch: list[CritiqueRequest], graded: list) -> None:
        """Cache each still-present block's raw findings; the request is done."""
        changed = 0
        for index, req in enumerate(batch):
            if not req.block.text:
                changed += 1
                continue
            findings = [f for i, f in graded if i == index]
            self.cache.put(cache_key(self.identity, req.block.hash), findings)
        r.update(state="done", candidates=None, changed=changed)
