"""Golden masking fixtures: each README promise of what is never flagged, per markup.

Each `tests/fixtures/masking/<language>/<case>.<ext>` is segmented as its folder's
language, and its blocks must equal the `blocks` of `<case>.json` beside it. After an
intended change, regenerate with `NUDGE_UPDATE_GOLDENS=1 pytest tests/unit/test_masking.py`
and review the diff. The `covers` list in each golden names the README promises the case
guards; it is written by hand and kept by the update.
"""

import json
import os
import re
from pathlib import Path

import pytest

from nudge.critics.local import LocalCritic
from nudge.engine import critique_text
from nudge.languages import language_for_path
from nudge.segment import is_prose, segment

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "masking"
UPDATE = os.environ.get("NUDGE_UPDATE_GOLDENS") == "1"
BAIT = "cliche:at-the-end-of-the-day"
# Cases that show a promise the code does not keep yet.
KNOWN_GAPS = {
    "latex/block_quote": "segment_latex gives a quote environment kind 'paragraph', not "
    "'quote', so a block quote is checked at full confidence",
    "restructuredtext/block_quote": "segment_rst reads an indented paragraph as a paragraph, "
    "not a block quote, so it is checked at full confidence",
}


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "cache"))


def _promises() -> tuple[set[str], set[str]]:
    """Return (masked, still checked) promises, one phrase each, from the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## What is never flagged\n(.*?)^## ", readme, re.DOTALL | re.MULTILINE)
    assert section, "README has no 'What is never flagged' section"
    text = " ".join(section.group(1).split())
    masked = re.search(r"^(.*?) are masked before any critic reads the text\.", text)
    checked = re.search(r"\. ([^.]*?) are still checked\b", text)
    assert masked and checked, "the section's two sentences changed shape; update this test"

    def phrases(subject: str) -> set[str]:
        return {p.strip().lower() for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", subject)}

    return phrases(masked.group(1)), phrases(checked.group(1))


MASKED, CHECKED = _promises()


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _covers(path: Path) -> set[str]:
    return set(json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["covers"])


PATHS = sorted(p for p in FIXTURES.glob("*/*") if p.suffix != ".json")
CASES = [pytest.param(p, id=_case_id(p)) for p in PATHS]
MASK_CASES = [pytest.param(p, id=_case_id(p)) for p in PATHS if _covers(p) and _covers(p) <= MASKED]
QUOTE_CASES = [
    pytest.param(
        p,
        id=_case_id(p),
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[_case_id(p)])]
        if _case_id(p) in KNOWN_GAPS
        else [],
    )
    for p in PATHS
    if _covers(p) & CHECKED
]


def _read(path: Path) -> tuple[str, str]:
    """Return (text, language) of a fixture; the folder names the language."""
    return path.read_bytes().decode("utf-8"), path.parent.name


def _observed(text: str, language: str) -> list[dict]:
    return [
        {"start": b.start, "kind": b.kind, "prose": is_prose(b), "masked": b.masked.split("\n")}
        for b in segment(text, language).blocks
    ]


def _readable(text: str, language: str) -> list[bool]:
    """Return, per character, whether a critic may read (and so flag) it."""
    readable = [False] * len(text)
    for block in segment(text, language).blocks:
        if is_prose(block):
            for i, (raw, kept) in enumerate(zip(block.text, block.masked, strict=True)):
                readable[block.start + i] = raw == kept
    return readable


@pytest.mark.parametrize("path", CASES)
def test_blocks_match_golden(path):
    text, language = _read(path)
    assert language_for_path(path.name) == language
    observed = _observed(text, language)
    golden_path = path.with_suffix(".json")
    if UPDATE:
        golden = json.loads(golden_path.read_text("utf-8")) if golden_path.exists() else {}
        golden.setdefault("covers", [])
        golden["blocks"] = observed
        golden_path.write_text(json.dumps(golden, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert observed == json.loads(golden_path.read_text("utf-8"))["blocks"]


@pytest.mark.parametrize("path", CASES)
def test_blocks_tile_the_text_and_masks_keep_offsets(path):
    text, language = _read(path)
    end = 0
    for block in segment(text, language).blocks:
        assert block.start >= end
        assert text[block.start : block.end] == block.text
        assert len(block.masked) == len(block.text)
        for raw, kept in zip(block.text, block.masked, strict=True):
            assert kept == raw or (kept == " " and raw not in "\r\n")
        end = block.end
    assert not text[end:].strip()


@pytest.mark.parametrize("path", CASES)
def test_masked_text_is_never_flagged(path):
    text, language = _read(path)
    readable = _readable(text, language)
    for finding in critique_text(text, language, LocalCritic()):
        assert all(readable[finding.start : finding.end]), finding


@pytest.mark.parametrize("path", MASK_CASES)
def test_phrases_planted_in_masked_markup_are_never_flagged(path):
    text, language = _read(path)
    assert critique_text(text, language, LocalCritic()) == []


@pytest.mark.parametrize("path", QUOTE_CASES)
def test_quotes_are_still_checked_at_a_lower_confidence(path):
    text, language = _read(path)
    plain = critique_text("At the end of the day we left.", "plaintext", LocalCritic())
    full = next(f.confidence for f in plain if f.rule == BAIT)
    found = [f for f in critique_text(text, language, LocalCritic()) if f.rule == BAIT]
    assert found, "the quoted cliché was not checked"
    assert all(f.confidence < full for f in found), [(f.quote, f.confidence) for f in found]


def test_every_readme_promise_has_a_fixture():
    covered: set[str] = set()
    for path in PATHS:
        covers = _covers(path)
        assert covers <= MASKED | CHECKED, f"{_case_id(path)} covers {covers - MASKED - CHECKED}"
        covered |= covers
    assert covered >= MASKED | CHECKED, f"no fixture for {sorted(MASKED | CHECKED - covered)}"
