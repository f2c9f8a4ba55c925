"""Notifications for operators: MEDIUM-risk actions executed, alerts, expiries.

Each reader (a console user, an API identity) marks them read for themselves
(``notification_reads``); a notification's own ``read_at`` is the first time anyone read it.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, FromClause, Row, and_, insert, select, update

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.enums import NotificationLevel, RiskLevel
from storage.errors import NotFoundError
from storage.pagination import Page, check_window
from storage.schema import notification_reads, notifications
from storage.sql import count, insert_or_ignore, is_uuid


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
    read_at: AwareDatetime | None = Field(
        default=None, description="When the reader asked about read it (else anyone), or null."
    )


def _record(row: Row[*tuple[Any, ...]]) -> NotificationRecord:
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
        reader: str | None = None,
        unread_only: bool = False,
        level: NotificationLevel | None = None,
        thread_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[NotificationRecord]:
        """Newest first. With ``reader``, ``read_at`` (and ``unread_only``) are that reader's;
        without, they say whether anyone has read it."""
        check_window(limit, offset)
        where: list[ColumnElement[bool]] = []
        source, read_at = _read_by(reader)
        if unread_only:
            where.append(read_at.is_(None))
        if level is not None:
            where.append(notifications.c.level == NotificationLevel(level).value)
        if thread_id is not None:
            where.append(notifications.c.thread_id == thread_id)
        query = (
            select(*_FIELDS, read_at.label("read_at"))
            .select_from(source)
            .where(*where)
            .order_by(notifications.c.at.desc(), notifications.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
            total = await count(connection, source, where)
        return Page(items=[_record(r) for r in rows], total=total, limit=limit, offset=offset)

    async def get(self, notification_id: str, *, reader: str | None = None) -> NotificationRecord:
        if not is_uuid(notification_id):
            raise NotFoundError("notification", notification_id)
        source, read_at = _read_by(reader)
        query = (
            select(*_FIELDS, read_at.label("read_at"))
            .select_from(source)
            .where(notifications.c.id == notification_id)
        )
        async with self._db.read() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            raise NotFoundError("notification", notification_id)
        return _record(row)

    async def count_unread(self, reader: str | None = None) -> int:
        """Unread by ``reader``; without one, read by nobody yet."""
        source, read_at = _read_by(reader)
        async with self._db.read() as connection:
            return await count(connection, source, [read_at.is_(None)])

    async def mark_read(
        self,
        notification_ids: Sequence[str] | None,
        *,
        reader: str,
        at: datetime | None = None,
    ) -> builtins.list[str]:
        """Mark notifications read for ``reader`` (``None``: every one unread by them); the ids
        this marked, oldest first (those already read are left as they were, first read time
        kept). An unknown id raises ``NotFoundError`` and marks nothing."""
        read_at = at or self._clock()
        wanted: builtins.list[ColumnElement[bool]] = []
        if notification_ids is not None:
            ids = builtins.list(dict.fromkeys(notification_ids))
            for notification_id in ids:
                if not is_uuid(notification_id):
                    raise NotFoundError("notification", notification_id)
            wanted.append(notifications.c.id.in_(ids))
        source, reader_read_at = _read_by(reader)
        unread = (
            select(notifications.c.id, notifications.c.at)
            .select_from(source)
            .where(reader_read_at.is_(None), *wanted)
            .order_by(notifications.c.at, notifications.c.id)
        )
        marked: builtins.list[str] = []
        async with self._db.transaction() as connection:
            if notification_ids is not None:
                found = select(notifications.c.id).where(*wanted)
                known = {str(row.id) for row in (await connection.execute(found)).all()}
                for notification_id in ids:
                    if notification_id not in known:
                        raise NotFoundError("notification", notification_id)
            pending = [str(row.id) for row in (await connection.execute(unread)).all()]
            for start in range(0, len(pending), _MARK_BATCH):
                batch = pending[start : start + _MARK_BATCH]
                marks = [
                    {"notification_id": one, "reader": reader, "read_at": read_at} for one in batch
                ]
                statement = (
                    insert_or_ignore(connection, notification_reads, _READ_KEY)
                    .values(marks)
                    .returning(notification_reads.c.notification_id)
                )
                rows = (await connection.execute(statement)).all()
                landed = {str(row.notification_id) for row in rows}
                marked += [i for i in batch if i in landed]
            if marked:  # the notification's own read_at: the first time anyone read it
                await connection.execute(
                    update(notifications)
                    .where(notifications.c.id.in_(marked), notifications.c.read_at.is_(None))
                    .values(read_at=read_at)
                )
        return marked


_FIELDS = [column for column in notifications.c if column.name != "read_at"]
_READ_KEY = ("notification_id", "reader")
_MARK_BATCH = 500


def _read_by(reader: str | None) -> tuple[FromClause, ColumnElement[Any]]:
    """The notifications joined to one reader's marks, and the read time to use."""
    if reader is None:
        return notifications, notifications.c.read_at
    joined = notifications.outerjoin(
        notification_reads,
        and_(
            notification_reads.c.notification_id == notifications.c.id,
            notification_reads.c.reader == reader,
        ),
    )
    return joined, notification_reads.c.read_at
