"""The per-thread event log of thread streaming (v3): every event a thread's runs emitted.

Events are numbered per thread (``seq``, dense: 1, 2, 3…) across runs, so a client that
reconnects with ``since`` to any API process replays exactly what it missed from here, the
durable record; Redis only wakes the readers up (``host.thread_events``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Integer, String, Table, delete, func, insert, select

from storage.engine import Database
from storage.schema import metadata
from storage.types import JsonColumn, UtcDateTime

thread_events = Table(
    "thread_events",
    metadata,
    Column("thread_id", String(255), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("run_id", String(255)),
    Column("event", JsonColumn, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_thread_events_thread_id_run_id", "thread_id", "run_id"),
)


class ThreadEventStore:
    """Reads and writes of ``thread_events``; numbering is the caller's (``host``)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def last_seq(self, thread_id: str) -> int:
        async with self.database.read() as connection:
            found = await connection.scalar(
                select(func.max(thread_events.c.seq)).where(thread_events.c.thread_id == thread_id)
            )
        return int(found or 0)

    async def insert(
        self, thread_id: str, run_id: str | None, events: Sequence[dict[str, Any]], at: datetime
    ) -> None:
        """Insert events already numbered; a taken ``seq`` raises ``IntegrityError``."""
        rows = [
            {
                "thread_id": thread_id,
                "seq": event["seq"],
                "run_id": run_id,
                "event": event,
                "created_at": at,
            }
            for event in events
        ]
        async with self.database.transaction() as connection:
            await connection.execute(insert(thread_events), rows)

    async def read(self, thread_id: str, after: int, limit: int = 500) -> list[dict[str, Any]]:
        """Events with ``seq > after``, oldest first."""
        query = (
            select(thread_events.c.event)
            .where(thread_events.c.thread_id == thread_id, thread_events.c.seq > after)
            .order_by(thread_events.c.seq)
            .limit(limit)
        )
        async with self.database.read() as connection:
            result = await connection.execute(query)
            return [dict(row.event) for row in result]

    async def latest_run_start(self, thread_id: str) -> int:
        """``seq - 1`` of the first event of the thread's latest run (0: none): where a
        stream opened without ``since`` starts replaying."""
        latest = (
            select(thread_events.c.run_id)
            .where(thread_events.c.thread_id == thread_id)
            .order_by(thread_events.c.seq.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = select(func.min(thread_events.c.seq)).where(
            thread_events.c.thread_id == thread_id, thread_events.c.run_id == latest
        )
        async with self.database.read() as connection:
            found = await connection.scalar(query)
        return max(int(found or 1) - 1, 0)

    async def has_thread(self, thread_id: str) -> bool:
        query = select(thread_events.c.seq).where(thread_events.c.thread_id == thread_id).limit(1)
        async with self.database.read() as connection:
            return (await connection.scalar(query)) is not None

    async def delete_thread(self, thread_id: str) -> None:
        async with self.database.transaction() as connection:
            await connection.execute(
                delete(thread_events).where(thread_events.c.thread_id == thread_id)
            )
