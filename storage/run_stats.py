"""Figures over the runs table for the dashboard and the agents' metrics (one query each)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from storage import Database
from storage.runs_schema import runs


async def runs_by_status(
    database: Database, *, since: datetime | None = None, assistant_id: str | None = None
) -> dict[str, int]:
    """How many runs are in each status (created since ``since``, of ``assistant_id``)."""
    where: list[ColumnElement[bool]] = []
    if since is not None:
        where.append(runs.c.created_at >= since)
    if assistant_id is not None:
        where.append(runs.c.assistant_id == assistant_id)
    query = select(runs.c.status, func.count()).where(*where).group_by(runs.c.status)
    async with database.read() as connection:
        rows = (await connection.execute(query)).all()
    return {str(status): int(number) for status, number in rows}


async def last_run_at(database: Database, assistant_id: str) -> datetime | None:
    query = select(func.max(runs.c.created_at)).where(runs.c.assistant_id == assistant_id)
    async with database.read() as connection:
        found: datetime | None = (await connection.execute(query)).scalar_one()
    return found
