"""`nudge check` through its console entry: outputs, exit statuses and folder walks."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nudge.cli import main

ROOT = Path(__file__).resolve().parents[2]
# One finding per kind of line: a cliché after a non-BMP character, a deletion, a
# finding without a safe rewrite, and a clarity finding.
DOC = "😀 At the end of the day we left.\nBasically, we made a request.\nIt was kinda late.\n"
EXPECTED = [  # (line, column in code points, category, rule, replacement)
    (1, 3, "cliche", "cliche:at-the-end-of-the-day", "Ultimately"),
    (2, 1, "wordiness", "wordy:basically", ""),
    (2, 15, "wordiness", "nominal:make-a-request", None),
    (3, 8, "clarity", "vague:kinda", None),
]
TEXT_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<category>\w+): (?P<rest>.*)$"
)


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


def _check(capsys, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    try:
        status = main(["check", "--root", str(tmp_path), *args])
    except SystemExit as exit_:  # what the console script does with it
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def _readme_json_fields() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### JSON output (stable)", 1)[1].split("\n## ", 1)[0]
    return [f for row in re.findall(r"^\| `([^|]+)` \|", section, re.M) for f in row.split("`, `")]


def test_text_output_is_one_linter_line_per_finding(capsys, tmp_path):
    _write(tmp_path, {"doc.md": DOC})
    status, out, err = _check(capsys, tmp_path, "doc.md")
    assert (status, err) == (1, "")
    lines = [TEXT_LINE.match(line) for line in out.splitlines()]
    assert all(lines), out
    got = [(int(m["line"]), int(m["col"]), m["category"], m["rest"]) for m in lines]
    assert [g[:3] for g in got] == [e[:3] for e in EXPECTED]
    assert {m["path"] for m in lines} == {"doc.md"}
    for (*_, rest), (*_, replacement) in zip(got, EXPECTED, strict=True):
        if replacement is None:
            assert "(→" not in rest
        else:
            assert rest.endswith(f" (→ {replacement or '(delete)'})")


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("Intro.\r\nAt the end of the day we left.", 2, 1),
        ("\ufeffAt the end of the day we left.", 1, 1),
        ("中文 at the end of the day.", 1, 4),
        ("a\tb 𝒜𝒜 at the end of the day.", 1, 8),
    ],
)
def test_text_columns_count_characters(capsys, tmp_path, text, line, col):
    _write(tmp_path, {"doc.txt": text})
    _, out, _ = _check(capsys, tmp_path, "doc.txt")
    match = TEXT_LINE.match(out.splitlines()[0])
    assert match and (int(match["line"]), int(match["col"])) == (line, col)


def test_json_output_has_the_documented_fields(capsys, tmp_path):
    _write(tmp_path, {"doc.md": DOC})
    status, out, _ = _check(capsys, tmp_path, "--format", "json", "doc.md")
    items = json.loads(out)
    assert status == 1
    assert [list(item) for item in items] == [_readme_json_fields()] * len(EXPECTED)
    for item, (_line, _col, category, rule, replacement) in zip(items, EXPECTED, strict=True):
        assert item["path"] == "doc.md"
        assert (item["category"], item["rule"], item["replacement"]) == (
            category,
            rule,
            replacement,
        )
        assert DOC[item["start"] : item["end"]] == item["quote"]
        assert 0 <= item["confidence"] <= 1
        assert item["critic"] == "local"
        assert item["message"]
    first = items[0]
    assert first["range"] == {
        "start": {"line": 0, "character": 3},  # 😀 is two UTF-16 code units
        "end": {"line": 0, "character": 24},
    }
    assert [i["severity"] for i in items] == ["information"] * 4  # clarity too, by default


def test_json_offsets_start_after_a_bom(capsys, tmp_path):
    _write(tmp_path, {"doc.md": "\ufeffAt the end of the day."})
    _, out, _ = _check(capsys, tmp_path, "--format", "json", "doc.md")
    (item,) = json.loads(out)
    assert (item["start"], item["end"], item["quote"]) == (0, 21, "At the end of the day")


def test_json_severity_follows_settings(capsys, tmp_path):
    _write(tmp_path, {"doc.md": DOC, ".nudge.toml": '[severity]\ncliche = "error"\n'})
    _, out, _ = _check(capsys, tmp_path, "--format", "json", "doc.md")
    assert json.loads(out)[0]["severity"] == "error"


def test_json_of_nothing_is_an_empty_list(capsys, tmp_path):
    _write(tmp_path, {"doc.md": "Plain words here."})
    assert _check(capsys, tmp_path, "--format", "json", "doc.md")[:2] == (0, "[]\n")


def test_sarif_output(capsys, tmp_path):
    _write(tmp_path, {"doc.md": DOC, ".nudge.toml": '[severity]\ncliche = "warning"\n'})
    status, out, _ = _check(capsys, tmp_path, "--format", "sarif", "doc.md")
    log = json.loads(out)
    assert status == 1
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "nudge"
    assert run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    assert [r["ruleId"] for r in results] == [e[3] for e in EXPECTED]
    assert [r["level"] for r in results] == ["warning", "note", "note", "note"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 3, "endLine": 1, "endColumn": 24}
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "doc.md"
    props = [r["properties"] for r in results]
    assert [p["replacement"] for p in props] == [e[4] for e in EXPECTED]
    assert [p["category"] for p in props] == [e[2] for e in EXPECTED]


def test_sarif_of_nothing_has_no_results(capsys, tmp_path):
    _write(tmp_path, {"doc.md": "Plain words here."})
    status, out, _ = _check(capsys, tmp_path, "--format", "sarif", "doc.md")
    assert status == 0
    assert json.loads(out)["runs"][0]["results"] == []


CLEAN = "Plain words here."
HINT_ONLY = "It was kinda late."
HINT_CLARITY = '[severity]\nclarity = "hint"\n'


@pytest.mark.parametrize(
    ("files", "args", "status", "stderr"),
    [
        ({"a.md": CLEAN}, ["a.md"], 0, ""),
        ({"a.md": DOC}, ["a.md"], 1, ""),
        ({"a.md": b"PK\x03\x04\x00\x00binary"}, ["a.md"], 2, "a.md: error: binary file"),
        ({"a.md": b"caf\xe9 au lait"}, ["a.md"], 2, "a.md: error: not UTF-8 (invalid byte 0xe9"),
        ({}, ["gone.md"], 2, "gone.md: error: no such file or folder"),
        (
            {"a.md": DOC, ".nudge.toml": "max_document_size = 10\n"},
            ["a.md"],
            2,
            f"a.md: error: {len(DOC)} characters is over maxDocumentSize",
        ),
        ({"a.md": DOC}, ["--fail-level", "none", "a.md"], 0, ""),
        ({"a.md": DOC}, ["--fail-level", "information", "a.md"], 1, ""),
        ({"a.md": DOC}, ["--fail-level", "warning", "a.md"], 0, ""),
        ({"a.md": HINT_ONLY, ".nudge.toml": HINT_CLARITY}, ["--fail-level", "hint", "a.md"], 1, ""),
        (
            {"a.md": HINT_ONLY, ".nudge.toml": HINT_CLARITY},
            ["--fail-level", "information", "a.md"],
            0,
            "",
        ),
        (
            {"a.md": DOC, ".nudge.toml": '[severity]\ncliche = "warning"\n'},
            ["--fail-level", "warning", "a.md"],
            1,
            "",
        ),
        (
            {"a.md": DOC, ".nudge.toml": '[severity]\ncliche = "warning"\n'},
            ["--fail-level", "error", "a.md"],
            0,
            "",
        ),
        ({"a.md": DOC}, ["--min-confidence", "1", "a.md"], 0, ""),
        ({"a.md": DOC}, ["--min-confidence", "1.5", "a.md"], 2, "--min-confidence must be"),
        ({"a.md": DOC}, ["--critic", "claude", "a.md"], 2, "needs Claude: set ANTHROPIC_API_KEY"),
        ({"a.md": DOC, "b.md": b"\x00"}, ["--fail-level", "none", "a.md", "b.md"], 2, "b.md"),
    ],
    ids=[
        "clean",
        "findings",
        "binary",
        "not-utf8",
        "missing",
        "over-max-document-size",
        "fail-none",
        "fail-information",
        "fail-warning-below",
        "fail-hint-hint",
        "fail-information-hint-only",
        "fail-warning-from-settings",
        "fail-error-above",
        "min-confidence-hides-all",
        "min-confidence-out-of-range",
        "claude-without-key",
        "unreadable-wins-over-fail-level",
    ],
)
def test_exit_status(capsys, tmp_path, files, args, status, stderr):
    _write(tmp_path, files)
    got, _, err = _check(capsys, tmp_path, *args)
    assert got == status
    if stderr:
        assert stderr in err
    else:
        assert err == ""


def test_unreadable_files_do_not_stop_the_others(capsys, tmp_path):
    _write(tmp_path, {"a.md": b"\xff\xfe", "b.md": DOC, "c.md": b"\x00"})
    status, out, err = _check(capsys, tmp_path, "a.md", "b.md", "c.md", "d.md")
    assert status == 2
    assert {m["path"] for m in map(TEXT_LINE.match, out.splitlines())} == {"b.md"}
    assert [line.split(":")[0] for line in err.splitlines()] == ["a.md", "c.md", "d.md"]


FOLDER = {
    "docs/a.md": DOC,
    "docs/b.rst": DOC,
    "docs/c.tex": DOC,
    "docs/d.txt": DOC,
    "docs/e.mdx": DOC,
    "docs/CHANGELOG.md": DOC,
    "docs/vendor/v.md": DOC,
    "docs/deep/vendor/w.md": DOC,
    "docs/.hidden/h.md": DOC,
    "docs/node_modules/n.md": DOC,
    "docs/code.py": DOC,
    "docs/data.json": DOC,
    "docs/sub/f.markdown": DOC,
    ".nudge.toml": 'exclude = ["CHANGELOG.md", "docs/vendor/**"]\n',
}


def _paths(out: str) -> set[str]:
    return {Path(item["path"]).as_posix() for item in json.loads(out)}


def test_folders_yield_prose_files_and_skip_excluded_ones(capsys, tmp_path):
    _write(tmp_path, FOLDER)
    status, out, err = _check(capsys, tmp_path, "--format", "json", "docs")
    assert (status, err) == (1, "")
    assert _paths(out) == {
        "docs/a.md",
        "docs/b.rst",
        "docs/c.tex",
        "docs/d.txt",
        "docs/e.mdx",
        "docs/deep/vendor/w.md",
        "docs/sub/f.markdown",
    }


def test_a_folder_of_excluded_files_exits_zero(capsys, tmp_path):
    _write(tmp_path, {"docs/CHANGELOG.md": DOC, ".nudge.toml": 'exclude = ["*.md"]\n'})
    assert _check(capsys, tmp_path, "--format", "json", "docs")[:2] == (0, "[]\n")


def test_excluded_files_are_skipped_even_when_named(capsys, tmp_path):
    _write(tmp_path, FOLDER)
    status, out, _ = _check(capsys, tmp_path, "--format", "json", "docs/CHANGELOG.md", "docs/a.md")
    assert status == 1
    assert _paths(out) == {"docs/a.md"}


def test_language_option_overrides_the_extension(capsys, tmp_path):
    _write(tmp_path, {"notes.txt": "```\nAt the end of the day\n```\n"})
    assert _check(capsys, tmp_path, "notes.txt")[0] == 1
    assert _check(capsys, tmp_path, "--language", "markdown", "notes.txt")[0] == 0


def test_console_entry_runs_check(tmp_path):
    _write(tmp_path, {"doc.md": DOC, "bad.md": b"\x00"})
    env = {"NUDGE_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "nudge", "check", "--format", "json", "doc.md", "bad.md"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert [item["rule"] for item in json.loads(done.stdout)] == [e[3] for e in EXPECTED]
    assert done.stderr.startswith("bad.md: error: binary file")
