"""The stored lexicon is reused only while it fits: rebuilt on change, never trusted if corrupt."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

import nudge
from nudge.critics import compiled
from nudge.critics.lexicon import load_lexicon

NAMES = ("verbs.tsv", "nouns.tsv", "cliches.tsv", "wordy.tsv", "clarity.tsv", "precision.tsv")


@pytest.fixture(params=["some"])
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request) -> Path:
    """A copy of the shipped data (the first 300 lines of each phrase file unless "all")."""
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "data"
    folder.mkdir()
    shipped = resources.files("nudge.data")
    for name in NAMES:
        lines = shipped.joinpath(name).read_text("utf-8").splitlines(keepends=True)
        if request.param == "some" and name in ("cliches.tsv", "wordy.tsv", "clarity.tsv"):
            lines = lines[:300]
        (folder / name).write_text("".join(lines), "utf-8")
    return folder


def stored(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "lexicon").glob("lexicon-*.json"))


def same(a, b) -> bool:
    """Entries equal field by field, token tags and the flexible article included."""
    return [(e, [(t.tags, t.options) for t in e.tokens]) for e in a.entries] == [
        (e, [(t.tags, t.options) for t in e.tokens]) for e in b.entries
    ]


@pytest.mark.parametrize("data", ["all"], indirect=True)
def test_the_stored_form_is_read_back_and_equals_a_fresh_parse(data, tmp_path, monkeypatch):
    first = load_lexicon(data)
    [path] = stored(tmp_path)
    calls = []
    monkeypatch.setattr("nudge.critics.lexicon.parse_entries", lambda *a: calls.append(a))
    second = load_lexicon(data)
    assert not calls  # nothing parsed: the stored form was used
    assert same(first, second)
    articles = _load_args()[0]  # "a"/"an"/"the"/"no" is told by identity, so keep it
    flexible = [e.tokens[0].options is articles for e in first.entries]
    assert any(flexible)
    assert [e.tokens[0].options is articles for e in second.entries] == flexible
    assert stored(tmp_path) == [path]


def test_it_is_rebuilt_when_the_lexicon_data_changes(data, tmp_path):
    load_lexicon(data)
    with (data / "cliches.tsv").open("a", encoding="utf-8") as out:
        out.write("juggle~ flaming torches\n")
    lexicon = load_lexicon(data)
    assert "cliche:juggle-flaming-torches" in lexicon.by_rule
    assert len(stored(tmp_path)) == 2


@pytest.mark.parametrize("name", ["verbs.tsv", "nouns.tsv", "precision.tsv"])
def test_it_is_rebuilt_when_a_table_changes(data, tmp_path, name):
    load_lexicon(data)
    with (data / name).open("a", encoding="utf-8") as out:
        out.write("# a change\n")
    load_lexicon(data)
    assert len(stored(tmp_path)) == 2


def test_it_is_rebuilt_when_the_package_version_changes(data, tmp_path, monkeypatch):
    load_lexicon(data)
    monkeypatch.setattr(compiled, "__version__", nudge.__version__ + ".post1")
    load_lexicon(data)
    assert len(stored(tmp_path)) == 2


def corrupt_truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def corrupt_wrong_format(path: Path) -> None:
    path.write_bytes(b"\x80\x04\x95 a pickle, say\n" + path.read_bytes())


def corrupt_tampered(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"cliche:', b'"cliche:x', 1))


def corrupt_forged(path: Path) -> None:
    """A valid checksum over content of the wrong shape: still refused, field by field."""
    _, _, body = path.read_bytes().partition(b"\n")
    parsed = json.loads(body)
    parsed["entries"][0][4] = [10**9]  # a token that does not exist
    body = json.dumps(parsed).encode()
    digest = compiled.hashlib.sha256(body).hexdigest().encode()
    path.write_bytes(compiled.MAGIC + b" " + digest + b"\n" + body)


def corrupt_empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    "corrupt",
    [corrupt_truncated, corrupt_wrong_format, corrupt_tampered, corrupt_forged, corrupt_empty],
)
def test_a_corrupt_stored_form_is_never_trusted(data, tmp_path, corrupt):
    fresh = load_lexicon(data)
    [path] = stored(tmp_path)
    corrupt(path)
    reloaded = load_lexicon(data)
    assert same(fresh, reloaded)
    assert not any(rule.startswith("cliche:x") for rule in reloaded.by_rule)
    # and the file was rewritten whole
    assert compiled.read(path, _key(data), *_load_args()) is not None


def _key(folder: Path) -> str:
    return compiled.cache_key({str(folder / n): (folder / n).read_text("utf-8") for n in NAMES})


def _load_args():
    from nudge.critics.lexicon import _ARTICLES, KIND_CATEGORY, Entry

    return _ARTICLES, Entry, KIND_CATEGORY


def test_a_read_only_cache_folder_is_no_error(data, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", "utf-8")
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(blocker))
    assert load_lexicon(data).by_rule


def test_the_cache_folder_follows_nudge_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert compiled.cache_path("ab" * 32).parent == tmp_path / "elsewhere" / "lexicon"
