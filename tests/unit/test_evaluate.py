"""Tests for `nudge eval`: metric maths, sweep, calibration, reports and dataset checks."""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
from pathlib import Path

import pytest

from nudge import evaluate
from nudge.evaluate import (
    CriticUnavailable,
    DatasetError,
    Outcome,
    Passage,
    Span,
    calibration,
    errors,
    load_dataset,
    passage_findings,
    score,
    summarize,
    sweep,
)
from nudge.model import Finding
from nudge.report import render_html, render_table
from nudge.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def finding(start: int, end: int, category: str = "cliche", confidence: float = 0.9) -> Finding:
    return Finding(start, end, "", category, "", None, confidence, "test")


def passage(spans=(), negatives=(), text="x" * 100) -> Passage:
    return Passage("p", "memo", "plaintext", text, tuple(Span(*s) for s in spans),
                   tuple(Span(s, e, r) for s, e, r in negatives))  # fmt: skip


# (gold spans, findings, expected precision, recall, exact_precision, exact_recall)
CASES = [
    ([], [], 0.0, 0.0, 0.0, 0.0),
    ([(0, 5, "cliche")], [(0, 5)], 1.0, 1.0, 1.0, 1.0),
    ([(0, 5, "cliche")], [(3, 9)], 1.0, 1.0, 0.0, 0.0),
    ([(0, 5, "cliche")], [(5, 9)], 0.0, 0.0, 0.0, 0.0),  # touching is not overlapping
    ([(0, 5, "cliche")], [(20, 25)], 0.0, 0.0, 0.0, 0.0),
    ([(0, 5, "cliche"), (10, 15, "cliche")], [(0, 5)], 1.0, 0.5, 1.0, 0.5),
    ([(0, 5, "cliche")], [(0, 2), (3, 5)], 1.0, 1.0, 0.0, 0.0),  # two findings, one span
    ([(0, 20, "cliche")], [(0, 20), (30, 40)], 0.5, 1.0, 0.5, 1.0),
    ([(0, 5, "wordiness")], [(0, 5)], 0.0, 0.0, 0.0, 0.0),  # wrong category
]


@pytest.mark.parametrize(("gold", "found", "p", "r", "ep", "er"), CASES)
def test_cliche_metrics(gold, found, p, r, ep, er):
    s = score([passage(gold)], [[finding(a, b) for a, b in found]])["categories"]["cliche"]
    assert (s["precision"], s["recall"], s["exact_precision"], s["exact_recall"]) == (p, r, ep, er)
    expected_f1 = round(2 * p * r / (p + r), 4) if p + r else 0.0
    assert s["f1"] == expected_f1


def test_overall_is_micro_average_over_categories():
    p = passage([(0, 5, "cliche"), (10, 15, "wordiness")])
    s = score([p], [[finding(0, 5), finding(10, 15, "redundancy")]])["all"]
    assert (s["findings"], s["matched"], s["gold"], s["found"]) == (2, 1, 2, 1)


@pytest.mark.parametrize(
    ("findings", "flagged"),
    [([], 0), ([(40, 45)], 0), ([(50, 52)], 1), ([(48, 51, "wordiness")], 1), ([(52, 62)], 2)],
)
def test_negative_false_positive_rate_counts_any_category(findings, flagged):
    p = passage(negatives=[(50, 55, "literal"), (60, 65, "dialogue")])
    neg = score([p], [[finding(*f) for f in findings]])["negatives"]
    assert (neg["total"], neg["flagged"], neg["fp_rate"]) == (2, flagged, flagged / 2)


def test_sweep_and_calibration_follow_confidences():
    p = passage([(0, 5, "cliche"), (10, 15, "cliche")])
    found = [[finding(0, 5, confidence=0.9), finding(10, 15, confidence=0.3),
              finding(30, 35, confidence=0.32), finding(40, 45, confidence=0.95)]]  # fmt: skip
    rows = {row["threshold"]: row["categories"]["cliche"] for row in sweep([p], found)}
    assert len(rows) == 20 and min(rows) == 0.0 and max(rows) == 0.95
    assert (rows[0.0]["precision"], rows[0.0]["recall"]) == (0.5, 1.0)
    assert (rows[0.35]["precision"], rows[0.35]["recall"]) == (0.5, 0.5)
    assert (rows[0.95]["precision"], rows[0.95]["findings"]) == (0.0, 1)
    bins = {b["lo"]: b for b in calibration([p], found)["bins"]}
    assert (bins[0.3]["count"], bins[0.3]["precision"]) == (2, 0.5)
    assert (bins[0.9]["count"], bins[0.9]["precision"]) == (2, 0.5)
    assert bins[0.5]["count"] == 0 and bins[0.5]["precision"] is None


def test_errors_name_misses_false_positives_and_flagged_negatives():
    text = "We must think outside the box, said the cat."
    p = Passage("p1", "memo", "plaintext", text, (Span(8, 29, "cliche"),),
                (Span(36, 44, "literal"),))  # fmt: skip
    found = [finding(0, 2), finding(8, 13, "wordiness"), finding(40, 43, "wordiness")]
    rows = errors([p], [found])
    assert [(r["kind"], r["quote"]) for r in rows] == [
        ("missed", "think outside the box"),
        ("false_positive", "We"),
        ("wrong_category", "think"),
        ("false_positive", "cat"),
        ("flagged_negative", "the cat."),
    ]


class FakeCritic:
    """Flags every 'x' as a cliché with a known confidence."""

    def __call__(self, text: str, language: str) -> list[Finding]:
        return [finding(m.start(), m.end(), confidence=0.7) for m in re.finditer("x", text)]


def test_summary_report_and_html_are_self_contained():
    passages = [passage([(0, 1, "cliche")], [(5, 6, "name")], text="x....x"), passage(text="")]
    critic = FakeCritic()
    raw = [critic(p.text, p.language) for p in passages]
    outcome = Outcome(passages, raw, raw)
    summary = summarize(outcome, {"dataset": "tiny<1>.jsonl", "critic": "fake"})
    json.dumps(summary)
    assert summary["categories"]["cliche"]["precision"] == 0.5
    assert summary["negatives"]["flagged"] == 1
    table = render_table(summary)
    assert "cliche" in table and "hard negatives flagged: 1/1" in table
    html = render_html(summary)
    assert "<svg" in html and "polyline" in html and "tiny&lt;1&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "<script" not in html and "http" not in html


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "Expecting value"),
        (
            '{"id": "a", "text": "abc", "spans": [{"start": 2, "end": 9, "label": "cliche"}]}',
            "bad offsets 2..9",
        ),
        (
            '{"id": "a", "text": "abc", "spans": [{"start": 0, "end": 1, "label": "style"}]}',
            "unknown label 'style'",
        ),
        ('{"id": "a", "text": "abc", "negative_spans": [{"start": 1, "end": 1}]}', "bad offsets"),
        ('{"id": "ok", "text": "abc"}', "duplicate id"),
        ('{"id": 3, "text": "abc"}', '"id" and "text" must be strings'),
    ],
)
def test_dataset_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "text": "abc"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=re.escape(message)) as info:
        load_dataset(path)
    assert f"{path}:2:" in str(info.value)


@pytest.mark.parametrize("name", ["claude", "merged"])
def test_claude_critics_need_a_key(name, tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path))
    with pytest.raises(CriticUnavailable, match="ANTHROPIC_API_KEY"):
        passage_findings([passage(text="We think outside the box.")], name, Settings(), env={})


def test_unknown_critic_is_refused():
    with pytest.raises(CriticUnavailable, match="unknown critic"):
        passage_findings([], "vale", Settings())


def test_run_reports_a_bad_dataset_with_exit_status_2(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    assert evaluate.run(parser.parse_args([str(path)])) == 2
    assert "bad.jsonl:1:" in capsys.readouterr().err


def _builder():
    spec = importlib.util.spec_from_file_location("evals_build", ROOT / "evals" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_built_datasets_are_current_and_valid():
    build = _builder()
    splits = build.build()
    for name, passages in splits.items():
        path = ROOT / "evals" / f"{name}.jsonl"
        assert path.read_text(encoding="utf-8") == build.render(passages), "run evals/build.py"
        assert len(load_dataset(path)) == len(passages)
    assert sum(len(p) for p in splits.values()) >= 300
    assert sum(len(s["spans"]) for p in splits.values() for s in p) >= 600


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("@passage\nA [[b|c|style]] d", "unknown label"),
        ("@passage\nA [[b|c|clarity]] d", "clarity needs one subtype"),
        ("@passage\nA [[ b|c|cliche]] d", "padded span"),
        ("@passage\nA [[b|b|cliche]] d", "replacement equals"),
        ("@passage\nA {{b|because}} d", "negative needs quote|reason"),
        ("@passage\nA [[b|c|cliche]] [[d", "stray"),
        ("stray text", "before the first @passage"),
    ],
)
def test_builder_rejects_bad_markup(tmp_path, source, message):
    build = _builder()
    path = tmp_path / "memo.txt"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(build.SourceError, match=re.escape(message)):
        build.read_source(path)


def test_builder_lint_counts_labels_and_names_bad_lines(tmp_path, capsys):
    build = _builder()
    good = tmp_path / "memo.txt"
    good.write_text("@passage\nA [[b|c|cliche]] {{d|name}}.\n@passage\n", encoding="utf-8")
    bad = tmp_path / "email.txt"
    bad.write_text("@passage\nok\n@passage\nA [[b|c|style]] d", encoding="utf-8")
    assert build.main(["--lint", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "memo.txt: 2 passages; cliche 1; negatives 1" in captured.out
    assert "email.txt:3: unknown label 'style'" in captured.err


def test_builder_offsets_are_code_points():
    build = _builder()
    text, spans, negatives = build.parse_markup(
        "😀 日本 [[in order to|to|wordiness]] {{x|code}}", "t"
    )
    assert text[spans[0]["start"] : spans[0]["end"]] == "in order to"
    assert text[negatives[0]["start"] : negatives[0]["end"]] == "x"
