"""Pricing, the per-minute limiter and the persisted daily budget."""

import pytest

from nudge.budget import DailyBudget, RateLimiter, TokenUsage, estimate_cost, price_for


@pytest.mark.parametrize(
    ("model", "expected_input_price"),
    [
        ("claude-sonnet-5-5", 3.0),
        ("claude-haiku-5-5", 1.0),
        ("claude-haiku-9-9-custom", 1.0),
        ("something-else", 3.0),
    ],
)
def test_price_lookup(model, expected_input_price):
    assert price_for(model).input == expected_input_price


def test_cost_counts_every_token_kind():
    usage = TokenUsage(1_000_000, 1_000_000, 1_000_000, 1_000_000)
    assert estimate_cost("claude-sonnet-5-5", usage) == pytest.approx(3 + 15 + 3.75 + 0.30)
    assert usage.total == 4_000_000
    assert (usage + usage).cache_read_tokens == 2_000_000


@pytest.mark.parametrize(
    ("starts", "now", "expected"),
    [([], 0.0, 0.0), ([0.0, 1.0], 2.0, 60.0), ([0.0, 1.0], 60.5, 60.5), ([5.0], 7.0, 7.0)],
)
def test_rate_limiter(starts, now, expected):
    limiter = RateLimiter(per_minute=2 if len(starts) != 1 else 1)
    for t in starts:
        limiter.record(t)
    assert limiter.next_slot(now) == (65.0 if len(starts) == 1 else expected)


@pytest.mark.parametrize(
    ("tokens", "cost", "token_limit", "cost_limit", "exhausted"),
    [
        (100, 0.1, 0, 0.0, False),
        (100, 0.1, 100, 0.0, True),
        (99, 0.1, 100, 0.0, False),
        (1, 1.0, 0, 1.0, True),
        (1, 0.99, 0, 1.0, False),
    ],
)
def test_budget_limits(tokens, cost, token_limit, cost_limit, exhausted):
    budget = DailyBudget(token_limit, cost_limit)
    budget.record(tokens, cost)
    assert budget.exhausted() is exhausted


def test_budget_persists_per_day(tmp_path):
    day = ["2026-01-01"]
    path = tmp_path / "budget.json"
    first = DailyBudget(1000, 0.0, path, today=lambda: day[0])
    first.record(600, 0.5)
    again = DailyBudget(1000, 0.0, path, today=lambda: day[0])
    assert again.spent() == (600, 0.5)
    again.record(500, 0.1)
    assert again.exhausted()
    day[0] = "2026-01-02"
    assert not again.exhausted()
    assert DailyBudget(1000, 0.0, path, today=lambda: day[0]).spent() == (0, 0.0)


def test_corrupt_budget_file_starts_at_zero(tmp_path):
    path = tmp_path / "budget.json"
    path.write_text("not json")
    assert DailyBudget(10, 0.0, path).spent() == (0, 0.0)


@pytest.mark.parametrize(
    "row",
    [
        '{"day": "D", "tokens": 1e999, "cost_usd": 0.5}',
        '{"day": "D", "tokens": 10, "cost_usd": NaN}',
        '{"day": "D", "tokens": -5, "cost_usd": 0.5}',
        '{"day": "D", "tokens": 1' + "0" * 400 + ', "cost_usd": 0.5}',
        '{"day": "D", "tokens": 10, "cost_usd": "x"}',
        '["not", "an", "object"]',
    ],
)
def test_bad_budget_row_starts_the_day_at_zero(tmp_path, row):
    path = tmp_path / "budget.json"
    path.write_text(row)
    budget = DailyBudget(100, 1.0, path, today=lambda: "D")
    assert budget.spent() == (0, 0.0)
    assert not budget.exhausted()
