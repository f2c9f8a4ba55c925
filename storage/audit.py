"""The append-only audit log: every proposed, classified, approved and executed action.

Append-only is enforced by the database (triggers refuse UPDATE and DELETE), not by the
absence of an update method here: an audit trail that application code could rewrite would
prove nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue
from sqlalchemy import ColumnElement, Row, insert, select

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.enums import ActorKind, RiskLevel
from storage.pagination import Page, check_window
from storage.schema import audit_log
from storage.sql import count, insert_or_ignore


class AuditEvent(StrEnum):
    """The events the system writes; ``event`` accepts other dotted names too."""

    ACTION_PROPOSED = "action.proposed"
    ACTION_CLASSIFIED = "action.classified"
    ACTION_EXECUTED = "action.executed"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_DECIDED = "approval.decided"
    APPROVAL_EXPIRED = "approval.expired"
    APPROVAL_CLOSED = "approval.closed"
    EFFECT_APPLIED = "effect.applied"
    EFFECT_REPLAYED = "effect.replayed"
    BUDGET_EXCEEDED = "budget.exceeded"
    ALERT = "alert"
    NOTIFICATIONS_READ = "notifications.read"


class AuditEntry(BaseModel):
    """One thing that happened, who did it and why."""

    model_config = ConfigDict(frozen=True)

    event: str = Field(min_length=1, max_length=64)
    actor: str = Field(min_length=1, max_length=255, description="Agent, user identity or system")
    actor_kind: ActorKind
    thread_id: str | None = None
    run_id: str | None = None
    cluster: str | None = None
    action_kind: str | None = None
    risk_level: RiskLevel | None = None
    payload: dict[str, JsonValue] = Field(default_factory=dict)
    reasoning: str | None = None
    at: AwareDatetime | None = Field(default=None, description="Defaults to the append time.")
    dedupe_key: str | None = Field(
        default=None,
        max_length=255,
        description="Makes the append idempotent: a node that re-executes (on resume or after "
        "a crash) writes its entry once.",
    )


class AuditRecord(AuditEntry):
    id: int
    at: AwareDatetime


def _record(row: Row[tuple[object, ...]]) -> AuditRecord:
    return AuditRecord.model_validate(dict(row._mapping))


class AuditLog:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def append(self, entry: AuditEntry) -> AuditRecord:
        """Append ``entry``; with a ``dedupe_key`` already present, return that entry instead."""
        values = entry.model_dump(mode="json") | {"at": entry.at or self._clock()}
        async with self._db.transaction() as connection:
            if entry.dedupe_key is None:
                statement = insert(audit_log)
            else:
                statement = insert_or_ignore(connection, audit_log, ("dedupe_key",))
            row = (
                await connection.execute(statement.values(values).returning(*audit_log.c))
            ).first()
            if row is None:
                row = (
                    await connection.execute(
                        select(audit_log).where(audit_log.c.dedupe_key == entry.dedupe_key)
                    )
                ).one()
        return _record(row)

    async def list(
        self,
        *,
        thread_id: str | None = None,
        run_id: str | None = None,
        event: str | Collection[str] | None = None,
        actor: str | None = None,
        actor_kind: ActorKind | None = None,
        cluster: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        newest_first: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[AuditRecord]:
        """A page of entries matching every given filter (``since`` inclusive, ``until`` not)."""
        check_window(limit, offset)
        where: list[ColumnElement[bool]] = []
        for column, value in (
            (audit_log.c.thread_id, thread_id),
            (audit_log.c.run_id, run_id),
            (audit_log.c.actor, actor),
            (audit_log.c.cluster, cluster),
        ):
            if value is not None:
                where.append(column == value)
        if isinstance(event, str):
            where.append(audit_log.c.event == event)
        elif event is not None:
            where.append(audit_log.c.event.in_(list(event)))
        if actor_kind is not None:
            where.append(audit_log.c.actor_kind == ActorKind(actor_kind).value)
        if since is not None:
            where.append(audit_log.c.at >= since)
        if until is not None:
            where.append(audit_log.c.at < until)
        order = audit_log.c.id.desc() if newest_first else audit_log.c.id.asc()
        query = select(audit_log).where(*where).order_by(order).limit(limit).offset(offset)
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
            total = await count(connection, audit_log, where)
        return Page(items=[_record(r) for r in rows], total=total, limit=limit, offset=offset)
