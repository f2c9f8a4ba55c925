"""The cost bucket shared through Redis, so every worker of a shop draws from one budget.

Each operation is one Lua script, so reservations from many processes are atomic. Time comes
from the Redis server (``TIME``) so processes on different hosts agree on refill; tests may
inject a clock instead. The key expires after an idle hour: the next response re-learns it.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from tools.shopify.throttle import Clock, Reservation, ThrottleStatus

KEY_PREFIX = "royal:shopify:cost-bucket:"
IDLE_TTL_SECONDS = 3600

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
    ) -> None:
        self._redis = redis
        self.key = KEY_PREFIX + shop
        self._clock = clock
        self._owns_client = owns_client
        self._ttl = idle_ttl
        self._reserve = redis.register_script(RESERVE_SCRIPT)
        self._settle = redis.register_script(SETTLE_SCRIPT)
        self._snapshot = redis.register_script(SNAPSHOT_SCRIPT)

    @classmethod
    def from_url(cls, url: str, shop: str, *, clock: Clock | None = None) -> RedisCostBucket:
        return cls(aioredis.from_url(url), shop, clock=clock, owns_client=True)

    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock())

    async def reserve(self, cost: float) -> Reservation:
        raw: Any = await self._reserve(keys=[self.key], args=[self._now(), self._ttl, repr(cost)])
        wait, reserved = (float(_text(v)) for v in raw)
        return Reservation(cost=reserved, wait=wait)

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
        await self._settle(
            keys=[self.key],
            args=[self._now(), self._ttl, repr(reservation.cost), repr(charged), *reported],
        )

    async def snapshot(self) -> ThrottleStatus | None:
        raw: Any = await self._snapshot(keys=[self.key], args=[self._now()])
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
