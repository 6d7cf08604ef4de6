"""The one table of languages, and the client, README and eval builder that must agree."""

import ast
import json
import re
from pathlib import Path

import pytest

from nudge import evaluate, segment, settings
from nudge.languages import LANGUAGE_IDS, LANGUAGES, canonical_language, language_for_path
from nudge.session import Session
from nudge.telemetry import Telemetry

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "client-vscode"
MANIFEST = json.loads((CLIENT / "package.json").read_text(encoding="utf-8"))
EXTENSIONS = {ext for language in LANGUAGES for ext in language.extensions}


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "cache"))


def _configuration(key: str) -> dict:
    blocks = MANIFEST["contributes"]["configuration"]
    for block in blocks if isinstance(blocks, list) else [blocks]:
        if key in block.get("properties", {}):
            return block["properties"][key]
    raise AssertionError(f"{key} is not declared in client-vscode/package.json")


def _source(name: str) -> str:
    return (CLIENT / "src" / name).read_text(encoding="utf-8")


def test_names_and_extensions_are_unique_and_lower_case():
    names = [name for language in LANGUAGES for name in language.names]
    extensions = [ext for language in LANGUAGES for ext in language.extensions]
    assert len(names) == len(set(names))
    assert len(extensions) == len(set(extensions))
    assert all(ext.startswith(".") and ext == ext.lower() for ext in extensions)


def test_every_name_has_its_languages_segmenter():
    for language in LANGUAGES:
        for name in language.names:
            assert segment.SEGMENTERS[name] is segment.SEGMENTERS[language.id], name
    assert len({segment.SEGMENTERS[i] for i in LANGUAGE_IDS}) == len(LANGUAGE_IDS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("markdown", "markdown"),
        ("md", "markdown"),
        ("tex", "latex"),
        ("rst", "restructuredtext"),
        ("text", "plaintext"),
        ("python", "python"),
        ("", ""),
    ],
)
def test_canonical_language(name, expected):
    assert canonical_language(name) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("notes.md", "markdown"),
        ("README.MARKDOWN", "markdown"),
        ("page.mdx", "markdown"),
        ("a/b.c/notes.txt", "plaintext"),
        ("x.text", "plaintext"),
        ("paper.tex", "latex"),
        ("paper.ltx", "latex"),
        ("index.rst", "restructuredtext"),
        ("index.rest", "restructuredtext"),
        ("main.py", None),
        ("Makefile", None),
        ("md", None),
    ],
)
def test_language_for_path(path, expected):
    assert language_for_path(path) == expected


def test_settings_and_eval_accept_exactly_the_table():
    assert settings.Settings().languages == list(LANGUAGE_IDS)
    described = {d["key"]: d for d in settings.describe_settings()}
    assert tuple(described["languages"]["choices"]) == LANGUAGE_IDS
    for language in LANGUAGE_IDS:
        assert evaluate.parse_passage({"id": "x", "text": "", "language": language})
    with pytest.raises(ValueError, match="unknown language"):
        evaluate.parse_passage({"id": "x", "text": "", "language": "md"})


@pytest.mark.parametrize("name", [n for language in LANGUAGES for n in language.names])
def test_session_opens_every_id_and_alias_as_its_id(tmp_path, name):
    session = Session(None, tmp_path / "cache", telemetry=Telemetry(None))
    assert session.open("file:///tmp/doc", "Some prose.", name).checked
    assert session.documents["file:///tmp/doc"].language == canonical_language(name)


def test_client_activates_on_exactly_the_table():
    events = MANIFEST["activationEvents"]
    languages = [e.split(":", 1)[1] for e in events if e.startswith("onLanguage:")]
    assert sorted(languages) == sorted(LANGUAGE_IDS)
    for event in events:
        if event.startswith("workspaceContains:"):
            assert Path(event).suffix.lower() in EXTENSIONS, event


def test_client_selects_exactly_the_table():
    schema = _configuration("nudge.languages")
    assert tuple(schema["items"]["enum"]) == LANGUAGE_IDS
    assert schema["default"] == list(LANGUAGE_IDS)
    # The selector is built from that enum and nowhere else: controller.ts reads it with
    # declaredLanguages(manifest) and server.ts turns it into the document selector.
    controller, server = _source("controller.ts"), _source("server.ts")
    assert "this.languages = declaredLanguages(manifest)" in controller
    assert '"nudge.languages"' in controller
    assert re.search(r"createClient\(plan, this\.languages\b", controller)
    assert "documentSelector: documentSelector(languages)" in server
    for path in sorted((CLIENT / "src").glob("*.ts")):
        text = path.read_text(encoding="utf-8")
        for name in (n for language in LANGUAGES for n in language.names if len(n) > 3):
            assert f'"{name}"' not in text, f"{path.name} names {name!r}; read the manifest"


def test_client_contributes_no_language_outside_the_table():
    for contributed in MANIFEST["contributes"].get("languages", []):
        assert contributed["id"] in LANGUAGE_IDS
        assert set(contributed.get("extensions", [])) <= EXTENSIONS


def test_readme_lists_the_extensions_a_folder_yields():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"Folders are searched for (.*?) files", readme, re.DOTALL)
    assert sentence, "README no longer says which files a folder yields"
    assert set(re.findall(r"`(\.\w+)`", sentence.group(1))) == EXTENSIONS


def test_eval_builder_knows_the_same_ids():
    tree = ast.parse((ROOT / "evals" / "build.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "LANGUAGES":
            assert ast.literal_eval(node.value) == LANGUAGE_IDS
            return
    raise AssertionError("evals/build.py has no LANGUAGES")
