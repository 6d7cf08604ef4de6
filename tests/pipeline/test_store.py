"""The JSON-only results cache and local telemetry."""

import json
import pickle
import sqlite3

import pytest

from nudge.model import Finding
from nudge.results_cache import ResultsCache, cache_key
from nudge.telemetry import Telemetry, read_events, summarize

F = Finding(3, 14, "in order to", "wordiness", "Shorter.", "to", 0.9, "claude:wordiness", "claude")


def test_round_trip_and_key(tmp_path):
    cache = ResultsCache(tmp_path / "c")
    key = cache_key({"critique": "critique@1", "model": "m"}, "abc")
    assert key != cache_key({"critique": "critique@2", "model": "m"}, "abc")
    assert key != cache_key({"critique": "critique@1", "model": "m"}, "abd")
    assert cache.get(key) is None
    cache.put(key, [F])
    assert cache.get(key) == [F]
    cache.put(key, [])
    assert cache.get(key) == []
    assert (cache.hits, cache.misses) == (2, 1)


def test_pickled_row_is_refused_and_deleted(tmp_path, caplog):
    directory = tmp_path / "c"
    cache = ResultsCache(directory)
    key = cache_key({}, "h")
    cache.close()
    import diskcache

    plain = diskcache.Cache(str(directory))
    plain.set(key, {"format": "nudge-results/1", "findings": []})  # stored as a pickle
    plain.close()
    cache = ResultsCache(directory)
    assert cache.get(key) is None
    assert "pickled" in caplog.text
    assert cache.get(key) is None  # deleted, so now a plain miss
    with pytest.raises(TypeError):
        cache._cache.set(key, pickle.dumps(1))


@pytest.mark.parametrize("row", ["not json", json.dumps({"format": "other"}), json.dumps([1])])
def test_foreign_rows_are_misses(tmp_path, row):
    cache = ResultsCache(tmp_path / "c")
    cache._cache.set("k", row)
    assert cache.get("k") is None


def test_corrupt_directory_is_recreated(tmp_path, caplog):
    directory = tmp_path / "c"
    directory.mkdir()
    (directory / "cache.db").write_bytes(b"this is not a sqlite database" * 100)
    cache = ResultsCache(directory)
    cache.put("k", [F])
    assert cache.get("k") == [F]
    assert "starting afresh" in caplog.text
    with sqlite3.connect(directory / "cache.db") as db:
        assert db.execute("select count(*) from Cache").fetchone()[0] == 1


def test_telemetry_whitelist_and_summary(tmp_path):
    path = tmp_path / "t.jsonl"
    t = Telemetry(path, clock=lambda: 1.0)
    with pytest.raises(ValueError):
        t.record("request", text="secret document text")
    with pytest.raises(ValueError):
        t.record("keystroke")
    t.record(
        "request",
        kind="critique",
        model="m",
        input_tokens=10,
        cache_read_tokens=90,
        output_tokens=5,
        cost_usd=0.01,
        latency_ms=400,
        status="ok",
    )
    t.record("request", kind="grade", model="g", status="rate_limited")
    t.record("cache_hit", blocks=3)
    t.record("shown", category="cliche", count=2)
    t.record("accepted", category="cliche")
    t.record("dismissed", category="cliche")
    path.open("a").write("garbage line\n")
    summary = summarize(read_events(path))
    assert summary["requests"] == 2
    assert summary["statuses"] == {"ok": 1, "rate_limited": 1}
    assert summary["tokens"]["cache_read_tokens"] == 90
    assert summary["cache_hits"] == 3
    assert summary["categories"]["cliche"] == {
        "shown": 2,
        "accepted": 1,
        "dismissed": 1,
        **{k: 0 for k in ("ignored", "edited", "closed", "withdrawn")},
        "acceptance_rate": 0.5,
    }


@pytest.mark.parametrize("mode", [3, 4])  # diskcache's text and pickle file modes
def test_planted_results_row_never_touches_the_named_file(tmp_path, mode):
    import diskcache

    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    directory = tmp_path / "c"
    key = cache_key({}, "h")
    plain = diskcache.Cache(str(directory))
    plain.set(key, "x")
    plain.close()
    with sqlite3.connect(directory / "cache.db") as db:
        db.execute("UPDATE Cache SET filename = ?, mode = ?", (str(outside), mode))
    cache = ResultsCache(directory)
    assert cache.get(key) is None
    cache.put(key, [F])
    assert cache.get(key) == [F]
    cache.close()
    assert outside.read_text() == "keep me"
