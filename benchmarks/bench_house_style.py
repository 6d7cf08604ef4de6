"""House style and turned-down examples on the fake: what they cost in tokens.

Passages from `evals/dev.jsonl` are critiqued eight blocks to a request by the real
ClaudeCritic (real anthropic client, real HTTP) against the fake Claude, whose phrase
heuristics propose edits. The grader is scripted here, on top of the fake's
`heuristic_responder`: 0.8 for every candidate, except 0.2 for one whose quote the
system blocks list as turned down (what a grader that heeds the examples would do).
The examples are the false positives of a first pass over the first half of the set
(findings that overlap no labelled span), as if writers had dismissed them; the
measured half is the second. Four runs, each with a cold cache: plain, with the
house style (`examples/team/docs/STYLE.md`), with the examples, with both.

    .venv/bin/python benchmarks/bench_house_style.py [--limit 400]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import anthropic  # noqa: E402
from tests.fakes.fake_claude import FakeClaude, heuristic_responder, tool  # noqa: E402

from nudge.critics.base import CritiqueRequest, DocumentContext  # noqa: E402
from nudge.critics.claude import ClaudeCritic  # noqa: E402
from nudge.segment import split_blocks  # noqa: E402
from nudge.style import load_style_guide  # noqa: E402
from nudge.unwanted import FRAMING, Unwanted, context_of  # noqa: E402

_QUOTE = re.compile(r'<candidate id="(\d+)"[^>]*>\nquote: (.*)\n')
BATCH = 8


def grader(recorded):
    """Heuristic critique; grades 0.8, or 0.2 for a quote listed as turned down."""
    text = recorded.user_text
    if "<candidate" not in text:
        return heuristic_responder(0.8)(recorded)
    blocks = [b["text"] for b in recorded.body["system"] if b["text"].startswith(FRAMING)]
    system = "".join(blocks).casefold()
    grades = [
        {"id": int(i), "score": 0.2 if f'"{q.casefold()}"' in system else 0.8}
        for i, q in _QUOTE.findall(text)
    ]
    return tool({"grades": grades})


def passages(limit: int) -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "evals/dev.jsonl").read_text().splitlines()]
    return [r for r in rows if r.get("text")][:limit]


async def run(rows, style, unwanted) -> dict:
    with FakeClaude(responder=grader) as fake:
        client = anthropic.AsyncAnthropic(api_key="sk-bench", base_url=fake.url, max_retries=0)
        critic = ClaudeCritic(
            client,
            model="claude-sonnet-5-5",
            grader_model="claude-haiku-5-5",
            style=style,
            unwanted=lambda: unwanted,
        )
        requests = [
            (i, b) for i, r in enumerate(rows) for b in split_blocks(r["text"], "plaintext")
        ]
        found = []
        for at in range(0, len(requests), BATCH):
            chunk = requests[at : at + BATCH]
            batch = [CritiqueRequest(b, DocumentContext(title="dev")) for _, b in chunk]
            for (i, b), fs in zip(chunk, await critic.critique(batch), strict=True):
                found += [(i, f.shifted(b.start)) for f in fs]
        await client.close()
    usage = critic.usage
    cost = sum(r.cost_usd for r in critic.records)
    shown = [(i, f) for i, f in found if f.confidence >= 0.5]
    hits = sum(
        any(s["start"] < f.end and f.start < s["end"] for s in rows[i]["spans"]) for i, f in shown
    )
    return {
        "requests": len(critic.records),
        **usage.as_dict(),
        "cost_usd": round(cost, 4),
        "shown": len(shown),
        "precision": round(hits / len(shown), 3) if shown else None,
        "found": found,
    }


def false_positives(rows, found) -> list[Unwanted]:
    out = []
    for i, f in found:
        if not any(s["start"] < f.end and f.start < s["end"] for s in rows[i]["spans"]):
            out.append(Unwanted(f.category, f.quote, context_of(rows[i]["text"], f.start, f.end)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=400)
    args = parser.parse_args()
    rows = passages(args.limit)
    first, second = rows[: len(rows) // 2], rows[len(rows) // 2 :]
    style, warning = load_style_guide(ROOT / "examples/team", "docs/STYLE.md")
    assert style is not None, warning
    unwanted = false_positives(first, asyncio.run(run(first, None, []))["found"])[:40]
    print(f"{len(second)} passages measured; {len(unwanted)} turned-down examples")
    print(
        f"{'run':<18}{'req':>5}{'input':>9}{'write':>9}{'read':>10}{'output':>8}"
        f"{'cost $':>9}{'shown':>7}{'prec':>7}"
    )
    for name, s, u in (
        ("plain", None, []),
        ("style", style, []),
        ("examples", None, unwanted),
        ("style+examples", style, unwanted),
    ):
        r = asyncio.run(run(second, s, u))
        print(
            f"{name:<18}{r['requests']:>5}{r['input_tokens']:>9}{r['cache_write_tokens']:>9}"
            f"{r['cache_read_tokens']:>10}{r['output_tokens']:>8}{r['cost_usd']:>9.4f}"
            f"{r['shown']:>7}{r['precision']!s:>7}"
        )


if __name__ == "__main__":
    main()
