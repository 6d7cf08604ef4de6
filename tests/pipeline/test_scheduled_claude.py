"""Scheduler + ClaudeCritic + results cache + budget, with the real client and the fake."""

import anthropic

from nudge.budget import DailyBudget
from nudge.critics.base import DocumentContext
from nudge.critics.claude import ClaudeCritic
from nudge.model import Block
from nudge.results_cache import ResultsCache
from nudge.scheduler import Scheduler, VirtualClock
from nudge.settings import Settings
from tests.fakes.fake_claude import error, heuristic_responder
from tests.fakes.virtual_latency import HeldClient

TEXT = "We write tests in order to sleep well at night."


class Run:
    def __init__(self, fake, tmp_path, budget=None):
        fake.responder = heuristic_responder(score=0.8)
        self.clock = VirtualClock()
        real = anthropic.AsyncAnthropic(api_key="k", base_url=fake.url, max_retries=0)
        client = HeldClient(real, self.clock, latency=0.4)
        self.critic = ClaudeCritic(
            client, model="claude-sonnet-5-5", grader_model="claude-haiku-5-5", budget=budget
        )
        self.results, self.events = [], []
        self.scheduler = Scheduler(
            self.critic,
            Settings(),
            self.on_results,
            on_event=self.events.append,
            clock=self.clock,
            cache=ResultsCache(tmp_path / "cache"),
            budget=budget,
        )

    async def on_results(self, uri, block_hash, findings):
        self.results.append((uri, [(f.quote, f.replacement, f.confidence) for f in findings]))

    async def open(self, uri, text):
        block = Block.make(0, text, text)
        self.scheduler.update_document(uri, 1, [block], context=DocumentContext(uri=uri))
        await self.clock.advance(2.0)


async def test_review_then_reopen_from_cache_costs_nothing(fake, tmp_path):
    run = Run(fake, tmp_path)
    await run.open("file:///a.md", TEXT)
    assert run.results == [("file:///a.md", [("in order to", "to", 0.8)])]
    tokens = run.critic.usage.total
    assert tokens > 0 and len(fake.requests) == 2
    run.scheduler.close_document("file:///a.md")
    await run.open("file:///a.md", TEXT)
    assert run.results[-1] == ("file:///a.md", [("in order to", "to", 0.8)])
    assert run.critic.usage.total == tokens and len(fake.requests) == 2
    await run.scheduler.aclose()


async def test_budget_exhaustion_stops_calls(fake, tmp_path):
    budget = DailyBudget(token_limit=500)
    run = Run(fake, tmp_path, budget)
    await run.open("file:///a.md", TEXT)
    assert budget.exhausted()  # one review of a cached-size prompt is more than 500 tokens
    calls = len(fake.requests)
    await run.open("file:///b.md", "Another paragraph that is able to say a lot of things.")
    assert len(fake.requests) == calls
    assert [e.kind for e in run.events][-1] == "budget_spent"
    assert run.scheduler.status().state == "budget_spent"
    await run.scheduler.aclose()


async def test_rate_limited_claude_pauses_without_crashing(fake, tmp_path):
    run = Run(fake, tmp_path)
    run.critic.caller.sleep = run.clock.sleep
    fake.push(*[error(429, retry_after=1)] * 3)
    await run.open("file:///a.md", TEXT)
    await run.clock.advance(3)
    assert "unavailable" in [e.kind for e in run.events]
    assert "rate limit" in run.scheduler.status().message
    assert run.results == []
    await run.clock.advance(40)
    assert run.results == [("file:///a.md", [("in order to", "to", 0.8)])]
    await run.scheduler.aclose()
