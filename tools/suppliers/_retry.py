"""Retry timing shared by the adapters: the retry policy and a client-side rate limiter.

Time is injected (``clock`` and ``sleep``) so tests check every wait with a fake clock instead
of spending wall time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tools.backoff import jittered_backoff, retry_after_seconds

Clock = Callable[[], float]
"""Monotonic seconds."""
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard an adapter tries before it raises.

    ``max_retry_after`` bounds how long one server-requested wait may be: a longer one (a daily
    quota, a long outage) fails fast with a typed error instead of parking an agent for minutes.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with equal jitter for the ``attempt``-th failure (1-based).

        Half the delay is fixed and half random, so concurrent clients spread out without any
        of them retrying immediately.
        """
        return jittered_backoff(attempt, base=self.base_delay, cap=self.max_delay, rng=rng)


parse_retry_after = retry_after_seconds
"""The name the supplier tests know ``retry_after_seconds`` by."""


class RateLimiter:
    """A token bucket kept on the client side, so the supplier's limit is rarely hit at all.

    ``rate`` tokens per second refill a bucket of ``burst`` tokens; ``acquire`` waits for one.
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Take one token, sleeping until it is there; returns the seconds waited."""
        async with self._lock:
            self._refill()
            wait = 0.0
            if self._tokens < 1:
                wait = (1 - self._tokens) / self.rate
                await self._sleep(wait)
                self._refill()
            self._tokens = max(0.0, self._tokens - 1)
            return wait

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
