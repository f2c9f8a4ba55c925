"""``/api/v1/approvals``: list, read and decide approval requests; a decision resumes the thread.

The lifecycle is the runtime's (``host.approvals``): a decision is a background run on the
approval's thread that resumes its interrupt, which clients can join or stream. ``403`` answers
a caller whose role the request does not allow, ``409`` a request that is decided, expired,
closed or already being resumed, ``422`` an edit that does not fit the action.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from host import approvals
from host.approvals import Decided, Expired
from server.api.deps import Admin, Limit, Offset, Operator, RuntimeDep, ServicesDep, Viewer, paged
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
    return await approvals.sweep_once(runtime)


@router.get("/{approval_id}")
async def get_approval(approval_id: str, runtime: RuntimeDep, _: Viewer) -> ApprovalRecord:
    return await approvals.get(runtime, approval_id)


@router.post("/{approval_id}/approve", status_code=202)
async def approve(
    approval_id: str, runtime: RuntimeDep, principal: Operator, body: ApproveBody | None = None
) -> Decided:
    """Approve: the thread resumes and the action executes."""
    notes = body.notes if body else None
    return await approvals.decide(runtime, principal, approval_id, "approve", notes=notes)


@router.post("/{approval_id}/reject", status_code=202)
async def reject(
    approval_id: str, body: RejectBody, runtime: RuntimeDep, principal: Operator
) -> Decided:
    """Reject with a reason: the thread resumes down the reject path; nothing executes."""
    return await approvals.decide(runtime, principal, approval_id, "reject", notes=body.reason)


@router.post("/{approval_id}/modify", status_code=202)
async def modify(
    approval_id: str, body: ModifyBody, runtime: RuntimeDep, principal: Operator
) -> Decided:
    """Approve with edited args (validated against the action's schema, else 422); the edited
    action is re-classified before it runs."""
    return await approvals.decide(
        runtime, principal, approval_id, "modify", notes=body.notes, changes=body.args
    )
