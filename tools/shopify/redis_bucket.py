"""The cost bucket shared through Redis, so every worker of a shop draws from one budget.

Each operation is one Lua script, so reservations from many processes are atomic. Time comes
from the Redis server (``TIME``) so processes on different hosts agree on refill; tests may
inject a clock instead. The key expires after an idle hour: the next response re-learns it.

Redis is an accelerator, not a dependency: when it is unreachable the bucket falls back to a
process-local one sized to a share of what Shopify reports (the other workers draw the rest;
Shopify's own throttling answers, retried by the transport, catch any overshoot), tries Redis
again every few seconds, and on its return resynchronises the shared estimate from Shopify's
latest report. A settle never raises, so an applied mutation is never reported as failed
because the budget could not be written back.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tools.shopify.throttle import Clock, LocalCostBucket, Reservation, ThrottleStatus

logger = logging.getLogger(__name__)

KEY_PREFIX = "royal:shopify:cost-bucket:"
IDLE_TTL_SECONDS = 3600
FALLBACK_SHARE = 0.5
"""The part of the shop's budget one process assumes while it cannot see the shared bucket."""
RETRY_SECONDS = 2.0
"""How long the bucket stays local after a Redis failure before trying Redis again."""
SOCKET_TIMEOUT_SECONDS = 2.0
_OUTAGE = (RedisError, OSError)

_NOW = """
local now = tonumber(ARGV[1])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

_LOAD = """
local s = redis.call('HMGET', KEYS[1], 'max', 'avail', 'rate', 'ts')
local known = s[1] ~= false
local maximum, avail, rate = 0, 0, 0
if known then
  maximum, avail, rate = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])
  avail = math.min(maximum, avail + math.max(0, now - tonumber(s[4])) * rate)
end
"""

_STORE = """
redis.call('HSET', KEYS[1], 'max', tostring(maximum), 'avail', tostring(avail),
           'rate', tostring(rate), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
"""

# ARGV: now|"", ttl, cost  ->  {wait, reserved}
RESERVE_SCRIPT = (
    _NOW
    + _LOAD
    + """
if not known then return {'0', '0'} end
local cost = math.min(tonumber(ARGV[3]), maximum)
local wait = 0
if cost > avail and rate > 0 then wait = (cost - avail) / rate end
avail = avail - cost
"""
    + _STORE
    + """
return {tostring(wait), tostring(cost)}
"""
)

# ARGV: now|"", ttl, reserved, charged, max|"", available|"", rate|""
SETTLE_SCRIPT = (
    _NOW
    + _LOAD
    + """
if known then avail = avail + tonumber(ARGV[3]) - tonumber(ARGV[4]) end
if ARGV[5] ~= '' then
  local reported = tonumber(ARGV[6])
  maximum, rate = tonumber(ARGV[5]), tonumber(ARGV[7])
  if known then avail = math.min(avail, reported) else avail = reported end
  avail = math.min(avail, maximum)
  known = true
end
if not known then return 0 end
"""
    + _STORE
    + """
return 1
"""
)

# ARGV: now|""  ->  {max, avail, rate} or {}
SNAPSHOT_SCRIPT = (
    _NOW
    + _LOAD
    + """
if not known then return {} end
return {tostring(maximum), tostring(avail), tostring(rate)}
"""
)


class RedisCostBucket:
    """A :class:`~tools.shopify.throttle.CostBucket` whose state lives in Redis, keyed per shop."""

    def __init__(
        self,
        redis: aioredis.Redis,
        shop: str,
        *,
        clock: Clock | None = None,
        owns_client: bool = False,
        idle_ttl: int = IDLE_TTL_SECONDS,
        fallback_share: float = FALLBACK_SHARE,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._redis = redis
        self.key = KEY_PREFIX + shop
        self._clock = clock
        self._owns_client = owns_client
        self._ttl = idle_ttl
        self._reserve = redis.register_script(RESERVE_SCRIPT)
        self._settle = redis.register_script(SETTLE_SCRIPT)
        self._snapshot = redis.register_script(SNAPSHOT_SCRIPT)
        self._local = LocalCostBucket(clock or time.monotonic, share=fallback_share)
        self._retry_seconds = retry_seconds
        self._down_until: float | None = None
        self.outages = 0
        """Times Redis was found unreachable (each followed by local operation)."""

    @classmethod
    def from_url(cls, url: str, shop: str, *, clock: Clock | None = None) -> RedisCostBucket:
        client: aioredis.Redis = aioredis.from_url(
            url,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
        )
        return cls(client, shop, clock=clock, owns_client=True)

    @property
    def degraded(self) -> bool:
        """Whether the bucket is running locally because Redis was unreachable."""
        return self._down_until is not None

    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock())

    def _shared(self) -> bool:
        return self._down_until is None or time.monotonic() >= self._down_until

    def _lost(self, exc: BaseException) -> None:
        if self._down_until is None:
            self.outages += 1
            logger.warning(
                "Redis unreachable for the Shopify cost bucket of %s (%s): using a local "
                "bucket at %.0f%% of the reported budget until it returns",
                self.key.removeprefix(KEY_PREFIX),
                type(exc).__name__,
                self._local.share * 100,
            )
        self._down_until = time.monotonic() + self._retry_seconds

    def _back(self) -> None:
        if self._down_until is not None:
            logger.info("Redis reachable again: the shared Shopify cost bucket is back in use")
            self._down_until = None

    async def reserve(self, cost: float) -> Reservation:
        if self._shared():
            try:
                raw: Any = await self._reserve(
                    keys=[self.key], args=[self._now(), self._ttl, repr(cost)]
                )
            except _OUTAGE as exc:
                self._lost(exc)
            else:
                self._back()
                wait, reserved = (float(_text(v)) for v in raw)
                return Reservation(cost=reserved, wait=wait)
        local = await self._local.reserve(cost)
        return Reservation(cost=local.cost, wait=local.wait, fallback=True)

    async def settle(
        self, reservation: Reservation, charged: float, status: ThrottleStatus | None
    ) -> None:
        reported: list[str] = (
            [
                repr(status.maximum_available),
                repr(status.currently_available),
                repr(status.restore_rate),
            ]
            if status is not None
            else ["", "", ""]
        )
        # The local bucket always learns Shopify's report, so a fallback starts informed.
        local = reservation if reservation.fallback else Reservation(0.0, 0.0)
        await self._local.settle(local, charged if reservation.fallback else 0.0, status)
        if not self._shared():
            return
        # A local reservation is not the shared bucket's to return: only the report resyncs it.
        shared = (0.0, 0.0) if reservation.fallback else (reservation.cost, charged)
        try:
            await self._settle(
                keys=[self.key],
                args=[self._now(), self._ttl, repr(shared[0]), repr(shared[1]), *reported],
            )
        except _OUTAGE as exc:
            self._lost(exc)
        else:
            self._back()

    async def snapshot(self) -> ThrottleStatus | None:
        if not self._shared():
            return await self._local.snapshot()
        try:
            raw: Any = await self._snapshot(keys=[self.key], args=[self._now()])
        except _OUTAGE as exc:
            self._lost(exc)
            return await self._local.snapshot()
        self._back()
        if not raw:
            return None
        maximum, available, rate = (float(_text(v)) for v in raw)
        return ThrottleStatus(
            maximum_available=maximum, currently_available=available, restore_rate=rate
        )

    async def aclose(self) -> None:
        if self._owns_client:
            await self._redis.aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
