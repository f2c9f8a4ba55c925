"""Notifications for operators: MEDIUM-risk actions executed, alerts, expiries."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Row, insert, select, update

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.enums import NotificationLevel, RiskLevel
from storage.errors import NotFoundError
from storage.pagination import Page, check_window
from storage.schema import notifications
from storage.sql import count, is_uuid


class NewNotification(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: NotificationLevel
    title: str = Field(min_length=1)
    body: str
    risk_level: RiskLevel | None = None
    thread_id: str | None = None
    run_id: str | None = None
    cluster: str | None = None
    at: AwareDatetime | None = Field(default=None, description="Defaults to the creation time.")


class NotificationRecord(NewNotification):
    id: str
    at: AwareDatetime
    read_at: AwareDatetime | None = None


def _record(row: Row[tuple[object, ...]]) -> NotificationRecord:
    return NotificationRecord.model_validate(dict(row._mapping))


class NotificationRepository:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def create(self, new: NewNotification) -> NotificationRecord:
        values = new.model_dump(mode="json") | {
            "id": str(uuid.uuid4()),
            "at": new.at or self._clock(),
        }
        async with self._db.transaction() as connection:
            statement = insert(notifications).values(values).returning(*notifications.c)
            row = (await connection.execute(statement)).one()
        return _record(row)

    async def list(
        self,
        *,
        unread_only: bool = False,
        level: NotificationLevel | None = None,
        thread_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[NotificationRecord]:
        """Newest first."""
        check_window(limit, offset)
        where: list[ColumnElement[bool]] = []
        if unread_only:
            where.append(notifications.c.read_at.is_(None))
        if level is not None:
            where.append(notifications.c.level == NotificationLevel(level).value)
        if thread_id is not None:
            where.append(notifications.c.thread_id == thread_id)
        query = (
            select(notifications)
            .where(*where)
            .order_by(notifications.c.at.desc(), notifications.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
            total = await count(connection, notifications, where)
        return Page(items=[_record(r) for r in rows], total=total, limit=limit, offset=offset)

    async def count_unread(self) -> int:
        async with self._db.read() as connection:
            return await count(connection, notifications, [notifications.c.read_at.is_(None)])

    async def mark_read(
        self, notification_id: str, at: datetime | None = None
    ) -> NotificationRecord:
        """Mark one notification read (the first read time is kept)."""
        if not is_uuid(notification_id):
            raise NotFoundError("notification", notification_id)
        read_at = at or self._clock()
        async with self._db.transaction() as connection:
            await connection.execute(
                update(notifications)
                .where(notifications.c.id == notification_id, notifications.c.read_at.is_(None))
                .values(read_at=read_at)
            )
            row = (
                await connection.execute(
                    select(notifications).where(notifications.c.id == notification_id)
                )
            ).first()
        if row is None:
            raise NotFoundError("notification", notification_id)
        return _record(row)
