"""Retry timing, Retry-After parsing, the client-side limiter and order references."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tools.suppliers._keys import order_reference
from tools.suppliers._retry import RateLimiter, RetryPolicy, parse_retry_after


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_backoff_grows_with_jitter_and_stays_under_the_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        delays = [policy.backoff(attempt, rng) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 1


def test_a_policy_needs_one_attempt() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-2", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_retry_after_in_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(header, now=now) == 42.0
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0


async def test_limiter_spaces_calls_at_the_rate() -> None:
    time = FakeTime()
    limiter = RateLimiter(2.0, clock=time.clock, sleep=time.sleep)
    waits = [await limiter.acquire() for _ in range(4)]
    assert waits == [0.0, 0.5, 0.5, 0.5]
    assert time.sleeps == [0.5, 0.5, 0.5]


async def test_limiter_allows_a_burst_then_refills() -> None:
    time = FakeTime()
    limiter = RateLimiter(2.0, burst=3, clock=time.clock, sleep=time.sleep)
    assert [await limiter.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, 0.5]
    time.now += 10  # idle time refills up to the burst, not beyond
    assert [await limiter.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, 0.5]


def test_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(0)


def test_short_safe_keys_are_the_reference() -> None:
    assert order_reference("run-42_publish", max_length=32) == "run-42_publish"


def test_long_or_unsafe_keys_become_a_stable_hash_within_the_limit() -> None:
    key = "thread:8b1f/task:3/action:place_order#" + "x" * 60
    reference = order_reference(key, max_length=32)
    assert reference == order_reference(key, max_length=32)
    assert reference.startswith("ro-")
    assert len(reference) == 32
    assert order_reference("a b", max_length=40) != "a b"
    assert order_reference(key, max_length=40) != reference


def test_an_order_needs_a_key() -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        order_reference("", max_length=32)
