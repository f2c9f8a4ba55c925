"""``/api/v1/approvals``: list, read and decide approval requests; a decision resumes the thread.

A decision is a background run on the approval's thread, created exactly like
``POST /threads/{id}/runs`` with a ``command.resume``: workers execute it, clients can join or
stream it, and the approval gate records the decision under the caller's identity when the run
reaches it. ``409`` answers a request that is decided, expired, or already being resumed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from server.api.approval_sweeper import Expired, sweep_once
from server.api.auth import Admin, Operator, Principal, Viewer, forbidden, may_decide
from server.api.deps import RuntimeDep
from server.api.runtime import ApiRuntime
from server.api.v1_common import Limit, Offset, ServicesDep, paged, start_run
from server.engine import Engine
from storage import ApprovalRecord, ApprovalStatus
from storage.enums import RiskLevel

router = APIRouter(prefix="/approvals", tags=["approvals"])


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: str | None = Field(default=None, max_length=4000)


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=4000, pattern=r"\S")


class ModifyBody(BaseModel):
    """Fields of the action's args to change; the rest stay as requested."""

    model_config = ConfigDict(extra="forbid")

    args: dict[str, JsonValue] = Field(min_length=1)
    notes: str | None = Field(default=None, max_length=4000)


class DecisionAccepted(BaseModel):
    """The decision is on its way: join ``run_id`` on ``thread_id`` to see it applied."""

    approval: ApprovalRecord
    decision: str
    decided_by: str
    thread_id: str
    run_id: str


@router.get("", response_model=list[ApprovalRecord])
async def list_approvals(
    services: ServicesDep,
    response: Response,
    _: Viewer,
    status: Annotated[ApprovalStatus | None, Query(description="Default: every status.")] = None,
    risk: Annotated[RiskLevel | None, Query(description="LOW, MEDIUM or HIGH.")] = None,
    cluster: str | None = None,
    thread_id: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ApprovalRecord]:
    """Most urgent first (nearest deadline, then oldest)."""
    page = await services.approvals.list(
        status=status,
        risk_level=risk,
        cluster=cluster,
        thread_id=thread_id,
        limit=limit,
        offset=offset,
    )
    return paged(response, page)


@router.post("/sweep")
async def sweep(runtime: RuntimeDep, _: Admin) -> list[Expired]:
    """Expire overdue approvals now and resume their threads down the reject path (the API
    also does this every ``ROYAL_APPROVAL_SWEEP_SECONDS``)."""
    return await sweep_once(runtime)


@router.get("/{approval_id}")
async def get_approval(approval_id: str, services: ServicesDep, _: Viewer) -> ApprovalRecord:
    return await _existing(services.approvals.get, approval_id)


@router.post("/{approval_id}/approve", status_code=202)
async def approve(
    approval_id: str,
    runtime: RuntimeDep,
    principal: Operator,
    body: ApproveBody | None = None,
) -> DecisionAccepted:
    """Approve: the thread resumes and the action executes."""
    notes = body.notes if body else None
    return await _decide(runtime, principal, approval_id, {"decision": "approve", "notes": notes})


@router.post("/{approval_id}/reject", status_code=202)
async def reject(
    approval_id: str, body: RejectBody, runtime: RuntimeDep, principal: Operator
) -> DecisionAccepted:
    """Reject with a reason: the thread resumes down the reject path; nothing executes."""
    decision = {"decision": "reject", "notes": body.reason}
    return await _decide(runtime, principal, approval_id, decision)


@router.post("/{approval_id}/modify", status_code=202)
async def modify(
    approval_id: str, body: ModifyBody, runtime: RuntimeDep, principal: Operator
) -> DecisionAccepted:
    """Approve with edited args (validated against the action's schema, else 422); the edited
    action is re-classified before it runs."""
    record = await _pending(runtime, principal, approval_id)
    current = record.request.get("args")
    args = dict(current) if isinstance(current, dict) else {}
    unknown = sorted(set(body.args) - set(args))
    if unknown:
        raise HTTPException(
            status_code=422,
            detail=f"unknown field(s) {', '.join(unknown)}; the action's args are "
            + ", ".join(sorted(args)),
        )
    edited = args | body.args
    problems = Engine.edit_errors(record, edited)
    if problems:
        raise HTTPException(
            status_code=422, detail=f"the edited action is invalid: {'; '.join(problems)}"
        )
    decision = {"decision": "modify", "args": edited, "notes": body.notes}
    return await _decide(runtime, principal, approval_id, decision)


async def _existing(get: Any, approval_id: str) -> ApprovalRecord:
    record: ApprovalRecord | None = await get(approval_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"approval {approval_id} not found")
    return record


async def _pending(runtime: ApiRuntime, principal: Principal, approval_id: str) -> ApprovalRecord:
    """The approval if this caller may decide it now: 404, 403 or 409 otherwise."""
    assert runtime.services is not None
    record = await _existing(runtime.services.approvals.get, approval_id)
    if not may_decide(principal, record):
        raise forbidden(principal, f"decide approval {record.id} (roles {record.approver_roles})")
    if record.status is not ApprovalStatus.PENDING:
        who = f" by {record.decided_by}" if record.decided_by else ""
        raise HTTPException(
            status_code=409, detail=f"approval {record.id} is {record.status.value}{who}"
        )
    if record.deadline is not None and record.deadline <= runtime.services.clock():
        raise HTTPException(status_code=409, detail=f"approval {record.id} has expired")
    return record


async def _decide(
    runtime: ApiRuntime, principal: Principal, approval_id: str, decision: dict[str, Any]
) -> DecisionAccepted:
    from server.api.v1_common import services_of

    services_of(runtime)
    record = await _pending(runtime, principal, approval_id)
    thread = await runtime.store.get_thread(record.thread_id)
    assistant_id = None if thread is None else thread.metadata.get("assistant_id")
    if thread is None or not isinstance(assistant_id, str):
        raise HTTPException(
            status_code=409, detail=f"thread {record.thread_id} of approval {record.id} is gone"
        )
    value = {key: item for key, item in decision.items() if item is not None}
    value["decided_by"] = principal.subject
    run = await start_run(
        runtime,
        record.thread_id,
        assistant_id,
        resume={record.interrupt_id: value},
        metadata={"approval_id": record.id, "decided_by": principal.subject},
        strategy="reject",  # a second decision racing this one finds the thread busy: 409
    )
    return DecisionAccepted(
        approval=record,
        decision=str(value["decision"]),
        decided_by=principal.subject,
        thread_id=record.thread_id,
        run_id=run.run_id,
    )
