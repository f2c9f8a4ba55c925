"""The approval lifecycle every front end drives: look one up, decide it, expire the overdue,
close those whose thread is gone.

A decision is a run on the approval's thread that resumes its interrupt, created like any other
run (``host.runs``): workers execute it, any client can follow it, and the approval gate records
the decision under the decider's identity when the run reaches it. A second decision racing the
first finds the thread busy (strategy ``reject``) and is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, JsonValue

from host import runs
from host.approval_rules import check_decidable, edited_args
from host.errors import ConflictError, NotFoundError
from host.identity import SYSTEM, Principal, acting_as
from host.runtime import Runtime
from storage import ApprovalRecord, AuditEntry, AuditEvent
from storage.enums import ActorKind

logger = logging.getLogger(__name__)

DecisionName = Literal["approve", "reject", "modify"]


class Decided(BaseModel):
    """A decision on its way: follow ``run_id`` on ``thread_id`` to see it applied."""

    approval: ApprovalRecord
    decision: str
    decided_by: str
    thread_id: str
    run_id: str


class Expired(BaseModel):
    """An approval the sweep expired, and the run resuming its thread (``None``: not served)."""

    approval: ApprovalRecord
    run_id: str | None


async def get(runtime: Runtime, approval_id: str) -> ApprovalRecord:
    record = await runtime.require_services().approvals.get(approval_id)
    if record is None:
        raise NotFoundError("approval", approval_id)
    return record


async def decidable(runtime: Runtime, principal: Principal, approval_id: str) -> ApprovalRecord:
    """The approval, if ``principal`` may decide it now; a ``HostError`` saying why not."""
    record = await get(runtime, approval_id)
    check_decidable(principal, record, runtime.require_services().clock())
    return record


async def decide(
    runtime: Runtime,
    principal: Principal,
    approval_id: str,
    decision: DecisionName,
    *,
    notes: str | None = None,
    changes: dict[str, JsonValue] | None = None,
) -> Decided:
    """Approve, reject (notes are the reason) or modify (``changes`` to the action's args,
    validated here; the edited action is re-classified by the gate before it runs)."""
    record = await decidable(runtime, principal, approval_id)
    value: dict[str, Any] = {"decision": decision}
    if decision == "modify":
        value["args"] = edited_args(record, dict(changes or {}))
    if notes:
        value["notes"] = notes
    value["decided_by"] = principal.subject
    assistant_id = await _assistant_of(runtime, record)
    with acting_as(principal):
        run = await runs.start(
            runtime,
            record.thread_id,
            assistant_id,
            resume={record.interrupt_id: value},
            metadata={"approval_id": record.id, "decided_by": principal.subject},
            strategy="reject",  # a second decision racing this one finds the thread busy
        )
    return Decided(
        approval=record,
        decision=decision,
        decided_by=principal.subject,
        thread_id=record.thread_id,
        run_id=run.run_id,
    )


async def _assistant_of(runtime: Runtime, record: ApprovalRecord) -> str:
    thread = await runtime.store.get_thread(record.thread_id)
    assistant_id = None if thread is None else thread.metadata.get("assistant_id")
    if thread is None or not isinstance(assistant_id, str):
        raise ConflictError(
            f"thread {record.thread_id} of approval {record.id} is gone; the approval cannot "
            "be resumed"
        )
    if assistant_id not in runtime.graphs:
        raise ConflictError(
            f"approval {record.id} belongs to graph {assistant_id}, which this process does not "
            "serve"
        )
    return assistant_id


async def close_for_deleted_thread(
    runtime: Runtime, thread_id: str, principal: Principal
) -> list[ApprovalRecord]:
    """Close the pending approvals of a thread being deleted, with the reason, audited."""
    if runtime.services is None:
        return []
    services = runtime.services
    reason = f"closed: thread {thread_id} was deleted by {principal.subject}"
    closed = await services.approvals.close_pending(thread_id, reason=reason, by=principal.subject)
    for record in closed:
        await services.audit.append(
            AuditEntry(
                event=AuditEvent.APPROVAL_CLOSED,
                actor=principal.subject,
                actor_kind=ActorKind.SYSTEM if principal is SYSTEM else ActorKind.HUMAN,
                thread_id=thread_id,
                cluster=record.cluster,
                action_kind=record.action_kind,
                risk_level=record.risk_level,
                payload={"approval_id": record.id},
                reasoning=reason,
            )
        )
    return closed


async def sweep_once(runtime: Runtime, now: datetime | None = None) -> list[Expired]:
    """Expire what is overdue at ``now`` and start the runs that resume those threads down
    the reject path. Expiring is one conditional UPDATE that returns exactly the rows it
    changed, so with several processes sweeping each overdue approval is resumed once."""
    if runtime.services is None:
        return []
    swept: list[Expired] = []
    for record in await runtime.services.approvals.expire_due(now):
        try:
            assistant_id = await _assistant_of(runtime, record)
        except ConflictError as exc:
            logger.warning("approval %s expired; %s", record.id, exc)
            swept.append(Expired(approval=record, run_id=None))
            continue
        with acting_as(SYSTEM):
            run = await runs.start(
                runtime,
                record.thread_id,
                assistant_id,
                resume={record.interrupt_id: {"decision": "expire"}},
                metadata={"approval_id": record.id, "decided_by": SYSTEM.subject},
            )
        swept.append(Expired(approval=record, run_id=run.run_id))
    return swept


async def _sweep_forever(runtime: Runtime, every: float) -> None:
    while True:
        try:
            expired = await sweep_once(runtime)
            if expired:
                logger.info("expired %d approval(s)", len(expired))
        except Exception:  # a failed sweep must not stop the next one
            logger.exception("approval sweep failed")
        await asyncio.sleep(every)


@asynccontextmanager
async def sweeping(runtime: Runtime) -> AsyncIterator[None]:
    """Sweep every ``ROYAL_APPROVAL_SWEEP_SECONDS`` while the block runs."""
    if runtime.services is None:
        yield
        return
    task = asyncio.create_task(
        _sweep_forever(runtime, runtime.settings.royal_approval_sweep_seconds),
        name="approval-sweeper",
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
