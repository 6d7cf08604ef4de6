"""Pure parts of `nudge review`: batch limits, custom ids, the scheduler's fallback identity."""

import pytest

from nudge.critics.base import DocumentContext
from nudge.model import Block, Finding
from nudge.results_cache import ResultsCache, cache_key
from nudge.review_batches import ENVELOPE, Item, Limits, chunks
from nudge.review_plan import review_identity
from nudge.review_state import grade_id
from nudge.scheduler import Scheduler
from nudge.settings import Settings


def items(*sizes):
    return [Item(f"r{i}", {}, size, {}) for i, size in enumerate(sizes)]


@pytest.mark.parametrize(
    ("limits", "sizes", "groups"),
    [
        (Limits(max_requests=2), (10, 10, 10), [2, 1]),
        (Limits(max_bytes=ENVELOPE + 25), (10, 10, 10), [2, 1]),
        (Limits(max_bytes=ENVELOPE + 5), (10, 10), [1, 1]),  # an oversized item goes alone
        (Limits(), (10,) * 5, [5]),
    ],
)
def test_chunks_respect_both_limits(limits, sizes, groups):
    assert [len(g) for g in chunks(items(*sizes), limits)] == groups


def test_grade_ids_pair_with_critique_ids():
    assert grade_id("1a2b3c4d-c000012") == "1a2b3c4d-g000012"


def test_review_models_default_to_the_strongest_and_differ_from_the_editors():
    settings = Settings()
    assert (settings.review_model, settings.review_grader_model) == (
        "claude-opus-5-5", "claude-sonnet-5-5"
    )  # fmt: skip
    assert review_identity(settings)["model"] == "claude-opus-5-5"


class NeverCalled:
    name, description = "never", "fails if asked"

    def identity(self):
        return {"model": "interactive"}

    async def critique(self, batch):
        raise AssertionError("the cache should have answered")


async def test_scheduler_serves_results_cached_under_a_fallback_identity(tmp_path):
    text = "We write tests in order to sleep well at night."
    block = Block.make(0, text, text)
    cache = ResultsCache(tmp_path / "results")
    finding = Finding(15, 26, "in order to", "wordiness", "m", "to", 0.9, "claude:wordiness")
    reviewed = review_identity(Settings())
    cache.put(cache_key(reviewed, block.hash), [finding])
    got = []

    async def on_results(uri, block_hash, findings):
        got.append(findings)

    scheduler = Scheduler(NeverCalled(), Settings(trigger="manual"), on_results, cache=cache,
                          fallback_identities=[reviewed])  # fmt: skip
    scheduler.update_document("file:///a.md", 1, [block], context=DocumentContext())
    scheduler.review_now("file:///a.md")
    await scheduler.drained()
    await scheduler.aclose()
    assert got == [[finding]]
