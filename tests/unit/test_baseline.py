"""Baselines: fingerprints by rule, quote and context; `nudge check --baseline`."""

import json

import pytest

from nudge.baseline import drop_accepted, entries, read_baseline, write_baseline
from nudge.check import FileReport
from nudge.cli import build_parser
from nudge.model import Finding

TEXT = "Intro line.\n\nWe write tests in order to sleep well at night.\n"


def report(text, *quotes, path="docs/a.md"):
    found = []
    for quote in quotes:
        at = text.index(quote)
        found.append(Finding(at, at + len(quote), quote, "wordiness", "m", "to", 0.9, "w:x"))
    return FileReport(path, text, tuple(found), language="markdown")


def test_a_finding_moved_to_another_line_is_still_accepted(tmp_path):
    base = entries([report(TEXT, "in order to")], tmp_path)
    moved = report("New first line.\n\n" + TEXT, "in order to")
    assert drop_accepted([moved], base, tmp_path) == 1 and moved.findings == ()


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("Totally different words here, in order to sleep.\n", 1),  # other context
        (TEXT + "\nAnd in order to wake up early we set alarms.\n", 1),  # a second copy
        (TEXT.replace("at night", "at nights"), 0),  # a small edit nearby
    ],
)
def test_new_findings_are_those_the_baseline_does_not_hold(tmp_path, text, new):
    base = entries([report(TEXT, "in order to")], tmp_path)
    quotes = ["in order to"] * text.count("in order to")
    current = FileReport("docs/a.md", text, language="markdown")
    at, found = 0, []
    for quote in quotes:
        at = text.index(quote, at)
        found.append(Finding(at, at + len(quote), quote, "wordiness", "m", "to", 0.9, "w:x"))
        at += 1
    current.findings = tuple(found)
    drop_accepted([current], base, tmp_path)
    assert len(current.findings) == new


def test_another_rule_or_file_is_new(tmp_path):
    base = entries([report(TEXT, "in order to")], tmp_path)
    other = report(TEXT, "in order to", path="docs/b.md")
    assert drop_accepted([other], base, tmp_path) == 0


def test_the_file_is_sorted_json_and_read_back(tmp_path):
    path = tmp_path / "baseline.json"
    assert write_baseline(path, [report(TEXT, "in order to", "sleep well")], tmp_path) == 2
    data = json.loads(path.read_text())
    assert data["format"] == "nudge-baseline/1"
    assert [e["quote"] for e in data["findings"]] == ["in order to", "sleep well"]
    assert not {"line", "start", "range"} & set(data["findings"][0])
    assert read_baseline(path) == data["findings"]
    path.write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a Nudge baseline"):
        read_baseline(path)


def check(*argv):
    args = build_parser().parse_args(["check", *argv])
    return args.func(args)


def test_check_with_a_baseline_fails_only_on_new_findings(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text(TEXT, encoding="utf-8")
    assert check("a.md", "--write-baseline", "base.json") == 1
    assert check("a.md", "--baseline", "base.json") == 0
    (tmp_path / "a.md").write_text("A new first paragraph.\n\n" + TEXT, encoding="utf-8")
    assert check("a.md", "--baseline", "base.json") == 0
    capsys.readouterr()
    (tmp_path / "a.md").write_text(TEXT + "\nAt the end of the day, it works.\n", encoding="utf-8")
    assert check("a.md", "--baseline", "base.json") == 1
    out = capsys.readouterr().out
    assert "a.md:5:1: cliche" in out and "in order to" not in out
    assert check("a.md", "--baseline", "missing.json") == 2
