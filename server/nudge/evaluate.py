"""`nudge eval`: measure a critic against a labelled span-JSONL dataset.

A finding *matches* a gold span when both have the same category and their ranges
overlap. Precision is the share of findings that match some gold span, recall the share
of gold spans matched by some finding, F1 their harmonic mean; the exact-span rates
ask for identical boundaries instead of overlap. A negative span is *flagged* when any
finding, of any category, overlaps it. The headline numbers use what a writer would see
with default settings; the threshold sweep and the calibration bins use every finding
the critic produced, by confidence. `evals/README.md` defines each number in full.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nudge.critics.base import CriticUnavailable
from nudge.languages import LANGUAGE_IDS
from nudge.model import ALL_CATEGORIES, Finding

SUBTYPES = ("vague", "convoluted", "ambiguous_reference", "nominalisation")
THRESHOLDS = tuple(round(i * 0.05, 2) for i in range(20))
BINS = 10


class DatasetError(ValueError):
    """A dataset line that is not a valid passage; the message names file and line."""


@dataclass(frozen=True, slots=True)
class Span:
    """One labelled or negative range of a passage."""

    start: int
    end: int
    label: str
    replacement: str | None = None
    subtype: str = ""


@dataclass(frozen=True, slots=True)
class Passage:
    """One dataset line: a text with its gold spans and hard negatives."""

    id: str
    genre: str
    language: str
    text: str
    spans: tuple[Span, ...]
    negatives: tuple[Span, ...]


def _span(raw: Any, key: str, text: str) -> Span:
    if not isinstance(raw, dict):
        raise ValueError(f"{key} entries must be objects")
    start, end = raw.get("start"), raw.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise ValueError(f"bad offsets {start}..{end} in {key} (text has {len(text)} characters)")
    if key == "negative_spans":
        return Span(start, end, str(raw.get("reason", "")))
    label, subtype = raw.get("label"), raw.get("subtype") or ""
    if label not in ALL_CATEGORIES:
        raise ValueError(f"unknown label {label!r} at {start}..{end}")
    if subtype and (label != "clarity" or subtype not in SUBTYPES):
        raise ValueError(f"bad subtype {subtype!r} for {label} at {start}..{end}")
    replacement = raw.get("replacement")
    if replacement is not None and not isinstance(replacement, str):
        raise ValueError(f"replacement at {start}..{end} must be a string or null")
    return Span(start, end, label, replacement, subtype)


def parse_passage(data: Any) -> Passage:
    """Return the passage in one decoded JSON line; raise ValueError if malformed."""
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    text = data.get("text")
    if not isinstance(text, str) or not isinstance(data.get("id"), str):
        raise ValueError('"id" and "text" must be strings')
    language = data.get("language", "plaintext")
    if language not in LANGUAGE_IDS:
        raise ValueError(f"unknown language {language!r}")
    spans = tuple(_span(s, "spans", text) for s in data.get("spans") or [])
    negatives = tuple(_span(s, "negative_spans", text) for s in data.get("negative_spans") or [])
    return Passage(data["id"], str(data.get("genre", "")), language, text, spans, negatives)


def load_dataset(path: Path) -> list[Passage]:
    """Read a span-JSONL file; raise DatasetError naming the line of the first problem."""
    passages: list[Passage] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                passage = parse_passage(json.loads(line))
                if passage.id in seen:
                    raise ValueError(f"duplicate id {passage.id!r}")
            except ValueError as exc:  # json.JSONDecodeError is a ValueError too
                raise DatasetError(f"{path}:{number}: {exc}") from None
            seen.add(passage.id)
            passages.append(passage)
    return passages


@dataclass
class Tally:
    """Match counts for one category (or all of them) at one threshold."""

    findings: int = 0
    matched: int = 0
    exact_findings: int = 0
    gold: int = 0
    found: int = 0
    exact_gold: int = 0

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> dict[str, float | int]:
        """Return the counts with precision, recall, F1 and exact-span rates."""
        p = self.matched / self.findings if self.findings else 0.0
        r = self.found / self.gold if self.gold else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "exact_precision": round(self.exact_findings / self.findings, 4)
            if self.findings
            else 0.0,
            "exact_recall": round(self.exact_gold / self.gold, 4) if self.gold else 0.0,
            **{name: getattr(self, name) for name in self.__dataclass_fields__},
        }


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def tally_passage(passage: Passage, findings: Sequence[Finding]) -> dict[str, Tally]:
    """Return per-category match counts for one passage's findings."""
    out = {c: Tally() for c in ALL_CATEGORIES}
    for f in findings:
        if f.category not in out:
            continue
        t = out[f.category]
        gold = [s for s in passage.spans if s.label == f.category]
        t.findings += 1
        t.matched += any(_overlaps(f.start, f.end, s.start, s.end) for s in gold)
        t.exact_findings += any((f.start, f.end) == (s.start, s.end) for s in gold)
    for s in passage.spans:
        t = out[s.label]
        mine = [f for f in findings if f.category == s.label]
        t.gold += 1
        t.found += any(_overlaps(f.start, f.end, s.start, s.end) for f in mine)
        t.exact_gold += any((f.start, f.end) == (s.start, s.end) for f in mine)
    return out


def flagged_negatives(passage: Passage, findings: Sequence[Finding]) -> list[Span]:
    """Return the negative spans that some finding overlaps."""
    return [
        n
        for n in passage.negatives
        if any(_overlaps(f.start, f.end, n.start, n.end) for f in findings)
    ]


@dataclass
class Outcome:
    """A critic's findings for every passage: all of them, and those shown by default."""

    passages: list[Passage]
    raw: list[list[Finding]]
    shown: list[list[Finding]]
    seconds: float = 0.0
    usage: dict[str, Any] = field(default_factory=dict)


def score(passages: Sequence[Passage], findings: Sequence[Sequence[Finding]]) -> dict[str, Any]:
    """Return per-category and overall numbers plus the negative false-positive rate."""
    totals = {c: Tally() for c in ALL_CATEGORIES}
    flagged: Counter[str] = Counter()
    negatives: Counter[str] = Counter()
    for passage, found in zip(passages, findings, strict=True):
        for category, tally in tally_passage(passage, found).items():
            totals[category].add(tally)
        negatives.update(n.label for n in passage.negatives)
        flagged.update(n.label for n in flagged_negatives(passage, found))
    overall = Tally()
    for tally in totals.values():
        overall.add(tally)
    total_neg = sum(negatives.values())
    return {
        "categories": {c: t.summary() for c, t in totals.items()},
        "all": overall.summary(),
        "negatives": {
            "total": total_neg,
            "flagged": sum(flagged.values()),
            "fp_rate": round(sum(flagged.values()) / total_neg, 4) if total_neg else 0.0,
            "by_reason": {r: {"total": negatives[r], "flagged": flagged[r]} for r in negatives},
        },
    }


def sweep(passages: Sequence[Passage], findings: Sequence[Sequence[Finding]]) -> list[dict]:
    """Return precision, recall and F1 at each minimum confidence in THRESHOLDS."""
    rows = []
    for threshold in THRESHOLDS:
        kept = [[f for f in found if f.confidence >= threshold] for found in findings]
        s = score(passages, kept)
        rows.append({
            "threshold": threshold,
            "categories": {c: _prf(v) for c, v in s["categories"].items()},
            "all": _prf(s["all"]),
            "fp_rate": s["negatives"]["fp_rate"],
        })  # fmt: skip
    return rows


def _prf(summary: dict[str, Any]) -> dict[str, Any]:
    keys = ("precision", "recall", "f1", "findings")
    return {k: summary[k] for k in keys}


def calibration(passages: Sequence[Passage], findings: Sequence[Sequence[Finding]]) -> dict:
    """Return confidence bins with observed precision, and the expected calibration error."""
    bins = [{"lo": i / BINS, "hi": (i + 1) / BINS, "count": 0, "conf": 0.0, "hits": 0}
            for i in range(BINS)]  # fmt: skip
    for passage, found in zip(passages, findings, strict=True):
        for f in found:
            if f.category not in ALL_CATEGORIES:
                continue
            b = bins[min(BINS - 1, max(0, int(f.confidence * BINS)))]
            b["count"] += 1
            b["conf"] += f.confidence
            b["hits"] += any(
                s.label == f.category and _overlaps(f.start, f.end, s.start, s.end)
                for s in passage.spans
            )
    total = sum(b["count"] for b in bins)
    rows, ece = [], 0.0
    for b in bins:
        n = b["count"]
        mean = b["conf"] / n if n else None
        precision = b["hits"] / n if n else None
        if n:
            ece += n / total * abs(mean - precision)  # type: ignore[operator]
        rows.append({"lo": round(b["lo"], 2), "hi": round(b["hi"], 2), "count": n,
                     "mean_confidence": None if mean is None else round(mean, 4),
                     "precision": None if precision is None else round(precision, 4)})  # fmt: skip
    return {"bins": rows, "ece": round(ece, 4)}


def errors(passages: Sequence[Passage], findings: Sequence[Sequence[Finding]]) -> list[dict]:
    """List every miss, false positive and flagged negative, with its words.

    A false positive that overlaps a gold span of another category is listed as
    `wrong_category`: the words were right to flag, the category was not.
    """
    out: list[dict] = []
    for passage, found in zip(passages, findings, strict=True):
        rows = [("missed", s.start, s.end, s.label) for s in passage.spans
                if not any(f.category == s.label and _overlaps(f.start, f.end, s.start, s.end)
                           for f in found)]  # fmt: skip
        for f in found:
            hits = {s.label for s in passage.spans if _overlaps(f.start, f.end, s.start, s.end)}
            if f.category not in hits:
                kind = "wrong_category" if hits else "false_positive"
                rows.append((kind, f.start, f.end, f.category))
        rows += [("flagged_negative", n.start, n.end, n.label)
                 for n in flagged_negatives(passage, found)]  # fmt: skip
        out += [{"id": passage.id, "kind": kind, "category": category, "start": start,
                 "end": end, "quote": passage.text[start:end]}
                for kind, start, end, category in rows]  # fmt: skip
    return out


def dataset_counts(passages: Sequence[Passage]) -> dict[str, Any]:
    """Return passages, spans and negatives counted overall and by genre and label."""
    return {
        "passages": len(passages),
        "spans": sum(len(p.spans) for p in passages),
        "negatives": sum(len(p.negatives) for p in passages),
        "by_label": dict(Counter(s.label for p in passages for s in p.spans)),
        "by_genre": dict(Counter(p.genre for p in passages)),
    }


def summarize(outcome: Outcome, meta: dict[str, Any]) -> dict[str, Any]:
    """Return the full machine-readable summary of one evaluation run."""
    return {
        **meta,
        "seconds": round(outcome.seconds, 3),
        "dataset_counts": dataset_counts(outcome.passages),
        **score(outcome.passages, outcome.shown),
        "sweep": sweep(outcome.passages, outcome.raw),
        "calibration": calibration(outcome.passages, outcome.raw),
        "usage": outcome.usage,
        "errors": errors(outcome.passages, outcome.shown),
    }


def passage_findings(
    passages: Sequence[Passage], mode: str, settings: Any, env: Mapping[str, str] | None = None
) -> tuple[list[list[Finding]], list[list[Finding]], dict[str, Any]]:
    """Return (raw, shown, usage) per passage for `mode`: local, claude or merged.

    Claude's findings come through the review service (batched, cached, in budget) and
    what is shown is `visible_findings`, exactly as in the editor.
    """
    from nudge.critics.registry import MODES, make_critic
    from nudge.engine import merge_findings, visible_findings
    from nudge.segment import split_blocks

    if mode not in MODES:
        raise CriticUnavailable(f"unknown critic {mode!r}; choose one of {', '.join(MODES)}")
    blocks = [split_blocks(p.text, p.language) if p.text else [] for p in passages]
    local = make_critic("local", settings)
    mine = [[f.shifted(b.start) for b in bs for f in local.check_block(b)] for bs in blocks]
    theirs: list[list[Finding]] = [[] for _ in passages]
    usage: dict[str, Any] = {}
    if mode != "local":
        remote, usage = claude_results(passages, blocks, settings, env)
        theirs = [[f.shifted(b.start) for b in bs for f in remote.get(b.hash, ())]
                  for bs in blocks]  # fmt: skip
    if mode == "claude":
        mine = [[] for _ in passages]
    raw = [merge_findings(a, b) if b else sorted(a, key=lambda f: (f.start, f.end))
           for a, b in zip(mine, theirs, strict=True)]  # fmt: skip
    shown = [visible_findings(a, b, settings) for a, b in zip(mine, theirs, strict=True)]
    return raw, shown, usage


def claude_results(
    passages: Sequence[Passage],
    blocks: Sequence[Sequence[Any]],
    settings: Any,
    env: Mapping[str, str] | None,
) -> tuple[dict[str, list[Finding]], dict[str, Any]]:
    """Review every passage's blocks with Claude; return raw findings by hash and usage."""
    import asyncio

    from nudge.engine import document_context
    from nudge.service import DocumentBlocks, ReviewService
    from nudge.store import default_cache_dir

    async def ignore(uri: str, block_hash: str, findings: list[Finding]) -> None:
        return None

    async def review() -> tuple[dict[str, list[Finding]], dict[str, Any]]:
        service = ReviewService.start(
            settings, os.environ if env is None else env, default_cache_dir(), ignore
        )
        if service is None:
            raise CriticUnavailable("--critic claude needs ANTHROPIC_API_KEY in the environment")
        documents = [
            DocumentBlocks(p.id, bs, document_context(p.id, p.language, bs))
            for p, bs in zip(passages, blocks, strict=True)
        ]
        try:
            found = await service.review_all(documents)
        finally:
            await service.aclose()
        return found, usage_of(service.critic)

    return asyncio.run(review())


def usage_of(critic: Any) -> dict[str, Any]:
    """Return tokens and estimated cost of a critic's calls."""
    records = critic.records
    cost = sum(r.cost_usd for r in records)
    return {"tokens": critic.usage.as_dict(), "calls": len(records), "cost_usd": round(cost, 6)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of `nudge eval`."""
    parser.add_argument("dataset", type=Path, help="span-JSONL file, e.g. evals/test.jsonl")
    parser.add_argument("--critic", choices=("local", "claude", "merged"), default="local",
                        help="local, claude, or merged (what the editor shows)")  # fmt: skip
    parser.add_argument("--min-confidence", type=float, help="override minConfidence for headline")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the JSON summary here")
    parser.add_argument("--html", type=Path, metavar="OUT", help="write an HTML report here")
    parser.add_argument("--errors", action="store_true", help="print misses and false positives")
    from nudge.usage import epilog

    parser.epilog = epilog(
        [("0", "the report was printed"),
         ("2", "the dataset could not be read or is invalid, or the critic is unavailable "
               "(--critic claude or merged without ANTHROPIC_API_KEY)")],
        "a terminal table (per category, threshold sweep, calibration); --json OUT writes the "
        "full summary, --html OUT a self-contained report",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run `nudge eval`; return 0, or 2 for a bad dataset or unavailable critic."""
    from nudge.report import render_html, render_table
    from nudge.settings import Settings

    settings = Settings()
    if args.min_confidence is not None:
        settings.min_confidence = args.min_confidence
    try:
        passages = load_dataset(args.dataset)
        began = time.perf_counter()
        raw, shown, usage = passage_findings(passages, args.critic, settings)
        seconds = time.perf_counter() - began
    except (OSError, DatasetError, CriticUnavailable) as exc:
        print(f"nudge eval: {exc}", file=sys.stderr)
        return 2
    outcome = Outcome(list(passages), raw, shown, seconds, usage)
    meta = {"dataset": str(args.dataset), "critic": args.critic,
            "min_confidence": settings.min_confidence}  # fmt: skip
    summary = summarize(outcome, meta)
    print(render_table(summary))
    if args.errors:
        for e in summary["errors"]:
            print(f"{e['id']}\t{e['kind']}\t{e['category']}\t{e['quote']!r}")
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if args.html:
        args.html.write_text(render_html(summary), encoding="utf-8")
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    """Run `python -m nudge.evaluate` like `nudge eval`."""
    parser = argparse.ArgumentParser(prog="nudge eval", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(None if argv is None else list(argv)))


if __name__ == "__main__":
    sys.exit(main())
