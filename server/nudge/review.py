"""`nudge review`'s engine: submit the plan as batches, collect, grade, fill the cache.

A run goes: critique batches for the planned requests; as each batch ends, its results
are parsed and anchored (`ClaudeCritic.parse`) against the files as they are *now*, so
only blocks whose hash still matches are used; requests with candidates go out again in
grading batches, and graded findings land raw in the results cache under the review
identity, where the editor and `nudge check` find them. Every step is recorded in
`ReviewStore` first (see there), so `advance` can be called again by a new process
after a crash or Ctrl-C and picks up where the last one stopped: a batch caught
mid-create is adopted (`find_orphan`) or sent again, results already processed are
skipped. Errored, expired and canceled requests end `failed` and are sent again only by
`retry`. Spend is recorded per result at batch prices, in the daily budget and telemetry.

`checkpoint(step)` is called after each step; a test can raise there to simulate a crash.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic

from nudge.budget import DailyBudget
from nudge.model import Finding
from nudge.results_cache import ResultsCache
from nudge.review_batches import (
    BatchesUnavailable,
    Item,
    Limits,
    TooLarge,
    chunks,
    counts_of,
    create,
    find_orphan,
    unavailable,
)
from nudge.review_plan import (
    CurrentFiles,
    Plan,
    critique_params,
    grade_params,
    item_bytes,
    plan_records,
    plan_summary,
    review_critic,
)
from nudge.review_results import ResultHandling
from nudge.review_state import PENDING, ReviewStore, sent_id, tally
from nudge.settings import Settings
from nudge.style import StyleGuide
from nudge.telemetry import Telemetry

Progress = Callable[[str, int, int], None]  # (phase, done, total)
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Outcome:
    """Where a run stands after `advance`."""

    finished: bool
    in_flight: int
    states: dict[str, int]
    problem: str = ""


def run_settings(settings: Settings, run: dict[str, Any] | None) -> Settings:
    """Return settings with the models and efforts a stored run was planned with."""
    if not run:
        return settings
    return dataclasses.replace(settings, **run["models"])


class Review(ResultHandling):
    """One review run against the Batches API, resumable from its store."""

    def __init__(
        self,
        client: Any,
        settings: Settings,
        state_dir: Path,
        *,
        telemetry: Telemetry | None = None,
        progress: Progress = lambda phase, done, total: None,
        sleep: Callable[[float], None] = time.sleep,
        poll_interval: float = 60.0,
        limits: Limits = DEFAULT_LIMITS,
        checkpoint: Callable[[str], None] = lambda step: None,
        language: str | None = None,
        continuing: bool = True,
        style: StyleGuide | None = None,
    ):
        self.client, self.telemetry, self.progress = client, telemetry, progress
        self.sleep, self.poll_interval, self.limits = sleep, poll_interval, limits
        self.checkpoint, self.language = checkpoint, language
        self.store = ReviewStore(state_dir)
        # A stored run goes on with the models it was planned with.
        self.settings = run_settings(settings, self.store.run()) if continuing else settings
        self.critic = review_critic(self.settings, client, style)
        self.identity = self.critic.identity()
        self.cache = ResultsCache(Path(state_dir) / "results")
        self.budget = DailyBudget(self.settings.daily_token_budget,
                                  self.settings.daily_cost_budget_usd,
                                  Path(state_dir) / "budget.json")  # fmt: skip
        self.files = CurrentFiles(self.settings, language)

    def close(self) -> None:
        """Close the store and the cache."""
        self.store.close()
        self.cache.close()

    def start(self, plan: Plan, paths: list[str], root: Path) -> None:
        """Record a new run and its plan; nothing is sent yet."""
        s = self.settings
        models = {"review_model": s.review_model, "review_grader_model": s.review_grader_model,
                  "effort": s.effort, "grader_effort": s.grader_effort}  # fmt: skip
        run = {"id": plan.run_id, "created": time.time(), "paths": paths, "root": str(root),
               "models": models, "stage": "running", "batches": {},
               "estimate": plan_summary(plan)}  # fmt: skip
        self.store.begin(run, plan_records(plan))
        self._record("review", stage="planned", files=plan.files, blocks=plan.blocks,
                     requests=len(plan.requests), cost_usd=round(plan.cost_usd, 6))  # fmt: skip
        self.checkpoint("planned")

    # --- the loop ---------------------------------------------------------------------

    def advance(self, wait: bool = True) -> Outcome:
        """Submit, poll and collect until the run ends (or once, without `wait`)."""
        run = self._run()
        self._recover(run)
        while True:
            if run["stage"] == "running":
                self._submit(run, "critique")
            problem = self._poll(run)
            if run["stage"] == "running":
                self._submit(run, "grade")
            outcome = self.outcome(run, problem)
            if outcome.finished or not wait:
                return outcome
            self.sleep(self.poll_interval)

    def outcome(self, run: dict[str, Any], problem: str = "") -> Outcome:
        """Return where the run stands, marking it finished when nothing is left."""
        states = dict(tally(self.store.requests()))
        in_flight = sum(b["state"] != "processed" for b in run["batches"].values())
        left = sum(states.get(s, 0) for s in ("planned", "to_grade", "sent"))
        finished = not in_flight and not left
        if finished and run["stage"] == "running":
            run["stage"] = "finished"
            self.store.save_run(run)
            cost = sum(r["cost"] for r in self.store.requests())
            self._record("review", stage="finished", requests=sum(states.values()),
                         cost_usd=round(cost, 6))  # fmt: skip
        return Outcome(finished, in_flight, states, problem)

    def retry(self) -> int:
        """Put every failed request back in its phase's queue; return how many."""
        run, again = self._run(), []
        for r in self.store.requests():
            if r["state"] == "failed":
                r.update(state=PENDING[r["phase"]], error="", batch=None)
                again.append(r)
        run["stage"] = "running"
        self.store.save(again, run)
        return len(again)

    def cancel(self) -> int:
        """Cancel the run's batches in flight and send nothing more; return how many."""
        run, canceled = self._run(), 0
        for batch in run["batches"].values():
            if batch["state"] == "submitted":
                try:
                    self.client.messages.batches.cancel(batch["id"])
                    canceled += 1
                except (anthropic.APIStatusError, anthropic.APIConnectionError) as exc:
                    raise unavailable(exc) from None
        records = [r for r in self.store.requests() if r["state"] in ("planned", "to_grade")]
        for r in records:
            r.update(state="failed", error="canceled before it was sent")
        run["stage"] = "canceled"
        self.store.save(records, run)
        return canceled

    def _run(self) -> dict[str, Any]:
        run = self.store.run()
        if run is None:
            raise LookupError("no review run is recorded")
        return run

    # --- submission -------------------------------------------------------------------

    def _recover(self, run: dict[str, Any]) -> None:
        """Settle batches caught mid-create: adopt the batch, or send its requests again."""
        known = {b["id"] for b in run["batches"].values() if b["id"]}
        for key, batch in list(run["batches"].items()):
            if batch["state"] != "sending":
                continue
            orphan = find_orphan(self.client, batch["size"], known)
            if orphan is not None:
                batch.update(id=orphan, state="submitted")
                known.add(orphan)
                self.store.save_run(run)
            else:
                self._unsend(run, key)
        self.checkpoint("recovered")

    def _unsend(self, run: dict[str, Any], key: str) -> None:
        records = [r for r in self.store.requests() if r["state"] == "sent" and r["batch"] == key]
        for r in records:
            r.update(state=PENDING[r["phase"]], batch=None)
        del run["batches"][key]
        self.store.save(records, run)

    def _submit(self, run: dict[str, Any], phase: str) -> None:
        self.files = CurrentFiles(self.settings, self.language)  # read files afresh
        pending = [r for r in self.store.requests() if r["state"] == PENDING[phase]]
        if not pending:
            return
        done = 0
        for group in chunks(self._items(pending, phase), self.limits):
            self._send(run, phase, group)
            done += len(group)
            self.progress(f"submitting {phase} requests", done, len(pending))

    def _items(self, records: list[dict[str, Any]], phase: str) -> Iterator[Item]:
        for r in records:
            params = self._critique(r) if phase == "critique" else self._grading(r)
            if params is None:
                self.store.save([r])
                continue
            cid = sent_id(r)
            yield Item(cid, params, item_bytes(cid, params), r)

    def _send(self, run: dict[str, Any], phase: str, items: list[Item]) -> None:
        key = f"b{max((int(k[1:]) for k in run['batches']), default=0) + 1}"
        run["batches"][key] = {"key": key, "id": None, "kind": phase, "size": len(items),
                               "state": "sending", "counts": {}}  # fmt: skip
        for item in items:
            item.record.update(state="sent", batch=key)
        self.store.save([i.record for i in items], run)
        try:
            batch = create(self.client, items)
        except TooLarge as exc:
            self._unsend(run, key)
            if len(items) == 1:
                items[0].record.update(state="failed", error=f"too large for a batch ({exc})")
                self.store.save([items[0].record])
                return
            half = len(items) // 2
            for part in (items[:half], items[half:]):
                self._send(run, phase, part)
            return
        except BatchesUnavailable:
            self._unsend(run, key)
            raise
        self.checkpoint(f"{phase}:created")  # a crash here leaves the id unrecorded
        run["batches"][key].update(id=batch.id, state="submitted", counts=counts_of(batch))
        self.store.save_run(run)
        self._record("review", stage=f"{phase}_submitted", requests=len(items))
        self.checkpoint(f"{phase}:submitted")

    def _critique(self, r: dict[str, Any]) -> dict[str, Any] | None:
        batch = self.files.batch(r["path"], r["blocks"])
        kept = [(span, req) for span, req in zip(r["blocks"], batch, strict=True) if req]
        if not kept:
            r["state"] = "stale"
            return None
        r["blocks"] = [span for span, _ in kept]
        return critique_params(self.critic, [req for _, req in kept])

    def _grading(self, r: dict[str, Any]) -> dict[str, Any] | None:
        batch = self._aligned(r)
        candidates = [(i, Finding.from_json(f)) for i, f in r["candidates"]
                      if batch[i].block.text]  # fmt: skip
        if not candidates:
            self._keep(r, batch, [])
            return None
        r["candidates"] = [[i, f.to_json()] for i, f in candidates]  # numbered as sent
        return grade_params(self.critic, candidates, batch)

    # --- collection -------------------------------------------------------------------

    def _poll(self, run: dict[str, Any]) -> str:
        """Retrieve each batch in flight and collect those that ended; return a problem."""
        problem = ""
        for batch in run["batches"].values():
            if batch["state"] != "submitted":
                continue
            try:
                found = self.client.messages.batches.retrieve(batch["id"])
            except (anthropic.APIStatusError, anthropic.APIConnectionError) as exc:
                problem = unavailable(exc).reason
                continue
            batch["counts"] = counts_of(found)
            counts = batch["counts"]
            self.progress(f"waiting for {batch['kind']} batch {batch['key']}",
                          batch["size"] - counts["processing"], batch["size"])  # fmt: skip
            self.store.save_run(run)
            if found.processing_status == "ended":
                problem = self._collect(run, batch) or problem
        return problem

    def _collect(self, run: dict[str, Any], batch: dict[str, Any]) -> str:
        self.files = CurrentFiles(self.settings, self.language)
        expected = {sent_id(r): r for r in self.store.requests()
                    if r["state"] == "sent" and r["batch"] == batch["key"]}  # fmt: skip
        done, size = batch["size"] - len(expected), batch["size"]
        try:
            for item in self.client.messages.batches.results(batch["id"]):
                record = expected.pop(item.custom_id, None)
                if record is None:
                    continue  # not ours (an adopted batch that was someone else's)
                self._result(record, batch["kind"], item.result)
                self.store.save([record])
                done += 1
                self.progress(f"processing {batch['kind']} results", done, size)
                self.checkpoint(f"{batch['kind']}:result")
        except (anthropic.APIStatusError, anthropic.APIConnectionError) as exc:
            return f"results of {batch['id']} not available yet ({unavailable(exc).reason})"
        for record in expected.values():  # no result came back: send again
            record.update(state=PENDING[record["phase"]], batch=None)
        batch["state"] = "processed"
        self.store.save(list(expected.values()), run)
        self.checkpoint(f"{batch['kind']}:collected")
        return ""

    def _record(self, event: str, **fields: Any) -> None:
        if self.telemetry is not None:
            self.telemetry.record(event, **fields)
