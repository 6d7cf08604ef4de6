"""A scripted editing session: three writers, pooled telemetry, and `nudge tune` on it.

Each writer opens passages of `evals/dev.jsonl` in a real `Session` (local critic and
terms, real outcome tracking, real telemetry files in a temporary state folder). Claude
is simulated with the labels, since no key is used: a labelled span becomes a Claude
finding with a confidence drawn from 0.35..1.0, a negative span (an idiom used
literally) one drawn from 0.0..0.8. The writer then acts: a suggestion on a labelled
span is accepted (its quick fix applied, as one replace or as delete then insert) with
a chance that grows with its confidence, anything else is dismissed half the time, and
the rest stay shown until the document closes. Each writer's file is exported with
`nudge stats --export`, and `nudge tune` runs on the pooled copies.

    .venv/bin/python benchmarks/scripted_team.py [--out DIR] [--passages 200]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import _state  # noqa: F401  (a temporary NUDGE_CACHE_DIR, never the user's state)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from nudge.cli import main as nudge  # noqa: E402
from nudge.model import Finding  # noqa: E402
from nudge.session import Session  # noqa: E402
from nudge.telemetry import Telemetry  # noqa: E402


def claude_findings(text: str, row: dict, rng: random.Random) -> list[Finding]:
    out = []
    for span, real in [(s, True) for s in row["spans"]] + [
        (s, False) for s in row.get("negative_spans", [])
    ]:
        quote = text[span["start"] : span["end"]]
        confidence = rng.uniform(0.35, 1.0) if real else rng.uniform(0.0, 0.8)
        category = (
            span.get("label")
            if span.get("label") in ("cliche", "wordiness", "clarity", "redundancy")
            else "cliche"
        )
        out.append(
            Finding(
                span["start"],
                span["end"],
                quote,
                category,
                "Simulated.",
                span.get("replacement") or "",
                round(confidence, 3),
                f"claude:{category}",
                "claude",
            )
        )
    return out


def act(session: Session, uri: str, labelled, rng: random.Random, version: int) -> int:
    for f in sorted(session.findings(uri), key=lambda f: -f.start):
        doc = session.documents[uri]
        real = any(s < f.end and f.start < e for s, e in labelled)
        if real and f.replacement is not None and rng.random() < 0.25 + 0.7 * f.confidence:
            (sl, sc), (el, ec) = doc.mapper.position(f.start), doc.mapper.position(f.end)
            if rng.random() < 0.5:
                edits = [((sl, sc, el, ec), f.replacement)]
            else:
                edits = [((sl, sc, el, ec), ""), ((sl, sc, sl, sc), f.replacement)]
            version += 1
            session.change(uri, edits, version)
        elif not real and rng.random() < 0.5:
            session.dismiss(uri, f)
    return version


def writer(name: str, rows: list[dict], state: Path, seed: int) -> Path:
    rng = random.Random(seed)
    path = state / f"{name}.jsonl"
    session = Session(None, state / name, telemetry=Telemetry(path))
    session.claude_identity = {"model": "claude-sonnet-5-5", "prompt": "critique@3+grade@2"}
    for i, row in enumerate(rows):
        uri = f"file:///ws/{name}/{i}.md"
        text = row["text"]
        session.open(uri, text, "plaintext", 1)
        block = session.documents[uri].blocks()
        if len(block) == 1:  # one paragraph: offsets are the block's
            session.set_remote_findings(uri, block[0].hash, claude_findings(text, row, rng))
        session.note_shown(uri, session.findings(uri))
        labelled = [(s["start"], s["end"]) for s in row["spans"]]
        act(session, uri, labelled, rng, 1)
        session.note_shown(uri, session.findings(uri))
        session.close(uri)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="keep the pooled files here")
    parser.add_argument("--passages", type=int, default=200, help="passages per writer")
    args = parser.parse_args()
    rows = [json.loads(line) for line in (ROOT / "evals/dev.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r.get("text")]
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        out = args.out or state / "pool"
        out.mkdir(parents=True, exist_ok=True)
        pooled = []
        for n, name in enumerate(("ann", "bo", "cy")):
            chunk = rows[n * args.passages : (n + 1) * args.passages]
            raw = writer(name, chunk, state, seed=n)
            pooled.append(str(out / f"{name}.jsonl"))
            nudge(["stats", str(raw), "--export", pooled[-1]])
        print("$ nudge stats", " ".join(Path(p).name for p in pooled))
        nudge(["stats", *pooled])
        print("$ nudge tune", " ".join(Path(p).name for p in pooled), "--target-acceptance 0.6")
        nudge(["tune", *pooled, "--target-acceptance", "0.6"])


if __name__ == "__main__":
    main()
