"""Approval records: one per HIGH-risk interrupt, keyed by (thread_id, interrupt_id).

The graph node that raises the interrupt re-runs from the top when the thread resumes, so
creating the record must be idempotent; two approvers (or an approver and the expiry sweep)
may act at the same moment, so deciding is a single conditional UPDATE that only a PENDING
record can pass — the database picks the winner, not a read-modify-write in Python.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue
from sqlalchemy import ColumnElement, Row, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.enums import ApprovalStatus, Decision, Priority, RiskLevel
from storage.errors import ApprovalAlreadyDecidedError, ApprovalExpiredError, NotFoundError
from storage.pagination import Page, check_window
from storage.schema import approvals
from storage.sql import count, insert_or_ignore, is_uuid

ApprovalOrder = Literal["deadline", "oldest", "newest"]

#: The identity recorded on decisions nobody made by hand.
SYSTEM_ACTOR = "system"

_OUTCOME = {
    Decision.APPROVE: ApprovalStatus.APPROVED,
    Decision.MODIFY: ApprovalStatus.APPROVED,
    Decision.REJECT: ApprovalStatus.REJECTED,
}


class NewApproval(BaseModel):
    """What the approval gate records when it pauses a HIGH-risk action."""

    model_config = ConfigDict(frozen=True)

    thread_id: str = Field(min_length=1, max_length=255)
    interrupt_id: str = Field(min_length=1, max_length=255)
    run_id: str | None = None
    checkpoint_ns: str | None = None
    task_id: str | None = None
    risk_level: RiskLevel
    priority: Priority = "HIGH"
    cluster: str
    agent: str
    tool: str
    action_kind: str
    request: dict[str, JsonValue] = Field(description="The full approval request payload.")
    approver_roles: list[str] = Field(default_factory=list)
    deadline: AwareDatetime | None = None


class ApprovalRecord(NewApproval):
    id: str
    status: ApprovalStatus
    created_at: AwareDatetime
    decided_at: AwareDatetime | None = None
    decided_by: str | None = None
    decision: Decision | None = None
    notes: str | None = None
    modified_args: dict[str, JsonValue] | None = None
    reclassified_level: RiskLevel | None = None

    @property
    def is_pending(self) -> bool:
        return self.status is ApprovalStatus.PENDING


def _record(row: Row[tuple[object, ...]]) -> ApprovalRecord:
    return ApprovalRecord.model_validate(dict(row._mapping))


class ApprovalRepository:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def create_pending(
        self, new: NewApproval, *, approval_id: str | None = None
    ) -> ApprovalRecord:
        """Record a PENDING approval, or return the one already recorded for this interrupt.

        The existing record is returned whatever its status: a node re-running after the
        decision must see that decision, not a fresh request. ``approval_id`` (a UUID) lets
        the caller put the id into the request payload before the row exists.
        """
        values = new.model_dump(mode="json") | {
            "id": approval_id or str(uuid.uuid4()),
            "status": ApprovalStatus.PENDING.value,
            "created_at": self._clock(),
            "deadline": new.deadline,
        }
        async with self._db.transaction() as connection:
            insert = insert_or_ignore(connection, approvals, ("thread_id", "interrupt_id"))
            row = (await connection.execute(insert.values(values).returning(*approvals.c))).first()
            if row is None:
                row = (
                    await connection.execute(
                        select(approvals).where(
                            approvals.c.thread_id == new.thread_id,
                            approvals.c.interrupt_id == new.interrupt_id,
                        )
                    )
                ).one()
        return _record(row)

    async def get(self, approval_id: str) -> ApprovalRecord | None:
        async with self._db.read() as connection:
            return await self._get(connection, approval_id)

    async def get_by_interrupt(self, thread_id: str, interrupt_id: str) -> ApprovalRecord | None:
        query = select(approvals).where(
            approvals.c.thread_id == thread_id, approvals.c.interrupt_id == interrupt_id
        )
        async with self._db.read() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else _record(row)

    async def list(
        self,
        *,
        status: ApprovalStatus | Collection[ApprovalStatus] | None = None,
        cluster: str | None = None,
        risk_level: RiskLevel | None = None,
        thread_id: str | None = None,
        order: ApprovalOrder = "deadline",
        limit: int = 50,
        offset: int = 0,
    ) -> Page[ApprovalRecord]:
        """A page of approvals matching every given filter, and how many match in all.

        ``deadline`` order puts the most urgent first (no deadline last), then the oldest.
        """
        check_window(limit, offset)
        where = _filters(status, cluster, risk_level, thread_id)
        ordering = {
            "deadline": (
                approvals.c.deadline.asc().nulls_last(),
                approvals.c.created_at.asc(),
                approvals.c.id.asc(),
            ),
            "oldest": (approvals.c.created_at.asc(), approvals.c.id.asc()),
            "newest": (approvals.c.created_at.desc(), approvals.c.id.desc()),
        }[order]
        query = select(approvals).where(*where).order_by(*ordering).limit(limit).offset(offset)
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
            total = await count(connection, approvals, where)
        return Page(items=[_record(r) for r in rows], total=total, limit=limit, offset=offset)

    async def decide(
        self,
        approval_id: str,
        decision: Decision,
        *,
        by: str,
        notes: str | None = None,
        modified_args: dict[str, JsonValue] | None = None,
        reclassified_level: RiskLevel | None = None,
    ) -> ApprovalRecord:
        """Approve, reject or modify a PENDING approval; exactly one concurrent caller wins.

        ``by`` is the approver's identity from authentication. ``modify`` approves the action
        with ``modified_args`` (required) and records the level they were re-classified at.
        Raises ``ApprovalAlreadyDecidedError`` (with the current record) if the approval is no
        longer PENDING, ``ApprovalExpiredError`` if its deadline has passed, and
        ``NotFoundError`` if there is no such approval.
        """
        decision = Decision(decision)
        if decision not in _OUTCOME:
            raise ValueError("an approval expires through expire_due(), not decide()")
        if (decision is Decision.MODIFY) != (modified_args is not None):
            raise ValueError("modified_args goes with the modify decision, and only with it")
        if not by.strip():
            raise ValueError("a decision needs the approver's identity")
        if not is_uuid(approval_id):
            raise NotFoundError("approval", approval_id)
        now = self._clock()
        statement = (
            update(approvals)
            .where(
                approvals.c.id == approval_id,
                approvals.c.status == ApprovalStatus.PENDING.value,
                or_(approvals.c.deadline.is_(None), approvals.c.deadline > now),
            )
            .values(
                status=_OUTCOME[decision].value,
                decision=decision.value,
                decided_by=by,
                decided_at=now,
                notes=notes,
                modified_args=modified_args,
                reclassified_level=reclassified_level,
            )
            .returning(*approvals.c)
        )
        async with self._db.transaction() as connection:
            row = (await connection.execute(statement)).first()
            current = _record(row) if row is not None else await self._get(connection, approval_id)
        if current is None:
            raise NotFoundError("approval", approval_id)
        if row is None:
            if current.is_pending:
                raise ApprovalExpiredError(current)
            raise ApprovalAlreadyDecidedError(current)
        return current

    async def expire_due(self, now: datetime | None = None) -> builtins.list[ApprovalRecord]:
        """Expire every PENDING approval whose deadline has passed; returns exactly those.

        The caller resumes each returned thread down the reject path. A decision racing the
        sweep either lands first (the approval is then not returned) or fails.
        """
        now = now or self._clock()
        statement = (
            update(approvals)
            .where(
                approvals.c.status == ApprovalStatus.PENDING.value,
                approvals.c.deadline.is_not(None),
                approvals.c.deadline <= now,
            )
            .values(
                status=ApprovalStatus.EXPIRED.value,
                decision=Decision.EXPIRE.value,
                decided_by=SYSTEM_ACTOR,
                decided_at=now,
            )
            .returning(*approvals.c)
        )
        async with self._db.transaction() as connection:
            rows = (await connection.execute(statement)).all()
        return sorted((_record(r) for r in rows), key=lambda r: (r.deadline or now, r.created_at))

    async def close_pending(
        self, thread_id: str, *, reason: str, by: str
    ) -> builtins.list[ApprovalRecord]:
        """Close every PENDING approval of a thread that can no longer be resumed (it was
        deleted), with the reason; returns exactly those closed, none left PENDING."""
        statement = (
            update(approvals)
            .where(
                approvals.c.thread_id == thread_id,
                approvals.c.status == ApprovalStatus.PENDING.value,
            )
            .values(
                status=ApprovalStatus.CLOSED.value,
                decision=Decision.CLOSE.value,
                decided_by=by,
                decided_at=self._clock(),
                notes=reason,
            )
            .returning(*approvals.c)
        )
        async with self._db.transaction() as connection:
            rows = (await connection.execute(statement)).all()
        return [_record(r) for r in rows]

    async def count_pending(self, *, cluster: str | None = None) -> int:
        async with self._db.read() as connection:
            return await count(
                connection, approvals, _filters(ApprovalStatus.PENDING, cluster, None, None)
            )

    async def oldest_pending_age(self, now: datetime | None = None) -> timedelta | None:
        """How long the oldest PENDING approval has waited (``None`` when none waits)."""
        query = select(func.min(approvals.c.created_at)).where(
            approvals.c.status == ApprovalStatus.PENDING.value
        )
        async with self._db.read() as connection:
            oldest: datetime | None = (await connection.execute(query)).scalar_one()
        if oldest is None:
            return None
        return (now or self._clock()) - oldest

    @staticmethod
    async def _get(connection: AsyncConnection, approval_id: str) -> ApprovalRecord | None:
        if not is_uuid(approval_id):
            return None
        row = (
            await connection.execute(select(approvals).where(approvals.c.id == approval_id))
        ).first()
        return None if row is None else _record(row)


def _filters(
    status: ApprovalStatus | Collection[ApprovalStatus] | None,
    cluster: str | None,
    risk_level: str | None,
    thread_id: str | None,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if isinstance(status, str):
        where.append(approvals.c.status == ApprovalStatus(status).value)
    elif status is not None:
        where.append(approvals.c.status.in_([ApprovalStatus(s).value for s in status]))
    if cluster is not None:
        where.append(approvals.c.cluster == cluster)
    if risk_level is not None:
        where.append(approvals.c.risk_level == risk_level.upper())
    if thread_id is not None:
        where.append(approvals.c.thread_id == thread_id)
    return where
