"""Run events in Redis, so any API process streams any run; wake-ups and cancel requests too.

Each run's events are a Redis Stream whose entry ids are ``0-<n>``: ``n`` is the event id the
SSE clients see, so ``Last-Event-ID`` maps straight onto ``XREAD``. A Lua script numbers and
appends atomically (a run resumed by another worker keeps counting); closing appends an end
marker and lets the keys expire. Wake-ups and cancel requests travel on one pub/sub channel.

Redis is an accelerator, never the record: runs, outcomes and thread values are in the database.
When Redis is unreachable events are dropped (logged once per outage), subscribers end once the
database says the run finished (``wait``/``join`` then answer from the runs and threads rows),
workers poll the database for pending runs and see cancel requests at their next heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, cast

import redis.asyncio as aioredis
from pydantic import BaseModel, ValidationError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from host.broker import END_EVENT, RunEvent
from host.encoding import dumps

logger = logging.getLogger(__name__)

CONTROL_CHANNEL = "royal:workers"
OPEN_TTL_SECONDS = 86_400
"""Events of a run that never closes (its workers all died) still expire."""

_PUBLISH = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local n = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], '0-' .. n, 'e', ARGV[1], 'd', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return n
"""

_CLOSE = """
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[2]) then return 0 end
local n = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], '0-' .. n, 'e', ARGV[1], 'd', 'null')
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return n
"""

Finished = Callable[[str], Awaitable[bool]]
"""Whether the database records the run as finished (the fallback when events go missing)."""


def _keys(run_id: str) -> list[str]:
    base = f"royal:run:{run_id}"
    return [f"{base}:events", f"{base}:seq", f"{base}:closed"]


class _Health:
    """Remembers an outage so callers skip Redis for a while and the log says it once."""

    def __init__(self, retry_seconds: float) -> None:
        self.retry_seconds = retry_seconds
        self._down_until = 0.0
        self._down = False

    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(self, exc: BaseException) -> None:
        self._down_until = time.monotonic() + self.retry_seconds
        if not self._down:
            self._down = True
            logger.warning(
                "Redis unreachable (%s): events are not streamed live; workers poll the "
                "database and see cancel requests at their heartbeat",
                exc,
            )

    def ok(self) -> None:
        if self._down:
            self._down = False
            logger.warning("Redis reachable again")


class RedisBroker:
    """``EventBroker`` and ``WorkerSignals`` over one Redis connection pool."""

    def __init__(
        self,
        client: aioredis.Redis,
        finished: Finished,
        *,
        retention: int = 600,
        block_seconds: float = 2.0,
        poll_interval: float = 1.0,
        retry_seconds: float = 2.0,
    ) -> None:
        self._client = client
        self._finished = finished
        self.retention = retention
        self.block_ms = int(block_seconds * 1000)
        self.poll_interval = poll_interval
        self._health = _Health(retry_seconds)
        self._publish = client.register_script(_PUBLISH)
        self._close = client.register_script(_CLOSE)
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def from_url(cls, url: str, finished: Finished, *, retention: int = 600) -> RedisBroker:
        client: aioredis.Redis = aioredis.from_url(
            url,
            socket_connect_timeout=2,
            socket_timeout=10,
            retry=Retry(NoBackoff(), 0),  # an outage is handled here, not by retrying inline
        )
        return cls(client, finished, retention=retention)

    # --- events ----------------------------------------------------------------------------
    async def publish(self, run_id: str, event: str, data: Any) -> None:
        await self._run_script(self._publish, run_id, [event, dumps(data), OPEN_TTL_SECONDS])

    async def close(self, run_id: str) -> None:
        await self._run_script(self._close, run_id, [END_EVENT, self.retention])

    async def reopen(self, run_id: str) -> None:
        if not self._health.available():
            return
        try:
            await self._client.delete(*_keys(run_id))
        except (RedisError, OSError) as exc:
            self._health.failed(exc)

    async def _run_script(self, script: Any, run_id: str, args: list[Any]) -> None:
        if not self._health.available():
            return
        try:
            await script(keys=_keys(run_id), args=args)
        except (RedisError, OSError) as exc:
            self._health.failed(exc)
        else:
            self._health.ok()

    def known(self, run_id: str) -> bool:
        """Always worth asking: ``subscribe`` ends at once for a finished run Redis forgot."""
        return True

    async def subscribe(
        self, run_id: str, after: int | None = None, *, in_flight: bool = False
    ) -> AsyncIterator[RunEvent]:
        key = _keys(run_id)[0]
        last = f"0-{max(after or 0, 0)}"
        first = True
        finished_seen = False
        while True:
            entries = await self._read(key, last, block=not first)
            if entries:
                for entry_id, fields in entries:
                    last = entry_id.decode()
                    name = fields[b"e"].decode()
                    if name == END_EVENT:
                        return
                    yield RunEvent(int(last.split("-", 1)[1]), name, json.loads(fields[b"d"]))
                continue
            if entries is None:  # Redis is down: wait for the database to say it is over
                await asyncio.sleep(self.poll_interval)
            elif first and in_flight:  # not started yet: wait for its events, no query
                first = False
                continue
            if await self._finished(run_id):
                # Finished with no end marker: it expired, or was lost in an outage, or is
                # being written now; one more read gives a finishing worker time to close.
                if finished_seen or (first and not await self._exists(key)):
                    return
                finished_seen = True
            first = False

    async def _read(self, key: str, last: str, *, block: bool) -> list[Any] | None:
        """New entries after ``last`` (``[]`` if none came in time); ``None`` if Redis is down."""
        if not self._health.available():
            return None
        try:
            response = await self._client.xread(
                {key: last}, count=256, block=self.block_ms if block else None
            )
        except (RedisError, OSError) as exc:
            self._health.failed(exc)
            return None
        self._health.ok()
        streams = cast(list[tuple[bytes, list[Any]]], response)  # RESP2: [(key, entries)]
        return list(streams[0][1]) if streams else []

    async def _exists(self, key: str) -> bool:
        try:
            return bool(await self._client.exists(key))
        except (RedisError, OSError) as exc:
            self._health.failed(exc)
            return False

    # --- worker signals --------------------------------------------------------------------
    def wake_all(self) -> None:
        self._spawn(self._send(ControlMessage(type="wake")))

    async def cancel_run(self, run_id: str, action: str) -> None:
        await self._send(
            ControlMessage.model_validate({"type": "cancel", "run_id": run_id, "action": action})
        )

    async def _send(self, message: ControlMessage) -> None:
        if not self._health.available():
            return
        try:
            await self._client.publish(CONTROL_CHANNEL, message.model_dump_json())
        except (RedisError, OSError) as exc:
            self._health.failed(exc)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def listen(
        self, on_wake: Callable[[], None], on_cancel: Callable[[str, str], object]
    ) -> None:
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(CONTROL_CHANNEL)
                self._health.ok()
                on_wake()  # messages sent while we were not listening are lost: look now
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
                    if message is not None:
                        _dispatch(message.get("data"), on_wake, on_cancel)
            except (RedisError, OSError) as exc:
                self._health.failed(exc)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(self._health.retry_seconds)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()


class ControlMessage(BaseModel):
    type: Literal["wake", "cancel"]
    run_id: str | None = None
    action: Literal["interrupt", "rollback"] = "interrupt"


def _dispatch(
    data: Any, on_wake: Callable[[], None], on_cancel: Callable[[str, str], object]
) -> None:
    try:
        message = ControlMessage.model_validate_json(data)
    except ValidationError:
        logger.warning("ignoring a malformed worker message: %r", data)
        return
    if message.type == "wake":
        on_wake()
    elif message.run_id is not None:
        on_cancel(message.run_id, message.action)
