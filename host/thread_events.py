"""Thread streaming (v3) events: numbered per thread, stored, and followed live.

Every event a thread's runs emit is appended to the thread's log in the database with the next
``seq`` (1, 2, 3… across runs) and ``event_id``; readers replay from the log and then follow
it. A wake-up tells readers there is more: in this process's memory, and over Redis pub/sub
when configured, so any API process streams any thread. The log is the record: a lost wake-up
costs at most a poll interval, never an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from storage.engine import Database
from storage.thread_events import ThreadEventStore

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""How long a reader waits for a wake-up before it looks at the log anyway."""
GAP_SECONDS = 2.0
"""How long a reader waits for a missing ``seq`` (a writer still committing) before moving on."""
READ_BATCH = 500


def _channel(thread_id: str) -> str:
    return f"royal:thread-events:{thread_id}"


class ThreadEventLog:
    """Append to and follow the per-thread event logs."""

    def __init__(self, database: Database, redis_url: str | None = None) -> None:
        self.store = ThreadEventStore(database)
        self._redis: aioredis.Redis | None = (
            None
            if redis_url is None
            else aioredis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=10)
        )
        self._next: dict[str, int] = {}
        """Next ``seq`` per thread this process wrote last (re-read when another wrote)."""
        self._locks: dict[str, asyncio.Lock] = {}
        self._followers: dict[str, set[asyncio.Event]] = {}
        self._known: set[str] = set()
        """Threads known to have a log (their runs emit v3 events)."""

    # --- writing ---------------------------------------------------------------------------
    async def append(
        self, thread_id: str, run_id: str | None, events: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Number, store and announce ``events``; returns them as stored."""
        if not events:
            return []
        lock = self._locks.setdefault(thread_id, asyncio.Lock())
        async with lock:
            for attempt in range(20):
                start = self._next.get(thread_id)
                if start is None:
                    start = await self.store.last_seq(thread_id) + 1
                numbered = [
                    {**event, "seq": start + i, "event_id": str(start + i)}
                    for i, event in enumerate(events)
                ]
                try:
                    await self.store.insert(thread_id, run_id, numbered, datetime.now(UTC))
                except IntegrityError:  # another process wrote to this thread meanwhile
                    self._next.pop(thread_id, None)
                    await asyncio.sleep(0.01 * attempt)
                    continue
                self._next[thread_id] = start + len(events)
                break
            else:  # pragma: no cover - twenty collisions in a row
                raise RuntimeError(f"could not append to the event log of thread {thread_id}")
        self._known.add(thread_id)
        self._wake(thread_id)
        if self._redis is not None:
            try:
                await self._redis.publish(_channel(thread_id), str(numbered[-1]["seq"]))
            except (RedisError, OSError) as exc:
                logger.warning("announcing thread events over Redis failed: %s", exc)
        return numbered

    def _wake(self, thread_id: str) -> None:
        for changed in self._followers.get(thread_id, ()):
            changed.set()

    async def enabled(self, thread_id: str) -> bool:
        """Whether the thread streams v3 events (it has a log)."""
        if thread_id in self._known:
            return True
        if await self.store.has_thread(thread_id):
            self._known.add(thread_id)
            return True
        return False

    def enable(self, thread_id: str) -> None:
        self._known.add(thread_id)

    async def forget(self, thread_id: str) -> None:
        """Delete a thread's log (the thread was deleted)."""
        await self.store.delete_thread(thread_id)
        self._known.discard(thread_id)
        self._next.pop(thread_id, None)

    # --- reading ---------------------------------------------------------------------------
    async def start_of_latest_run(self, thread_id: str) -> int:
        return await self.store.latest_run_start(thread_id)

    async def last_seq(self, thread_id: str) -> int:
        return await self.store.last_seq(thread_id)

    async def follow(self, thread_id: str, since: int | None) -> AsyncIterator[dict[str, Any]]:
        """Every event after ``since`` (``None``: from the start of the latest run), then live,
        in ``seq`` order, each once; runs until the caller stops iterating."""
        changed = asyncio.Event()
        followers = self._followers.setdefault(thread_id, set())
        followers.add(changed)
        listener = (
            None if self._redis is None else asyncio.ensure_future(self._listen(thread_id, changed))
        )
        try:
            last = since if since is not None else await self.start_of_latest_run(thread_id)
            gap_since: float | None = None
            while True:
                changed.clear()
                events = await self.store.read(thread_id, last, READ_BATCH)
                for event in events:
                    seq = int(event["seq"])
                    if seq != last + 1:
                        now = time.monotonic()
                        gap_since = gap_since or now
                        if now - gap_since < GAP_SECONDS:
                            break  # a writer is still committing the missing one
                    gap_since = None
                    last = seq
                    yield event
                else:
                    if len(events) >= READ_BATCH:
                        continue
                if gap_since is not None:
                    await asyncio.sleep(0.05)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), POLL_SECONDS)
        finally:
            followers.discard(changed)
            if not followers:
                self._followers.pop(thread_id, None)
            if listener is not None:
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)

    async def _listen(self, thread_id: str, changed: asyncio.Event) -> None:
        """Set ``changed`` on every Redis wake-up of the thread (until cancelled)."""
        assert self._redis is not None
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(_channel(thread_id))
                changed.set()  # announcements before the subscription: look now
                while True:
                    if await pubsub.get_message(ignore_subscribe_messages=True, timeout=30):
                        changed.set()
            except (RedisError, OSError) as exc:
                logger.warning("following thread events over Redis failed (polling): %s", exc)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(POLL_SECONDS)

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
