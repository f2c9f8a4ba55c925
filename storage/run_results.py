"""What each finished run left (final values, ``__interrupt__`` or ``__error__``), kept in the
database for the event retention period.

The broker (Redis) carries a run's events, but Redis is an accelerator: events published while it
was unreachable, or held by a Redis that restarted empty, are gone. A stream, join or wait that
finds its run finished without the final event answers from this row instead, so no client gets
``null`` or an empty stream for a run that completed. Stateless runs delete their thread when they
end, so the thread's values cannot serve that purpose.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Index, String, Table, delete, select

from storage.engine import Database
from storage.schema import metadata
from storage.sql import insert_or_ignore
from storage.types import JsonColumn, UtcDateTime

run_results = Table(
    "run_results",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("result", JsonColumn),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "created_at"),
)


async def save(
    database: Database, run_id: str, result: Any, now: datetime, keep_seconds: float
) -> None:
    """Keep ``result`` for ``run_id`` (the first outcome recorded wins) and drop expired rows."""
    async with database.transaction() as connection:
        await connection.execute(
            insert_or_ignore(connection, run_results, ["run_id"]).values(
                run_id=run_id, result=result, created_at=now
            )
        )
        expired = now - timedelta(seconds=keep_seconds)
        await connection.execute(delete(run_results).where(run_results.c.created_at < expired))


async def load(database: Database, run_id: str) -> tuple[bool, Any]:
    """``(found, result)``: whether an outcome is kept for the run, and what it is."""
    async with database.read() as connection:
        row = (
            await connection.execute(
                select(run_results.c.result).where(run_results.c.run_id == run_id)
            )
        ).first()
    return (False, None) if row is None else (True, row.result)
