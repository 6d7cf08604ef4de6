import diskcache
import pytest

from nudge.model import Finding
from nudge.store import Dismissal, DismissalStore, JsonDisk, JsonStore, PickledRowError

TEXT = "We should think outside the box here, and again think outside the box there."


def _finding(text, quote, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return Finding(start, start + len(quote), quote, "cliche", "m", None, 0.9, "r")


def test_json_disk_refuses_to_write_objects(tmp_path):
    cache = diskcache.Cache(str(tmp_path), disk=JsonDisk)
    with pytest.raises(TypeError):
        cache.set("k", {"a": 1})
    with pytest.raises(TypeError):
        cache.set(("tuple", "key"), "v")


def test_pickled_rows_are_refused_and_treated_as_missing(tmp_path):
    plain = diskcache.Cache(str(tmp_path))  # the default Disk pickles objects
    plain.set("dismissed:doc", {"evil": "payload"})
    assert plain.get("dismissed:doc") == {"evil": "payload"}
    plain.close()
    cache = diskcache.Cache(str(tmp_path), disk=JsonDisk)
    with pytest.raises(PickledRowError):
        cache.get("dismissed:doc")
    warnings = []
    store = JsonStore(tmp_path, warnings.append)
    assert store.get("dismissed:doc") is None
    assert warnings and "pickled" in warnings[0]


def test_dismissal_survives_edits_elsewhere_and_reopen(tmp_path):
    store = DismissalStore(JsonStore(tmp_path / "c"))
    first = _finding(TEXT, "think outside the box")
    store.dismiss("doc", TEXT, first)
    edited = "Intro added. " + TEXT
    moved = first.shifted(len("Intro added. "))
    reopened = DismissalStore(JsonStore(tmp_path / "c"))
    assert reopened.is_dismissed("doc", edited, moved)
    # The second occurrence, with different surroundings, is not dismissed.
    assert not reopened.is_dismissed("doc", TEXT, _finding(TEXT, "think outside the box", 1))
    assert not reopened.is_dismissed("other", TEXT, first)


def test_corrupt_cache_directory_is_recreated_with_a_warning(tmp_path):
    directory = tmp_path / "c"
    store = JsonStore(directory)
    store.set("a", [1])
    store.close()
    (directory / "cache.db").write_bytes(b"this is not a database" * 100)
    warnings = []
    store = JsonStore(directory, warnings.append)
    assert store.get("a") is None
    store.set("b", {"ok": True})
    assert store.get("b") == {"ok": True}
    assert warnings and "starting afresh" in warnings[0]
    assert any(p.name.startswith("c.corrupt-") for p in tmp_path.iterdir())


def test_killed_writer_keeps_committed_dismissals(tmp_path):
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from nudge.store import DismissalStore, JsonStore\n"
        "from nudge.model import Finding\n"
        f"text = {TEXT!r}\n"
        "s = DismissalStore(JsonStore(Path(sys.argv[1])))\n"
        "q = 'think outside the box'; i = text.index(q)\n"
        "s.dismiss('doc', text, Finding(i, i + len(q), q, 'cliche', 'm', None, 0.9, 'r'))\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "c")], check=False)
    store = DismissalStore(JsonStore(tmp_path / "c"))
    assert store.is_dismissed("doc", TEXT, _finding(TEXT, "think outside the box"))


def _plant(directory, key, mode, filename):
    """Write a row with diskcache's default Disk, then point its `filename` elsewhere."""
    import sqlite3

    plain = diskcache.Cache(str(directory))
    plain.set(key, {"evil": "payload"} if mode == "pickle" else "text")
    plain.close()
    with sqlite3.connect(directory / "cache.db") as db:
        db.execute(
            "UPDATE Cache SET filename = ?, mode = ? WHERE key = ?",
            (str(filename), 4 if mode == "pickle" else 3, key),
        )


@pytest.mark.parametrize("mode", ["pickle", "text"])
def test_planted_filename_is_never_read_or_deleted(tmp_path, mode):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    directory = tmp_path / "c"
    _plant(directory, "dismissed:doc", mode, outside)
    _plant(directory, "dismissed:rel", mode, "../precious.txt")
    warnings = []
    store = JsonStore(directory, warnings.append)
    assert store.get("dismissed:doc") is None
    assert store.get("dismissed:rel") is None
    store.delete_prefix("dismissed:")
    store.set("dismissed:doc", [1])
    assert store.get("dismissed:doc") == [1]
    store.close()
    assert outside.read_text() == "keep me"


def test_large_values_stay_in_the_database(tmp_path):
    store = JsonStore(tmp_path / "c")
    store.set("big", ["x" * 100_000])
    assert store.get("big") == ["x" * 100_000]
    files = [p for p in (tmp_path / "c").rglob("*") if p.is_file() and "cache.db" not in p.name]
    assert files == []


def test_dismissals_are_kept_per_workspace_and_cleared_per_workspace(tmp_path):
    a = DismissalStore(JsonStore(tmp_path / "c"), workspace="/ws/a")
    b = DismissalStore(JsonStore(tmp_path / "c"), workspace="/ws/b")
    cliche = _finding(TEXT, "think outside the box")
    a.dismiss("doc.md", TEXT, cliche)
    b.dismiss("doc.md", TEXT, cliche)
    b.dismiss("other.md", TEXT, cliche)
    assert a.count() == 1 and b.count() == 2 and a.count(everywhere=True) == 3
    assert a.clear() == 1
    assert not a.is_dismissed("doc.md", TEXT, cliche)
    assert b.is_dismissed("doc.md", TEXT, cliche)  # the other workspace keeps its own
    assert b.clear(everywhere=True) == 2
    assert not DismissalStore(JsonStore(tmp_path / "c"), workspace="/ws/b").has_any("doc.md")


def test_rows_written_before_workspaces_stay_readable_until_cleared(tmp_path):
    cliche = _finding(TEXT, "think outside the box")
    old = JsonStore(tmp_path / "c")  # a row as Nudge wrote it before workspaces were keyed
    old.set("dismissed:doc.md", [Dismissal.of(TEXT, cliche).to_json()])
    old.close()
    store = DismissalStore(JsonStore(tmp_path / "c"), workspace="/ws/a")
    assert store.is_dismissed("doc.md", TEXT, cliche)
    assert store.count() == 1
    assert store.clear() == 1
    assert not DismissalStore(JsonStore(tmp_path / "c"), workspace="/ws/a").has_any("doc.md")
