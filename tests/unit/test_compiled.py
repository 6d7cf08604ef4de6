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
    text = "At the end of the day, we spilled the beans in order to make a purchase of it."
    assert second.find_spans(text) == first.find_spans(text) != []
    for start, end in first.find_spans(text):
        words = text[start:end].replace(",", " ").split()
        assert second.identify(words) == first.identify(words)
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


def forge(path: Path, change) -> None:
    """Rewrite the stored file with `change` applied to its parsed body, and a valid checksum."""
    _, _, body = path.read_bytes().partition(b"\n")
    parsed = json.loads(body)
    change(parsed)
    body = json.dumps(parsed).encode()
    digest = compiled.hashlib.sha256(body).hexdigest().encode()
    path.write_bytes(compiled.MAGIC + b" " + digest + b"\n" + body)


def _set(*where_and_value):
    *where, value = where_and_value

    def change(parsed):
        for key in where[:-1]:
            parsed = parsed[key]
        parsed[where[-1]] = value

    return change


def _first_edge(parsed, value):
    edges = parsed["matcher"]["edges"]
    node = next(e for e in edges if e)
    node[next(iter(node))] = value


FORGERIES = {  # a valid checksum over content of the wrong shape: still refused
    "a token that does not exist": _set("entries", "tokens", 0, [10**9]),
    "an entry without tokens": _set("entries", "tokens", 0, []),
    "a rule that is a number": _set("entries", "rule", 0, 7),
    "a rule twice": lambda p: p["entries"]["rule"].__setitem__(1, p["entries"]["rule"][0]),
    "a column too short": lambda p: p["entries"]["phrase"].pop(),
    "a kind of another category": _set("entries", "category", 0, "clarity"),
    "a word that is a number": _set("entries", "literal", 0, [3]),
    "an empty word": _set("tokens", "options", 0, [""]),
    "a word with a bar": _set("tokens", "options", 0, ["a|b"]),
    "a word list that is a dict": _set("tokens", "options", 0, {"a": 1}),
    "a flag that is a number": _set("tokens", "optional", 0, 1),
    "an unknown tag": lambda p: p["tokens"]["tags"].__setitem__(
        next(i for i, t in enumerate(p["tokens"]["tags"]) if t), ["past,future"]
    ),
    "slot words changed": lambda p: p["tokens"]["options"].__setitem__(
        p["tokens"]["kind"].index("slot"), ["my", "everybody's"]
    ),
    "a last token out of range": _set("lasts", 0, 10**6),
    "a first word naming no entry": _set("firsts", "the", [10**6]),
    "a first word's entries as text": _set("firsts", "the", "0"),
    "an edge to a node that does not exist": lambda p: _first_edge(p, 10**6),
    "an edge that is a list": lambda p: _first_edge(p, [1]),
    "a node that is a list": lambda p: p["matcher"]["edges"].__setitem__(0, [1, 2]),
    "an end naming no entry": lambda p: p["matcher"]["finals"].__setitem__(
        next(i for i, f in enumerate(p["matcher"]["finals"]) if f), [10**6]
    ),
    "an end that is a string": _set("matcher", "finals", 0, "0"),
    "a root out of range": _set("matcher", "root", -1),
    "a matcher part missing": lambda p: p["matcher"].pop("commas"),
    "a part missing": lambda p: p.pop("firsts"),
    "another format": _set("format", 1),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_stored_form_is_never_trusted(data, tmp_path, forgery):
    fresh = load_lexicon(data)
    [path] = stored(tmp_path)
    forge(path, FORGERIES[forgery])
    assert compiled.read(path, _key(data), *_load_args()) is None
    reloaded = load_lexicon(data)
    assert same(fresh, reloaded)
    assert compiled.read(path, _key(data), *_load_args()) is not None  # rewritten whole


def corrupt_forged(path: Path) -> None:
    """A valid checksum over content of the wrong shape: still refused, field by field."""
    forge(path, FORGERIES["a token that does not exist"])


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


def test_a_cold_start_builds_in_a_child_and_keeps_its_own_memory_small(tmp_path):
    import subprocess
    import sys

    code = (
        "from nudge.critics.local import LocalCritic\n"
        "f = LocalCritic().check_text('At the end of the day we win.')\n"
        "rss = int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) // 1024\n"
        "print(f[0].quote, rss)\n"
    )
    env = {**__import__("os").environ, "NUDGE_CACHE_DIR": str(tmp_path)}
    env.pop("NUDGE_LEXICON_BUILD", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    quote, rss = out.stdout.rsplit(" ", 1)
    assert quote == "At the end of the day"
    assert list((tmp_path / "lexicon").glob("lexicon-*.json"))  # the child stored it
    # Building in-process peaks near 200 MB and keeps it; reading the stored form does not.
    assert int(rss) < 120, out.stdout
