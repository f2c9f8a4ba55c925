"""Shopify's calculated-cost budget, mirrored locally so requests wait instead of being throttled.

Shopify meters Admin GraphQL by query cost in a leaky bucket per app and shop: every response
reports ``extensions.cost.throttleStatus`` (``maximumAvailable``, ``currentlyAvailable``,
``restoreRate``). The client keeps an estimate of that bucket. Before a request it *reserves*
the expected cost; when the estimate is short it waits ``(requested - available) / restoreRate``.
After the response it *settles*: the unused part of the reservation is returned and the estimate
is clamped to what Shopify reported (never above it, so requests still in flight stay counted).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Clock = Callable[[], float]


class ThrottleStatus(BaseModel):
    """``extensions.cost.throttleStatus`` as Shopify reports it."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, frozen=True)

    maximum_available: float = Field(gt=0)
    currently_available: float
    restore_rate: float = Field(ge=0)


class QueryCost(BaseModel):
    """``extensions.cost`` of one response."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, frozen=True)

    requested_query_cost: float
    actual_query_cost: float | None = None
    throttle_status: ThrottleStatus | None = None

    @classmethod
    def from_extensions(cls, extensions: Any) -> QueryCost | None:
        if not isinstance(extensions, dict) or not isinstance(extensions.get("cost"), dict):
            return None
        try:
            return cls.model_validate(extensions["cost"])
        except ValueError:
            return None

    @property
    def charged(self) -> float:
        """What the bucket lost: the actual cost, or nothing when the query was not run."""
        return self.actual_query_cost or 0.0


def wait_for(requested: float, status: ThrottleStatus) -> float:
    """Seconds until ``requested`` points are available: ``(requested - available) / rate``."""
    shortfall = min(requested, status.maximum_available) - status.currently_available
    if shortfall <= 0:
        return 0.0
    if status.restore_rate <= 0:
        return float("inf")
    return shortfall / status.restore_rate


@dataclass(frozen=True)
class Reservation:
    """Points taken from the estimate before a request, and how long to wait before sending."""

    cost: float
    wait: float
    fallback: bool = False
    """Taken from a process-local fallback bucket (Redis was unreachable), settled there too."""


class CostBucket(Protocol):
    """A shop's cost budget as the client sees it (local, or shared through Redis)."""

    async def reserve(self, cost: float) -> Reservation:
        """Take ``cost`` from the estimate; say how long to wait so the budget covers it."""
        ...

    async def settle(
        self, reservation: Reservation, charged: float, status: ThrottleStatus | None
    ) -> None:
        """Return the unused reservation and clamp the estimate to Shopify's report."""
        ...

    async def snapshot(self) -> ThrottleStatus | None:
        """The current estimate (``None`` until Shopify has reported a status)."""
        ...

    async def aclose(self) -> None: ...


class LocalCostBucket:
    """The budget estimate of one process. Unknown (no waiting) until the first response.

    ``share`` scales what Shopify reports: a fallback bucket used while the shared one is
    unreachable assumes the other workers of the shop draw the rest."""

    def __init__(self, clock: Clock, *, share: float = 1.0) -> None:
        self._clock = clock
        self.share = share
        self._lock = asyncio.Lock()
        self._maximum = 0.0
        self._available = 0.0
        self._rate = 0.0
        self._updated = 0.0
        self._known = False

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._available = min(self._maximum, self._available + elapsed * self._rate)
        self._updated = now

    async def reserve(self, cost: float) -> Reservation:
        async with self._lock:
            if not self._known:
                return Reservation(cost=0.0, wait=0.0)
            self._refill(self._clock())
            cost = min(cost, self._maximum)
            shortfall = cost - self._available
            wait = shortfall / self._rate if shortfall > 0 and self._rate > 0 else 0.0
            self._available -= cost
            return Reservation(cost=cost, wait=wait)

    async def settle(
        self, reservation: Reservation, charged: float, status: ThrottleStatus | None
    ) -> None:
        async with self._lock:
            now = self._clock()
            if self._known:
                self._refill(now)
                self._available += reservation.cost - charged
            if status is not None:
                self._maximum = status.maximum_available * self.share
                self._rate = status.restore_rate * self.share
                reported = status.currently_available * self.share
                self._available = min(self._available, reported) if self._known else reported
                self._available = min(self._available, self._maximum)
                self._updated = now
                self._known = True

    async def snapshot(self) -> ThrottleStatus | None:
        async with self._lock:
            if not self._known:
                return None
            self._refill(self._clock())
            return ThrottleStatus(
                maximum_available=self._maximum,
                currently_available=self._available,
                restore_rate=self._rate,
            )

    async def aclose(self) -> None:
        return None
