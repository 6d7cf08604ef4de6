"""nudge tune recovers known thresholds; --write keeps other bytes; the export is clean."""

from __future__ import annotations

import json
import random

import pytest

from nudge.cli import main
from nudge.settings import load_settings
from nudge.tune import backtest, outcomes, threshold_for_density, tune, write_thresholds


def history(curve, n=6000, seed=7, category="clarity", critic="claude"):
    rng = random.Random(seed)
    events = []
    for _ in range(n):
        c = rng.random()
        fate = "accepted" if rng.random() < curve(c) else rng.choice(["dismissed", "closed"])
        events.append({"event": fate, "category": category, "critic": critic,
                       "confidence": round(c, 3), "rule": "r"})  # fmt: skip
    return events


@pytest.mark.parametrize(
    ("curve", "target", "expected"),
    [
        (lambda c: c, 0.6, 0.2),  # mean of c over [t, 1] = (1 + t) / 2
        (lambda c: c * c, 0.6, (-1 + 4.2**0.5) / 2),  # (1 + t + t^2) / 3
        # a step: (0.3 * 0.9 + (0.7 - t) * 0.1) / (1 - t) = 0.8 at t = 0.46 / 0.7
        (lambda c: 0.9 if c > 0.7 else 0.1, 0.8, 0.46 / 0.7),
    ],
)
def test_the_threshold_that_meets_the_target_is_recovered(curve, target, expected):
    report = tune(history(curve), target=target)
    assert report["categories"]["clarity"]["threshold"] == pytest.approx(expected, abs=0.05)


def test_withdrawn_and_older_events_without_confidence_are_left_out():
    rows = outcomes([{"event": "withdrawn", "confidence": 0.9}, {"event": "accepted"},
                     {"event": "accepted", "confidence": 0.9, "category": "cliche"}])  # fmt: skip
    assert [(r.category, r.accepted) for r in rows] == [("cliche", True)]


def test_backtest_counts_what_is_hidden_and_what_accepted_is_lost():
    rows = outcomes([{"event": "accepted", "confidence": 0.3}, {"event": "accepted",
                     "confidence": 0.9}, {"event": "dismissed", "confidence": 0.2},
                     {"event": "dismissed", "confidence": 0.95}])  # fmt: skip
    assert backtest(rows, 0.5) == {"fewer_shown": 0.5, "accepted_lost": 0.5}


def test_density_target_per_1000_words():
    rows = outcomes([{"event": "closed", "confidence": i / 100} for i in range(100)])
    # 100 suggestions over 10,000 words is 10 per 1000; at most 4 leaves 40, from 0.60.
    assert threshold_for_density(rows, 10_000, 4) == 0.6


TEAM = """# Acme's Nudge settings: keep this comment.
min_confidence   = 0.5     # aligned on purpose

style_guide = "docs/STYLE.md"

[terms]
# preferred = avoid
"sign in" = ["log in", "login"]
"""


@pytest.mark.parametrize(
    ("before", "set_line"),
    [
        (TEAM, "category_min_confidence = {clarity = 0.8, cliche = 0.35}\n"),
        (TEAM + "\n[category_min_confidence]\nclarity = 0.5 # hand-set\n", None),
        ("[nudge]\n# inside a table\nmin_confidence = 0.4\n", None),
    ],
)
def test_write_keeps_every_byte_outside_the_keys_it_sets(tmp_path, before, set_line):
    (tmp_path / ".nudge.toml").write_text(before)
    write_thresholds(tmp_path, {"clarity": 0.8, "cliche": 0.35})
    after = (tmp_path / ".nudge.toml").read_text()
    settings, problems = load_settings(tmp_path)
    assert problems == [] and settings.category_min_confidence["clarity"] == 0.8
    assert settings.category_min_confidence["cliche"] == 0.35
    kept = [line for line in after.splitlines(keepends=True)
            if "clarity" not in line and "cliche" not in line
            and not line.startswith("category_min_confidence")]  # fmt: skip
    original = [line for line in before.splitlines(keepends=True)
                if "clarity" not in line]  # fmt: skip
    assert "".join(kept).strip("\n") == "".join(original).strip("\n")
    if set_line:
        assert set_line in after


def test_tune_command_pools_files_writes_html_and_team_file(tmp_path, capsys):
    files = []
    for seed in (1, 2):
        path = tmp_path / f"writer{seed}.jsonl"
        rows = [*history(lambda c: c, n=1500, seed=seed), {"event": "opened", "words": 5000}]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        files.append(str(path))
    (tmp_path / ".nudge.toml").write_text(TEAM)
    page = tmp_path / "tune.html"
    code = main(["tune", *files, "--target-acceptance", "0.6", "--html", str(page),
                 "--write", "--root", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "words in documents opened: 10,000" in out
    assert "fewer suggestions shown" in out and "of accepted ones lost" in out
    assert page.read_text().startswith("<!doctype html>") and "<svg" in page.read_text()
    assert "<script" not in page.read_text()
    assert "clarity" in load_settings(tmp_path)[0].category_min_confidence


def test_export_keeps_no_text_and_no_paths(tmp_path, capsys):
    source = tmp_path / "telemetry.jsonl"
    rows = [
        {"ts": 1700001234.5, "event": "accepted", "category": "cliche", "rule": "cliche:x",
         "critic": "local", "confidence": 0.9, "shown_ms": 1200},
        {"ts": 1700001234.5, "event": "dismissed", "rule": "/home/ann/secret plan.md",
         "quote": "the secret words", "category": "clarity"},
        {"event": "made-up", "category": "x"},
    ]  # fmt: skip
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "pool.jsonl"
    assert main(["stats", str(source), "--export", str(out)]) == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["event"] for e in exported] == ["accepted", "dismissed"]
    text = out.read_text()
    assert "secret" not in text and "/home" not in text
    assert exported[0]["ts"] % 3600 == 0 and exported[0]["rule"] == "cliche:x"
    assert main(["stats", str(out), str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert summary["categories"]["cliche"]["accepted"] == 2
