"""`nudge check` in CI: SARIF for GitHub code scanning, GitHub annotations, pre-commit,
per-file settings, standard input, `--language` checking, and every command's `--help`."""

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from nudge.cli import main
from nudge.formats import WRITERS, escape_data, escape_property
from nudge.languages import LANGUAGE_IDS, LANGUAGES
from nudge.rules import RULE_KINDS, project_urls
from tests.unit.test_check_cli import _state, _write  # noqa: F401  (_state: autouse fixture, temp state folder and cwd)

ROOT = Path(__file__).resolve().parents[2]
DOC = "😀 At the end of the day we left.\nBasically, we made a request.\nIt was kinda late.\n"
RULES = ["cliche:at-the-end-of-the-day", "wordy:basically", "nominal:make-a-request", "vague:kinda"]
FENCE = "```\nAt the end of the day\n```\n"


def _run(capsys, *args: str, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    try:
        status = main(list(args))
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


# --- SARIF against GitHub's "SARIF support for code scanning" page ------------------------
# docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/
# sarif-support-for-code-scanning, section "Supported SARIF output file properties", read
# from github/docs content/code-security/code-scanning/integrating-with-code-scanning/
# sarif-support-for-code-scanning.md. It says: "You must supply an explicit value for any
# property marked as 'required'. The empty string is not supported for required properties."
REQUIRED = {  # object: properties marked required on that page
    "sarifLog": ["$schema", "version", "runs"],
    "run": ["tool.driver", "results"],
    "toolComponent": ["name", "rules"],
    "reportingDescriptor": ["id", "shortDescription.text", "fullDescription.text", "help.text"],
    "result": ["message.text", "locations"],  # and partialFingerprints: see below
    "location": ["physicalLocation"],
    "physicalLocation": ["artifactLocation.uri", "region.startLine", "region.startColumn",
                         "region.endLine", "region.endColumn"],
}  # fmt: skip
LEVELS = {"note", "warning", "error"}  # "The valid values for defaultConfiguration.level"


def _get(obj: dict, dotted: str):
    for key in dotted.split("."):
        assert isinstance(obj, dict) and key in obj, f"missing {dotted}"
        obj = obj[key]
    return obj


def _present(obj: dict, kind: str) -> None:
    for prop in REQUIRED[kind]:
        value = _get(obj, prop)
        assert value not in ("", None), f"{kind}.{prop} is empty"


def test_sarif_meets_github_code_scanning_requirements(capsys, tmp_path, monkeypatch):
    _write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "docs/my doc.md": DOC,
                      "docs/.nudge.toml": '[severity]\ncliche = "warning"\n'})  # fmt: skip
    monkeypatch.chdir(tmp_path / "docs")  # run from a subfolder: paths stay repository-relative
    status, out, _ = _run(capsys, "check", "--format", "sarif", "my doc.md")
    log = json.loads(out)
    assert status == 1
    _present(log, "sarifLog")
    assert log["version"] == "2.1.0"  # "Code scanning only supports SARIF version 2.1.0"
    (run,) = log["runs"]  # "Each run can only have results for one analysis tool."
    _present(run, "run")
    driver = run["tool"]["driver"]
    _present(driver, "toolComponent")
    assert driver["name"] == "nudge"
    # Nudge has no public address yet: no link is made up (informationUri is optional).
    assert driver.get("informationUri") == project_urls().get("Homepage")
    assert re.fullmatch(r"\d+\.\d+\.\d+", driver["semanticVersion"])  # "Semantic Versioning 2.0"
    rules = driver["rules"]
    for rule in rules:
        _present(rule, "reportingDescriptor")
        assert len(rule["name"]) <= 255  # "Limited to 255 characters."
        assert len(rule["shortDescription"]["text"]) <= 1024  # "Limited to 1024 characters."
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert rule["defaultConfiguration"]["level"] in LEVELS
        assert rule["help"]["text"]  # the page marks help.text required
        assert ("helpUri" in rule) == ("Rules" in project_urls())
    # Every reported rule is described, once, and each result's ruleIndex points at it.
    assert [r["id"] for r in rules] == RULES
    results = run["results"]
    assert [r["ruleId"] for r in results] == RULES
    assert [rules[r["ruleIndex"]]["id"] for r in results] == RULES
    for result in results:
        _present(result, "result")
        assert 1 <= len(result["locations"]) <= 10  # "up to a maximum of 10"
        _present(result["locations"][0], "location")
        _present(result["locations"][0]["physicalLocation"], "physicalLocation")
        assert result["level"] in LEVELS
        # partialFingerprints is marked required, but the page says the upload-sarif action
        # "will create partialFingerprints for you when they are not included", and code
        # scanning "only uses the primaryLocationLineHash", computed from the file's lines.
        # The README's recipe uploads with that action, so Nudge does not invent one.
        assert "partialFingerprints" not in result
    assert [r["level"] for r in results] == ["warning", "note", "note", "note"]
    # "we recommend that this is a relative path from the root of the GitHub repository",
    # and the page's "Relative URI Guidance" example gives a %SRCROOT% base in
    # originalUriBaseIds, "required to produce a valid SARIF output when using relative URI
    # references".
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "docs/my%20doc.md", "uriBaseId": "%SRCROOT%"}
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == tmp_path.resolve().as_uri() + "/"
    assert Path(unquote(base[len("file://") :]) + "docs/my doc.md").read_text() == DOC
    # endColumn is "the column number of the character following the end of the region".
    assert location["region"] == {"startLine": 1, "startColumn": 3, "endLine": 1, "endColumn": 24}
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_names_a_file_outside_the_source_root_absolutely(capsys, tmp_path, monkeypatch):
    _write(tmp_path, {"repo/.git/HEAD": "x", "elsewhere/doc.md": DOC})
    monkeypatch.chdir(tmp_path / "repo")
    _, out, _ = _run(capsys, "check", "--format", "sarif", "../elsewhere/doc.md")
    location = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    uri = (tmp_path / "elsewhere" / "doc.md").resolve().as_uri()
    assert location["artifactLocation"] == {"uri": uri}


def test_rule_help_links_point_at_documented_sections():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for kind, (_, description) in RULE_KINDS.items():
        assert f'<a id="{kind}"></a>' in doc
        assert description in doc
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"].get("urls", {})
    assert {k: v for k, v in project_urls().items() if k in ("Homepage", "Rules")} == {
        k: v for k, v in urls.items() if k in ("Homepage", "Rules")
    }


def test_rule_links_come_from_the_package_metadata(monkeypatch):
    from nudge import formats, rules

    docs = {"Homepage": "https://docs.example.test", "Rules": "https://docs.example.test/r"}
    monkeypatch.setattr(rules, "project_urls", lambda: docs)
    monkeypatch.setattr(formats, "project_urls", lambda: docs)
    rule = formats.sarif_rule("wordy:in-order-to", "note")
    assert rule["helpUri"] == "https://docs.example.test/r#wordy"
    assert "https://docs.example.test/r#wordy" in rule["help"]["text"]


# --- GitHub Actions workflow commands ----------------------------------------------------
# docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands ("Setting a
# warning message"): `::warning file={name},line={line},endLine={endLine},title={title}::
# {message}`, with col and endColumn as further parameters (data/reusables/actions/
# message-parameters.md). Escaping is what GitHub's actions/toolkit (packages/core/src/
# command.ts) does: data escapes % CR LF; property values also escape : and ,.
ANNOTATION = re.compile(r"^::(?P<command>notice|warning|error) (?P<props>[^:]*)::(?P<message>.*)$")


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100% sure", "100%25 sure", "100%25 sure"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("rule:a,b", "rule:a,b", "rule%3Aa%2Cb"),
        ("%0A", "%250A", "%250A"),  # % first, so a literal escape is not decoded
    ],
)
def test_workflow_command_escaping(text, data, prop):
    assert (escape_data(text), escape_property(text)) == (data, prop)


def test_github_format_prints_one_annotation_per_finding(capsys, tmp_path):
    _write(tmp_path, {"a,b:c.md": DOC, ".nudge.toml": '[severity]\ncliche = "error"\n'})
    status, out, err = _run(capsys, "check", "--format", "github", "a,b:c.md")
    assert (status, err) == (1, "")
    lines = [ANNOTATION.match(line) for line in out.splitlines()]
    assert all(lines) and len(lines) == len(RULES), out
    first = lines[0]
    assert first["command"] == "error"
    assert first["props"] == (
        "file=a%2Cb%3Ac.md,line=1,col=3,endLine=1,endColumn=23,"
        "title=nudge cliche (cliche%3Aat-the-end-of-the-day)"
    )
    assert first["message"] == (
        "'At the end of the day' is a cliché; 'Ultimately' says it plainly. (→ Ultimately)"
    )
    assert [m["command"] for m in lines] == ["error", "notice", "notice", "notice"]


def test_github_annotation_spanning_lines_has_no_columns(capsys, tmp_path):
    _write(tmp_path, {"a.md": "We met at the end\nof the day.\n"})
    _, out, _ = _run(capsys, "check", "--format", "github", "a.md")
    assert out.startswith("::notice file=a.md,line=1,endLine=2,title=nudge cliche"), out


def test_formats_in_help_are_the_writers(capsys):
    _, out, _ = _run(capsys, "check", "--help")
    assert "{" + ",".join(WRITERS) + "}" in out


# --- pre-commit ----------------------------------------------------------------------------
# pre-commit.com "Creating new hooks" (pre-commit/pre-commit.com sections/new-hooks.md): a
# hook repository has .pre-commit-hooks.yaml, a list of hooks with id, name, entry and
# language, and these optional keys.
HOOK_REQUIRED = {"id", "name", "entry", "language"}
HOOK_OPTIONAL = {"files", "exclude", "types", "types_or", "exclude_types", "always_run",
                 "verbose", "pass_filenames", "require_serial", "description",
                 "language_version", "minimum_pre_commit_version", "args", "stages"}  # fmt: skip


def test_pre_commit_manifest_runs_nudge_check_on_prose_files():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert HOOK_REQUIRED <= hook.keys() <= HOOK_REQUIRED | HOOK_OPTIONAL
    assert all(hook[k] for k in HOOK_REQUIRED)
    # language python: "The hook repository must be installable via pip install ."; the
    # entry is the console script that installs.
    assert hook["language"] == "python"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert hook["entry"].split()[:2] == ["nudge", "check"] and "nudge" in scripts
    files = re.compile(hook["files"])
    for language in LANGUAGES:
        for ext in language.extensions:
            assert files.search(f"docs/a{ext}") and files.search(f"A{ext.upper()}"), ext
    for other in ("a.py", "a.json", "a.md.orig", "md", "notes.mdown"):
        assert not files.search(other), other


def _readme_yaml_blocks() -> list:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)]


def test_readme_pre_commit_and_actions_recipes_fit():
    blocks = _readme_yaml_blocks()
    (config,) = [b for b in blocks if "repos" in b]
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["hooks"][0]["id"] == hook["id"]
    (workflow,) = [b for b in blocks if "jobs" in b]
    steps = workflow["jobs"]["nudge"]["steps"]
    assert workflow["permissions"]["security-events"] == "write"
    (sarif,) = [s for s in steps if "--format sarif" in s.get("run", "")]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload")]
    assert "--fail-level none" in sarif["run"]  # findings must not skip the upload
    assert sarif["run"].rstrip().endswith(f"> {upload['with']['sarif_file']}")


# --- --language, per-file settings, standard input ----------------------------------------


def test_language_option_rejects_unknown_ids(capsys, tmp_path):
    _write(tmp_path, {"notes.txt": FENCE})
    status, out, err = _run(capsys, "check", "--language", "mardown", "notes.txt")
    assert (status, out) == (2, "")
    assert "unknown language 'mardown'" in err
    assert all(lang in err for lang in LANGUAGE_IDS)
    assert _run(capsys, "check", "--language", "md", "notes.txt")[0] == 0  # an alias


SETTINGS = {
    ".nudge.toml": '[severity]\ncliche = "warning"\n',
    "a/.nudge.toml": 'exclude = ["skip.md"]\n[severity]\ncliche = "error"\n',
    "a/deep/x.md": "At the end of the day.\n",
    "a/skip.md": "At the end of the day.\n",
    "b/y.md": "At the end of the day.\n",
    "c/z.md": "At the end of the day.\n",
    "c/.nudge.toml": "",  # an empty team file still wins over the one above it
}


def _severities(out: str) -> dict[str, str]:
    return {Path(i["path"]).as_posix(): i["severity"] for i in json.loads(out)}


def test_team_file_is_found_from_each_files_folder(capsys, tmp_path, monkeypatch):
    _write(tmp_path, {**SETTINGS, "elsewhere/keep": ""})
    monkeypatch.chdir(tmp_path / "elsewhere")  # the current folder's team file is the root's
    _, out, _ = _run(capsys, "check", "--format", "json", "../a", "../b/y.md", "../c/z.md")
    assert _severities(out) == {
        "../a/deep/x.md": "error",  # a/.nudge.toml, the nearest
        "../b/y.md": "warning",  # the root's
        "../c/z.md": "information",  # c's empty file: defaults
    }


def test_root_option_forces_one_team_file(capsys, tmp_path):
    _write(tmp_path, SETTINGS)
    _, out, _ = _run(capsys, "check", "--root", str(tmp_path), "--format", "json", "a", "c/z.md")
    assert _severities(out) == {"a/deep/x.md": "warning", "a/skip.md": "warning",
                                "c/z.md": "warning"}  # fmt: skip


def test_standard_input_is_read_with_a_dash(capsys, monkeypatch):
    status, out, _ = _run(capsys, "check", "-", stdin=FENCE.encode(), monkeypatch=monkeypatch)
    assert status == 1  # plain text: the fence is prose
    assert out.startswith("<stdin>:2:1: cliche: ")


def test_stdin_filename_gives_language_settings_and_path(capsys, tmp_path, monkeypatch):
    _write(tmp_path, SETTINGS)
    text = FENCE + "At the end of the day.\n"
    args = ("check", "--format", "json", "--stdin-filename", "a/deep/new.md")
    for argv in ((*args, "-"), args):  # with no path, --stdin-filename reads stdin too
        status, out, _ = _run(capsys, *argv, stdin=text.encode(), monkeypatch=monkeypatch)
        assert status == 1
        (item,) = json.loads(out)  # markdown: the fenced copy is code, not flagged
        assert (item["path"], item["severity"], item["range"]["start"]["line"]) == (
            "a/deep/new.md", "error", 3)  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "stdin", "status", "stderr"),
    [
        (["-"], b"\x00\x01", 2, "<stdin>: error: binary file"),
        (["-", "-"], b"", 2, "- (standard input) can be given once"),
        ([], b"", 2, "give a PATH to check, or - to read standard input"),
        (["--stdin-filename", "a/skip.md"], DOC.encode(), 0, ""),  # excluded there
    ],
)
def test_standard_input_problems(capsys, tmp_path, monkeypatch, argv, stdin, status, stderr):
    _write(tmp_path, SETTINGS)
    got, out, err = _run(capsys, "check", *argv, stdin=stdin, monkeypatch=monkeypatch)
    assert (got, out) == (status, "")
    assert stderr in err if stderr else err == ""


def test_console_entry_reads_standard_input(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "nudge", "check", "--stdin-filename", "x.md", "--format",
         "github"],
        input=FENCE + "At the end of the day.\n",
        cwd=tmp_path,
        env={"NUDGE_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.startswith("::notice file=x.md,line=4,col=1,endLine=4,endColumn=21,")


# --- README quick start, nudge eval, --help -------------------------------------------------


def test_quick_start_says_the_first_command_exits_1(capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1]
    first_block_end = quick.index("```", quick.index("```sh") + 5) + 3
    after = quick[first_block_end:].lstrip("\n").split("\n\n", 1)[0]
    assert "exits with status 1" in after
    monkeypatch.chdir(ROOT)
    assert _run(capsys, "check", "examples/")[0] == 1


def test_eval_prints_sweep_calibration_and_explains_exact(capsys, tmp_path):
    passage = {"id": "p1", "text": "At the end of the day we left. It was kinda late.",
               "spans": [{"start": 0, "end": 21, "label": "cliche", "replacement": "Ultimately"}],
               "negative_spans": []}  # fmt: skip
    (tmp_path / "set.jsonl").write_text(json.dumps(passage) + "\n", encoding="utf-8")
    status, out, _ = _run(capsys, "eval", str(tmp_path / "set.jsonl"))
    assert status == 0
    assert "exact: exact recall" in out
    sweep = out.split("threshold sweep", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"^\s+(\d\.\d\d)\s", sweep, re.M) == [f"{i * 0.05:.2f}" for i in range(20)]
    calibration = out.split("calibration (expected calibration error", 1)[1]
    bins = re.findall(r"^\[(\d\.\d), (\d\.\d)[)\]]", calibration, re.M)
    assert bins == [(f"{i / 10:.1f}", f"{(i + 1) / 10:.1f}") for i in range(10)]


@pytest.mark.parametrize("command", ["check", "eval", "stats", "doctor", "lsp"])
def test_every_help_lists_exit_statuses_formats_languages_and_state_folder(capsys, command):
    status, out, _ = _run(capsys, command, "--help")
    assert status == 0
    epilog = out.split("exit status:", 1)[1]
    assert re.search(r"^\s+0  \S", epilog, re.M) and re.search(r"^\s+2  \S", epilog, re.M)
    assert "output formats:" in epilog
    assert all(lang in epilog for lang in LANGUAGE_IDS)
    for place in ("$NUDGE_CACHE_DIR", "$XDG_CACHE_HOME/nudge", "~/.cache/nudge"):
        assert place in epilog
