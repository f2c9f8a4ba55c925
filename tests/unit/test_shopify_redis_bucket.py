"""The Redis-shared cost bucket, against the real Redis server: one budget for many clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from tests.shopify_fakes import FakeClock
from tools.shopify.redis_bucket import RedisCostBucket
from tools.shopify.throttle import Reservation, ThrottleStatus

pytestmark = pytest.mark.redis

SHOP = "royal-demo.myshopify.com"


def as_pair(reservation: Reservation) -> tuple[float, float]:
    return reservation.cost, reservation.wait


def status(available: float, maximum: float = 1000.0, rate: float = 50.0) -> ThrottleStatus:
    return ThrottleStatus(
        maximum_available=maximum, currently_available=available, restore_rate=rate
    )


@pytest.fixture
async def buckets(
    redis_url: str,
) -> AsyncIterator[tuple[RedisCostBucket, RedisCostBucket, FakeClock]]:
    """Two buckets for the same shop on two separate connections (two workers), one clock."""
    clock = FakeClock()
    first = RedisCostBucket(aioredis.from_url(redis_url), SHOP, clock=clock, owns_client=True)
    second = RedisCostBucket(aioredis.from_url(redis_url), SHOP, clock=clock, owns_client=True)
    yield first, second, clock
    await first.aclose()
    await second.aclose()


async def test_unknown_until_shopify_reports(
    buckets: tuple[RedisCostBucket, RedisCostBucket, FakeClock],
) -> None:
    first, _, _ = buckets
    assert await first.snapshot() is None
    assert await first.reserve(100) == Reservation(cost=0.0, wait=0.0)


async def test_two_workers_draw_from_one_budget(
    buckets: tuple[RedisCostBucket, RedisCostBucket, FakeClock],
) -> None:
    first, second, _ = buckets
    await first.settle(Reservation(0, 0), 0, status(100, rate=10))
    assert await first.reserve(60) == Reservation(cost=60, wait=0.0)
    # The second worker sees the first one's reservation: only 40 points are left.
    assert as_pair(await second.reserve(60)) == pytest.approx((60, 2.0))
    snapshot = await first.snapshot()
    assert snapshot is not None
    assert snapshot.currently_available == pytest.approx(-20)


async def test_concurrent_reservations_are_serialised(
    buckets: tuple[RedisCostBucket, RedisCostBucket, FakeClock],
) -> None:
    first, second, _ = buckets
    await first.settle(Reservation(0, 0), 0, status(100, rate=10))
    reservations = await asyncio.gather(
        *(bucket.reserve(10) for _ in range(10) for bucket in (first, second))
    )
    waits = sorted(r.wait for r in reservations)
    # 100 points cover ten requests at once; each further one waits one more second.
    assert waits == pytest.approx([0.0] * 10 + [float(n) for n in range(1, 11)])


async def test_refill_refund_and_clamp_match_the_local_bucket(
    buckets: tuple[RedisCostBucket, RedisCostBucket, FakeClock],
) -> None:
    first, second, clock = buckets
    await first.settle(Reservation(0, 0), 0, status(100, maximum=1000, rate=50))
    clock.advance(4)
    snapshot = await second.snapshot()
    assert snapshot is not None
    assert snapshot.currently_available == pytest.approx(300)
    reservation = await first.reserve(100)
    await second.reserve(100)  # in flight on the other worker
    await first.settle(reservation, charged=30, status=status(270, maximum=1000, rate=50))
    snapshot = await second.snapshot()
    assert snapshot is not None
    assert snapshot.currently_available == pytest.approx(170)
    assert snapshot.maximum_available == 1000
    assert snapshot.restore_rate == 50


async def test_shops_have_separate_budgets(redis_url: str) -> None:
    clock = FakeClock()
    client = aioredis.from_url(redis_url)
    try:
        one = RedisCostBucket(client, "one.myshopify.com", clock=clock)
        other = RedisCostBucket(client, "other.myshopify.com", clock=clock)
        await one.settle(Reservation(0, 0), 0, status(0, rate=10))
        assert (await one.reserve(10)).wait == pytest.approx(1.0)
        assert await other.reserve(10) == Reservation(cost=0.0, wait=0.0)
    finally:
        await client.aclose()


async def test_redis_server_time_is_the_default_clock(redis_url: str) -> None:
    bucket = RedisCostBucket.from_url(redis_url, SHOP)
    try:
        await bucket.settle(Reservation(0, 0), 0, status(0, maximum=1000, rate=1))
        reservation = await bucket.reserve(100)
        # Time comes from Redis itself: the refill since the settle only shortens the wait.
        assert 0 < reservation.wait <= 100.0
    finally:
        await bucket.aclose()
