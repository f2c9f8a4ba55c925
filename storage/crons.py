"""Crons in the app database. A due cron is claimed by moving its ``next_run_date`` from the
value the claimer read to the next one in a single compare-and-set ``UPDATE``: of any number of
processes that see the same tick, exactly one changes the row, and only that one fires it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Row, and_, delete, func, insert, select, update

from storage import Database
from storage.crons_schema import crons
from storage.runs import json_contains

SORT_COLUMNS = (
    "cron_id",
    "assistant_id",
    "thread_id",
    "next_run_date",
    "end_time",
    "created_at",
    "updated_at",
)


class CronRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    cron_id: str
    assistant_id: str
    thread_id: str | None
    schedule: str
    timezone: str | None
    end_time: datetime | None
    enabled: bool
    on_run_completed: str | None
    payload: dict[str, Any]
    metadata: dict[str, Any]
    user_id: str | None
    next_run_date: datetime | None
    created_at: datetime
    updated_at: datetime

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _row(row: Row[Any]) -> CronRow:
    return CronRow.model_validate(dict(row._mapping))


class CronStore:
    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    async def create(self, **fields: Any) -> CronRow:
        now = self.clock()
        values = {"cron_id": str(uuid.uuid4()), "created_at": now, "updated_at": now, **fields}
        async with self.database.transaction() as connection:
            await connection.execute(insert(crons).values(values))
        return CronRow.model_validate(values)

    async def get(self, cron_id: str) -> CronRow | None:
        async with self.database.read() as connection:
            query = select(crons).where(crons.c.cron_id == cron_id)
            row = (await connection.execute(query)).first()
        return None if row is None else _row(row)

    async def update(self, cron_id: str, **fields: Any) -> CronRow | None:
        async with self.database.transaction() as connection:
            result = await connection.execute(
                update(crons)
                .where(crons.c.cron_id == cron_id)
                .values(updated_at=self.clock(), **fields)
                .returning(*crons.c)
            )
            row = result.first()
        return None if row is None else _row(row)

    async def delete(self, cron_id: str) -> bool:
        async with self.database.transaction() as connection:
            result = await connection.execute(delete(crons).where(crons.c.cron_id == cron_id))
        return bool(result.rowcount)

    def _where(
        self,
        assistant_id: str | None,
        thread_id: str | None,
        enabled: bool | None,
        metadata: dict[str, Any] | None,
    ) -> Any:
        conditions: list[Any] = []
        if assistant_id is not None:
            conditions.append(crons.c.assistant_id == assistant_id)
        if thread_id is not None:
            conditions.append(crons.c.thread_id == thread_id)
        if enabled is not None:
            conditions.append(crons.c.enabled == enabled)
        if metadata:
            conditions += json_contains(self.database.backend, crons, "metadata", metadata)
        return and_(True, *conditions)

    async def search(
        self,
        *,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        enabled: bool | None = None,
        metadata: dict[str, Any] | None = None,
        sort_by: str = "created_at",
        sort_order: str = "desc",
        limit: int = 10,
        offset: int = 0,
    ) -> tuple[list[CronRow], int]:
        where = self._where(assistant_id, thread_id, enabled, metadata)
        column = crons.c[sort_by]
        order = column.desc() if sort_order == "desc" else column.asc()
        async with self.database.read() as connection:
            total = (
                await connection.execute(select(func.count()).select_from(crons).where(where))
            ).scalar_one()
            rows = await connection.execute(
                select(crons)
                .where(where)
                .order_by(order, crons.c.cron_id)
                .limit(limit)
                .offset(offset)
            )
            return [_row(row) for row in rows], int(total)

    async def due(self, now: datetime, limit: int = 100) -> Sequence[CronRow]:
        """Enabled crons whose next run date has come."""
        query = (
            select(crons)
            .where(crons.c.enabled.is_(True), crons.c.next_run_date <= now)
            .order_by(crons.c.next_run_date)
            .limit(limit)
        )
        async with self.database.read() as connection:
            return [_row(row) for row in await connection.execute(query)]

    async def claim(self, cron: CronRow, next_run_date: datetime | None) -> bool:
        """Move the cron past the tick it was read at; ``True`` only for the one claimer."""
        async with self.database.transaction() as connection:
            result = await connection.execute(
                update(crons)
                .where(
                    crons.c.cron_id == cron.cron_id,
                    crons.c.next_run_date == cron.next_run_date,
                    crons.c.enabled.is_(True),
                )
                .values(next_run_date=next_run_date)
            )
        return bool(result.rowcount)
