"""Business goals set in chat ("raise conversion 5% this month"), for the console and API.

The CEO graph keeps its working copy of goals in the LangGraph store; this table is the
queryable record operators see and close.
"""

from __future__ import annotations

import builtins
import uuid

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Row, select, update

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.enums import GoalStatus
from storage.errors import NotFoundError
from storage.pagination import Page, check_window
from storage.schema import goals
from storage.sql import count, insert_or_ignore, is_uuid


class NewGoal(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str = Field(min_length=1)
    thread_id: str | None = None
    metric: str | None = Field(default=None, max_length=128, examples=["conversion_rate"])
    target: str | None = Field(default=None, max_length=128, examples=["+5%"])
    due: AwareDatetime | None = None


class GoalRecord(NewGoal):
    id: str
    status: GoalStatus
    created_at: AwareDatetime
    updated_at: AwareDatetime


def _record(row: Row[tuple[object, ...]]) -> GoalRecord:
    return GoalRecord.model_validate(dict(row._mapping))


class GoalRepository:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def create(self, new: NewGoal, *, goal_id: str | None = None) -> GoalRecord:
        """A new active goal; with ``goal_id`` (derived by the caller from the message that set
        it), creating it again returns the one already there instead of a twin."""
        now = self._clock()
        values = new.model_dump(mode="json") | {
            "id": goal_id or str(uuid.uuid4()),
            "due": new.due,
            "status": GoalStatus.ACTIVE.value,
            "created_at": now,
            "updated_at": now,
        }
        async with self._db.transaction() as connection:
            statement = insert_or_ignore(connection, goals, ["id"]).values(values)
            await connection.execute(statement)
            row = (await connection.execute(select(goals).where(goals.c.id == values["id"]))).one()
        return _record(row)

    async def get(self, goal_id: str) -> GoalRecord | None:
        if not is_uuid(goal_id):
            return None
        async with self._db.read() as connection:
            row = (await connection.execute(select(goals).where(goals.c.id == goal_id))).first()
        return None if row is None else _record(row)

    async def list_active(self, *, thread_id: str | None = None) -> builtins.list[GoalRecord]:
        """Active goals, oldest first (the order they were set in)."""
        page = await self.list(status=GoalStatus.ACTIVE, thread_id=thread_id, limit=500)
        return page.items

    async def list(
        self,
        *,
        status: GoalStatus | None = None,
        thread_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[GoalRecord]:
        check_window(limit, offset)
        where: list[ColumnElement[bool]] = []
        if status is not None:
            where.append(goals.c.status == GoalStatus(status).value)
        if thread_id is not None:
            where.append(goals.c.thread_id == thread_id)
        query = (
            select(goals)
            .where(*where)
            .order_by(goals.c.created_at.asc(), goals.c.id.asc())
            .limit(limit)
            .offset(offset)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
            total = await count(connection, goals, where)
        return Page(items=[_record(r) for r in rows], total=total, limit=limit, offset=offset)

    async def update_status(
        self, goal_id: str, status: GoalStatus, *, only_if: GoalStatus | None = None
    ) -> GoalRecord:
        """Set the status (``only_if``: only when it is that now); the goal as it then is."""
        if not is_uuid(goal_id):
            raise NotFoundError("goal", goal_id)
        where = [goals.c.id == goal_id]
        if only_if is not None:
            where.append(goals.c.status == GoalStatus(only_if).value)
        statement = (
            update(goals)
            .where(*where)
            .values(status=GoalStatus(status).value, updated_at=self._clock())
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)
            row = (await connection.execute(select(goals).where(goals.c.id == goal_id))).first()
        if row is None:
            raise NotFoundError("goal", goal_id)
        return _record(row)
