"""The public idiom benchmark reads the PIE-English token-per-row CSV into labelled sentences."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from nudge.critics.local import LocalCritic

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location(
    "idioms_public", ROOT / "benchmarks" / "idioms_public.py"
)
idioms_public = importlib.util.module_from_spec(_SPEC)
sys.modules["idioms_public"] = idioms_public  # dataclasses look their module up
_SPEC.loader.exec_module(idioms_public)

# Sentences made up for this test, in the corpus's layout.
CSV = """id,token,pos,class,meaning,idiomliteral
1,drop,VB,Metaphor,make a mistake,Yes
,the,DT,,,
,ball,NN,,,
2,We,PRP,Metaphor,,
,dropped,VBD,,,
,the,DT,,,
,ball,NN,,,
,on,IN,,,
,the,DT,,,
,renewal,NN,,,
,.,.,,,
3,The,DT,Literal,,
,toddler,NN,,,
,dropped,VBD,,,
,the,DT,,,
,ball,NN,,,
,into,IN,,,
,the,DT,,,
,pool,NN,,,
,.,.,,,
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "idiomscorpus.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_reads_sentences_under_their_idiom(corpus):
    examples = idioms_public.read_pie_csv(corpus)
    assert [(e.idiom, e.literal, e.sentence) for e in examples] == [
        ("drop the ball", False, "We dropped the ball on the renewal."),
        ("drop the ball", True, "The toddler dropped the ball into the pool."),
    ]


def test_scores_literal_alarms_and_figurative_recall(corpus):
    tally = idioms_public.score(idioms_public.read_pie_csv(corpus), LocalCritic(), 0.5)
    assert tally["literal"] == [1, 0] and tally["figurative"] == [1, 1]
