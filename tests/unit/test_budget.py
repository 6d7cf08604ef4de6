"""Pricing, the per-minute limiter and the persisted daily budget."""

import pytest

from nudge.budget import DailyBudget, RateLimiter, TokenUsage, estimate_cost


@pytest.mark.parametrize(
    ("model", "usage", "expected"),
    [
        # Sonnet 5.5: $2 in, $10 out, $2.50 5-minute writes, $0.10 reads (reference §4)
        ("claude-sonnet-5-5", TokenUsage(1_000_000, 1_000_000, 1_000_000, 1_000_000), 14.60),
        ("claude-haiku-5-5", TokenUsage(1_000_000, 0, 0, 0), 0.50),  # > 100k: whole at $0.50
        ("claude-haiku-5-5", TokenUsage(50_000, 10_000, 0, 0), 0.005 + 0.005),
        ("claude-opus-5-5", TokenUsage(0, 1_000_000, 0, 0), 20.0),
        ("claude-sonnet-5", TokenUsage(0, 0, 0, 1_000_000), 0.20),
        ("claude-haiku-4-5", TokenUsage(0, 0, 1_000_000, 0), 1.25),
        ("something-else", TokenUsage(1_000_000, 0, 0, 0), 2.0),  # priced like Sonnet 5.5
    ],
)
def test_cost_from_the_model_table(model, usage, expected):
    assert estimate_cost(model, usage) == pytest.approx(expected)
    assert estimate_cost(model, usage, batch=True) == pytest.approx(expected / 2)


def test_hour_long_cache_writes_are_priced_at_twice_the_input_rate():
    # Sonnet 5.5: 5-minute writes $2.50, 1-hour writes $4 per million (reference §4).
    usage = TokenUsage(0, 0, 1_000_000, 0, 400_000)
    assert estimate_cost("claude-sonnet-5-5", usage) == pytest.approx(0.6 * 2.5 + 0.4 * 4.0)
    assert (usage + usage).cache_write_1h_tokens == 800_000


def test_token_usage_adds_up():
    usage = TokenUsage(1_000_000, 1_000_000, 1_000_000, 1_000_000)
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
