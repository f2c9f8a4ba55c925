"""The local cost bucket's math, against a fake clock."""

from __future__ import annotations

import math

import pytest

from tests.shopify_fakes import FakeClock
from tools.shopify.throttle import LocalCostBucket, QueryCost, Reservation, ThrottleStatus, wait_for


def as_pair(reservation: Reservation) -> tuple[float, float]:
    return reservation.cost, reservation.wait


def status(available: float, maximum: float = 1000.0, rate: float = 50.0) -> ThrottleStatus:
    return ThrottleStatus(
        maximum_available=maximum, currently_available=available, restore_rate=rate
    )


async def known_bucket(clock: FakeClock, available: float, **kwargs: float) -> LocalCostBucket:
    bucket = LocalCostBucket(clock)
    await bucket.settle(Reservation(0.0, 0.0), 0.0, status(available, **kwargs))
    return bucket


def test_wait_is_shortfall_over_restore_rate() -> None:
    assert wait_for(300, status(100, rate=50)) == pytest.approx(4.0)
    assert wait_for(100, status(100)) == 0.0
    assert wait_for(50, status(900)) == 0.0


def test_wait_caps_the_request_at_the_bucket_size_and_never_ends_without_restore() -> None:
    assert wait_for(5000, status(900, maximum=1000, rate=100)) == pytest.approx(1.0)
    assert math.isinf(wait_for(10, status(0, rate=0)))


async def test_unknown_bucket_never_waits_and_reserves_nothing() -> None:
    bucket = LocalCostBucket(FakeClock())
    assert await bucket.reserve(500) == Reservation(cost=0.0, wait=0.0)
    assert await bucket.snapshot() is None


async def test_reserving_more_than_available_waits_for_the_shortfall() -> None:
    clock = FakeClock()
    bucket = await known_bucket(clock, available=100, rate=50)
    first = await bucket.reserve(300)
    assert as_pair(first) == pytest.approx((300, 4.0))
    # The reservation is taken even while waiting, so the next caller queues behind it.
    second = await bucket.reserve(100)
    assert second.wait == pytest.approx(6.0)


async def test_bucket_refills_with_time_up_to_its_maximum() -> None:
    clock = FakeClock()
    bucket = await known_bucket(clock, available=100, maximum=1000, rate=50)
    clock.advance(4)
    snapshot = await bucket.snapshot()
    assert snapshot is not None
    assert snapshot.currently_available == pytest.approx(300)
    clock.advance(3600)
    snapshot = await bucket.snapshot()
    assert snapshot is not None
    assert snapshot.currently_available == pytest.approx(1000)


async def test_settle_refunds_what_the_query_did_not_cost() -> None:
    clock = FakeClock()
    bucket = await known_bucket(clock, available=1000)
    reservation = await bucket.reserve(100)
    await bucket.settle(reservation, charged=12, status=None)
    snapshot = await bucket.snapshot()
    assert snapshot is not None
    assert snapshot.currently_available == pytest.approx(988)


async def test_settle_clamps_to_shopify_but_keeps_requests_in_flight_counted() -> None:
    clock = FakeClock()
    bucket = await known_bucket(clock, available=1000)
    first = await bucket.reserve(100)
    await bucket.reserve(100)  # still in flight: Shopify has not seen it yet
    # Shopify saw only the first request (actual cost 100): it reports 900.
    await bucket.settle(first, charged=100, status=status(900))
    snapshot = await bucket.snapshot()
    assert snapshot is not None
    assert snapshot.currently_available == pytest.approx(800)


async def test_settle_follows_shopify_down_when_someone_else_spent_the_budget() -> None:
    clock = FakeClock()
    bucket = await known_bucket(clock, available=1000)
    reservation = await bucket.reserve(10)
    await bucket.settle(reservation, charged=10, status=status(200, rate=100))
    assert as_pair(await bucket.reserve(400)) == pytest.approx((400, 2.0))


async def test_throttled_request_is_refunded_in_full() -> None:
    clock = FakeClock()
    bucket = await known_bucket(clock, available=1000)
    reservation = await bucket.reserve(300)
    await bucket.settle(reservation, charged=0, status=None)
    snapshot = await bucket.snapshot()
    assert snapshot is not None
    assert snapshot.currently_available == pytest.approx(1000)


async def test_cost_above_the_maximum_is_capped() -> None:
    clock = FakeClock()
    bucket = await known_bucket(clock, available=0, maximum=100, rate=10)
    assert as_pair(await bucket.reserve(5000)) == pytest.approx((100, 10.0))


def test_query_cost_reads_shopify_extensions() -> None:
    cost = QueryCost.from_extensions(
        {
            "cost": {
                "requestedQueryCost": 252,
                "actualQueryCost": 42,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": 1958,
                    "restoreRate": 100.0,
                },
            }
        }
    )
    assert cost is not None
    assert cost.charged == 42
    assert cost.throttle_status == status(1958, maximum=2000, rate=100)


def test_throttled_cost_charges_nothing() -> None:
    cost = QueryCost.from_extensions(
        {
            "cost": {
                "requestedQueryCost": 752,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 1000.0,
                    "currentlyAvailable": 12,
                    "restoreRate": 50.0,
                },
            }
        }
    )
    assert cost is not None
    assert cost.charged == 0
    assert cost.throttle_status is not None
    assert wait_for(cost.requested_query_cost, cost.throttle_status) == pytest.approx(14.8)


@pytest.mark.parametrize("extensions", [None, {}, {"cost": "x"}, {"cost": {"nope": 1}}])
def test_missing_or_malformed_cost_is_none(extensions: object) -> None:
    assert QueryCost.from_extensions(extensions) is None
