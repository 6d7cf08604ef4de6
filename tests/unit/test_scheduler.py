"""The scheduler on a virtual clock: debounce, settling, batching, caps, cancellation."""

import asyncio

import pytest

from nudge.budget import DailyBudget
from nudge.critics.base import DocumentContext
from nudge.model import Block, Finding
from nudge.results_cache import ResultsCache
from nudge.scheduler import Scheduler, VirtualClock, estimate_tokens
from nudge.settings import Settings

SENTENCE = "We write tests in order to sleep well."
UNFINISHED = "We write tests in order to"


class Unavailable(Exception):
    def __init__(self, reason, retry_after=None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class FakeCritic:
    name = "fake"
    description = "records batches"

    def __init__(self, clock, latency=0.0, confidence=0.9):
        self.clock, self.latency, self.confidence = clock, latency, confidence
        self.batches, self.cancelled, self.fail, self.gate = [], 0, None, None

    def identity(self):
        return {"critic": "fake", "v": 1}

    async def critique(self, batch):
        self.batches.append([r.block.text for r in batch])
        try:
            if self.latency:
                await self.clock.sleep(self.latency)
            if self.gate is not None:
                await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if self.fail is not None:
            raise self.fail
        return [
            [Finding(0, 2, r.block.text[:2], "wordiness", "m", "x", self.confidence, "r", "fake")]
            for r in batch
        ]


def blk(text, start=0):
    return Block.make(start, text, text)


class Harness:
    def __init__(self, settings=None, latency=0.0, **options):
        self.clock = VirtualClock()
        self.critic = FakeCritic(self.clock, latency)
        self.results, self.events = [], []
        self.scheduler = Scheduler(
            self.critic,
            settings or Settings(),
            self.on_results,
            on_event=self.events.append,
            clock=self.clock,
            **options,
        )

    async def on_results(self, uri, block_hash, findings):
        self.results.append((uri, block_hash, [f.quote for f in findings], self.clock.now()))

    def update(self, uri, blocks, cursor=None, version=1):
        self.scheduler.update_document(
            uri, version, blocks, context=DocumentContext(uri=uri, title="T"), cursor=cursor
        )

    def kinds(self):
        return [e.kind for e in self.events]


@pytest.fixture
async def h():
    harness = Harness()
    yield harness
    await harness.scheduler.aclose()


async def test_debounce_waits_for_the_pause(h):
    h.update("a", [blk(SENTENCE)], cursor=len(SENTENCE))
    await h.clock.advance(0.39)
    assert h.critic.batches == []
    await h.clock.advance(0.02)
    assert h.critic.batches == [[SENTENCE]]
    assert [r[0] for r in h.results] == ["a"]


async def test_typing_keeps_resetting_the_debounce(h):
    text = ""
    for ch in SENTENCE:
        text += ch
        h.update("a", [blk(text)], cursor=len(text))
        await h.clock.advance(0.15)
    assert h.critic.batches == []
    await h.clock.advance(0.3)
    assert h.critic.batches == [[SENTENCE]]


SETTLE = [
    ("finished sentence, cursor at its end", SENTENCE, "end", True),
    ("unfinished sentence, cursor inside", UNFINISHED, "end", False),
    ("unfinished sentence, writer left", UNFINISHED, "elsewhere", True),
    ("unfinished, no cursor (just opened)", UNFINISHED, None, True),
    ("closing quote after the stop", 'He said "we test in order to sleep."', "end", True),
    ("question", "Do we test in order to sleep?", "end", True),
]


@pytest.mark.parametrize(("name", "text", "cursor", "sent"), SETTLE)
async def test_settle_rules(h, name, text, cursor, sent):
    other = blk("Another paragraph entirely here.", 200)
    where = {"end": len(text), "elsewhere": 210, None: None}[cursor]
    h.update("a", [blk(text), other], cursor=where)
    await h.clock.advance(5)
    sent_texts = [t for b in h.critic.batches for t in b]
    assert (text in sent_texts) is sent, name


async def test_blocks_without_prose_are_never_sent(h):
    code = Block.make(0, "```\nx = 1\n```", " " * 13, "code")
    h.update("a", [code, blk("Ok then.", 20)])
    await h.clock.advance(1)
    assert h.critic.batches == []


async def test_batches_respect_the_token_cap():
    h = Harness(Settings(batch_token_cap=250, max_requests_in_flight=16))
    paragraph = "word " * 160  # about 200 tokens with the per-block overhead
    blocks = [blk(f"{i} {paragraph}".strip() + ".", i * 1000) for i in range(3)]
    small = [blk(f"Short paragraph number {i} here.", 5000 + i * 100) for i in range(4)]
    h.update("a", blocks + small)
    await h.clock.advance(1)
    assert sum(len(b) for b in h.critic.batches) == 7
    for batch in h.critic.batches:
        tokens = sum(estimate_tokens(blk(text)) for text in batch)
        assert len(batch) == 1 or tokens <= 250
    assert sorted(len(b) for b in h.critic.batches) == [1, 1, 2, 3]
    await h.scheduler.aclose()


async def test_blocks_from_all_documents_share_a_batch(h):
    h.update("a", [blk("First document text is here.")])
    h.update("b", [blk("Second document text is here.")])
    await h.clock.advance(1)
    assert len(h.critic.batches) == 1 and len(h.critic.batches[0]) == 2
    assert sorted(r[0] for r in h.results) == ["a", "b"]


async def test_re_edit_cancels_the_stale_request(h):
    h.critic.gate = asyncio.Event()
    h.update("a", [blk(SENTENCE)])
    await h.clock.advance(0.5)
    assert len(h.critic.batches) == 1
    h.update("a", [blk(SENTENCE + " More")], cursor=len(SENTENCE) + 5)
    await h.clock.advance(0.01)
    assert h.critic.cancelled == 1
    h.critic.gate.set()
    await h.clock.advance(1)
    assert h.results == []


async def test_stale_results_are_not_delivered(h):
    h.critic.gate = asyncio.Event()
    keep, change = blk("This one stays the same.", 0), blk("This one will change.", 100)
    h.update("a", [keep, change])
    await h.clock.advance(0.5)
    h.update("a", [keep, blk("This one will change soon", 100)], cursor=124)
    h.critic.gate.set()
    await h.clock.advance(0.01)
    assert [r[1] for r in h.results] == [keep.hash]
    assert h.critic.cancelled == 0


async def test_in_flight_cap():
    h = Harness(Settings(max_requests_in_flight=1, batch_token_cap=100), latency=1.0)
    h.update("a", [blk(f"Paragraph {i} " + "text " * 60 + ".", i * 500) for i in range(3)])
    await h.clock.advance(0.5)
    assert len(h.critic.batches) == 1
    assert h.scheduler.status().state == "reviewing"
    await h.clock.advance(1.0)
    assert len(h.critic.batches) == 2
    await h.clock.advance(1.0)
    assert len(h.critic.batches) == 3
    await h.scheduler.aclose()


async def test_requests_per_minute_cap():
    h = Harness(Settings(requests_per_minute=2, batch_token_cap=100, max_requests_in_flight=8))
    h.update("a", [blk(f"Paragraph {i} " + "text " * 60 + ".", i * 500) for i in range(3)])
    await h.clock.advance(1)
    assert len(h.critic.batches) == 2
    await h.clock.advance(58.0)
    assert len(h.critic.batches) == 2
    await h.clock.advance(1.5)
    assert len(h.critic.batches) == 3
    await h.scheduler.aclose()


@pytest.mark.parametrize("trigger", ["onSave", "manual"])
async def test_other_triggers_wait_for_their_moment(trigger):
    h = Harness(Settings(trigger=trigger))
    h.update("a", [blk(SENTENCE)])
    await h.clock.advance(5)
    assert h.critic.batches == []
    h.scheduler.saved("a")
    await h.clock.advance(0.01)
    assert len(h.critic.batches) == (1 if trigger == "onSave" else 0)
    h.scheduler.review_now("a")
    await h.clock.advance(0.01)
    assert len(h.critic.batches) == 1
    await h.scheduler.aclose()


async def test_review_now_skips_the_wait(h):
    h.update("a", [blk(UNFINISHED)], cursor=len(UNFINISHED))
    h.scheduler.review_now("a")
    await h.clock.advance(0.001)
    assert h.critic.batches == [[UNFINISHED]]


async def test_results_cache_makes_reopening_free(tmp_path):
    cache = ResultsCache(tmp_path / "cache")
    h = Harness(cache=cache)
    h.update("a", [blk(SENTENCE)])
    await h.clock.advance(1)
    h.scheduler.close_document("a")
    h.update("a", [blk(SENTENCE)])
    await h.clock.advance(1)
    assert len(h.critic.batches) == 1
    assert [r[2] for r in h.results] == [["We"], ["We"]]
    await h.scheduler.aclose()


async def test_findings_are_delivered_raw_whatever_the_threshold():
    # Thresholds are applied once, by engine.visible_findings, so lowering one later
    # shows what was already graded without a new call.
    h = Harness(Settings(min_confidence=0.95))
    h.update("a", [blk(SENTENCE)])
    await h.clock.advance(1)
    assert h.results[0][2] == ["We"]
    await h.scheduler.aclose()


async def test_failure_pauses_claude_then_recovers(h):
    h.critic.fail = Unavailable("Claude is overloaded", retry_after=None)
    h.update("a", [blk(SENTENCE)])
    await h.clock.advance(1)
    assert "unavailable" in h.kinds()
    assert h.scheduler.status().state == "paused"
    assert "overloaded" in h.scheduler.status().message
    h.critic.fail = None
    h.update("a", [blk(SENTENCE), blk("A second paragraph here.", 100)])
    await h.clock.advance(5)
    assert len(h.critic.batches) == 1
    await h.clock.advance(30)
    assert len(h.critic.batches) == 2
    assert "available" in h.kinds() and len(h.results) == 2


async def test_spent_budget_stops_calls():
    budget = DailyBudget(token_limit=100)
    h = Harness(budget=budget)
    budget.record(100, 0.0)
    h.update("a", [blk(SENTENCE)])
    await h.clock.advance(1)
    assert h.critic.batches == []
    assert h.kinds() == ["budget_spent"]
    assert h.scheduler.status().state == "budget_spent"
    await h.scheduler.aclose()


async def test_progress_events_bracket_each_review(h):
    h.update("a", [blk(SENTENCE)])
    await h.clock.advance(1)
    assert h.kinds() == ["review_started", "review_finished"]
    assert h.events[0].blocks == 1
    assert h.scheduler.status().state == "idle"


async def test_a_paragraph_is_reviewed_once_while_the_writer_stays_in_it(h):
    first = "We write tests."
    second = first + " They help us sleep."
    h.update("a", [blk(first)], cursor=len(first))
    await h.clock.advance(1)
    h.update("a", [blk(second)], cursor=len(second))
    await h.clock.advance(1)
    assert h.critic.batches == [[first]]  # second full stop, still inside: wait
    await h.clock.advance(3)
    assert h.critic.batches == [[first], [second]]  # idle_settle (4 s) passed


async def test_leaving_the_paragraph_sends_it(h):
    first = "We write tests."
    second = first + " They help us sleep."
    h.update("a", [blk(first)], cursor=len(first))
    await h.clock.advance(1)
    h.update("a", [blk(second), blk("Next", 100)], cursor=104)
    await h.clock.advance(0.5)
    assert h.critic.batches == [[first], [second]]


async def test_edits_arrive_as_blocks_removed_and_added(h):
    first, second = blk(SENTENCE), blk("Another finished sentence is here.", 100)
    h.update("a", [first, second])
    await h.clock.advance(1)
    assert len(h.results) == 2
    edited = blk(SENTENCE.replace("well", "soundly"))
    h.scheduler.edit_document("a", 2, [first], [edited], cursor_block=None)
    assert h.scheduler.status().pending == 1  # counted, not walked
    await h.clock.advance(1)
    assert [r[2] for r in h.results[2:]] == [["We"]] and len(h.critic.batches) == 2
    assert h.critic.batches[-1] == [edited.text]


async def test_a_removed_block_cancels_its_request_only_when_no_copy_is_left(h):
    h.critic.latency = 5.0
    twin = blk(SENTENCE, 200)
    h.update("a", [blk(SENTENCE), twin])
    await h.clock.advance(0.5)
    assert len(h.critic.batches) == 1
    h.scheduler.edit_document("a", 2, [twin], [])  # one copy left: keep going
    await h.clock.advance(0.1)
    assert h.critic.cancelled == 0
    h.scheduler.edit_document("a", 3, [blk(SENTENCE)], [])  # the last copy went
    await h.clock.advance(0.1)
    assert h.critic.cancelled == 1
    await h.scheduler.aclose()


async def test_drained_waits_for_requested_blocks(h):
    h.update("a", [blk(SENTENCE), blk("Another finished sentence is here.", 100)])
    h.scheduler.review_now("a")
    await asyncio.gather(h.scheduler.drained(), h.clock.advance(1))
    assert len(h.results) == 2
