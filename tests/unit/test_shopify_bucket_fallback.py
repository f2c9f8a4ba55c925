"""The shared cost bucket when Redis goes away and comes back (a private ``redis-server``,
stopped and started on its port): reservations and settles keep working from a local bucket
sized to half the reported budget, nothing raises, and the shared estimate is resynchronised
from Shopify's next report once Redis answers again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from tests.private_services import PrivateRedis, private_redis
from tests.shopify_fakes import FakeClock
from tools.shopify.redis_bucket import RedisCostBucket
from tools.shopify.throttle import Reservation, ThrottleStatus

pytestmark = pytest.mark.redis

SHOP = "royal-demo.myshopify.com"


def status(available: float, maximum: float = 1000.0, rate: float = 50.0) -> ThrottleStatus:
    return ThrottleStatus(
        maximum_available=maximum, currently_available=available, restore_rate=rate
    )


def degraded(bucket: RedisCostBucket) -> bool:
    return bucket.degraded


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    with private_redis(tmp_path) as server:
        yield server


async def test_outage_falls_back_to_a_conservative_local_bucket_and_resyncs(
    redis_server: PrivateRedis,
) -> None:
    client: aioredis.Redis = aioredis.from_url(redis_server.url)
    bucket = RedisCostBucket(client, SHOP, clock=FakeClock(), retry_seconds=0.0, owns_client=True)
    try:
        await bucket.settle(Reservation(0, 0), 0, status(1000))
        assert await bucket.snapshot() == status(1000)
        assert bucket.outages == 0

        redis_server.stop()
        first = await bucket.reserve(400)
        assert first == Reservation(cost=400, wait=0.0, fallback=True)
        assert degraded(bucket)
        assert bucket.outages == 1
        # Half of the reported budget (500 points, 25/s): the second 400 waits for 300 points.
        second = await bucket.reserve(400)
        assert second.fallback
        assert second.wait == pytest.approx(300 / 25)
        await bucket.settle(first, 380, status(620))  # never raises while Redis is away
        local = await bucket.snapshot()
        assert local is not None
        assert local.maximum_available == 500

        redis_server.start()  # an empty Redis: the shared estimate was lost with it
        await bucket.settle(second, 390, status(230))
        assert not degraded(bucket)
        assert await bucket.snapshot() == status(230)  # resynchronised from the report
        back = await bucket.reserve(100)
        assert back == Reservation(cost=100, wait=0.0)
        assert bucket.outages == 1
    finally:
        await bucket.aclose()


async def test_a_down_bucket_waits_before_trying_redis_again(
    redis_server: PrivateRedis,
) -> None:
    """Within ``retry_seconds`` of a failure Redis is not asked again (no connect per call)."""
    bucket = RedisCostBucket.from_url(redis_server.url, SHOP, clock=FakeClock())
    try:
        redis_server.stop()
        assert (await bucket.reserve(10)).fallback
        redis_server.start()
        assert (await bucket.reserve(10)).fallback  # still local: retried after 2 s
        assert await bucket.snapshot() is None  # nothing reported yet, locally either
    finally:
        await bucket.aclose()
