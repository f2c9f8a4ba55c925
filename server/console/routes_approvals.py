"""Approvals: the queue, one request in full, and the decision that resumes its thread.

Deciding goes through the domain API's own handlers (``server.api.routes_v1_approvals``
approve/reject/modify) as the signed-in user: the same checks (roles, pending, deadline, edit
validation), the same background run on the thread, the same 409 for a second decision.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from nodes.services import Services
from server.api import routes_v1_approvals as v1
from server.api.auth import acting_as, may_decide
from server.console.forms import edited_args, fields_for
from server.console.security import (
    ConsoleUser,
    OperatorWrite,
    RuntimeDep,
    Viewer,
    optional_risk,
)
from server.console.views import render
from server.engine import Engine
from storage import ApprovalRecord, ApprovalStatus

router = APIRouter()

PAGE_SIZE = 50
StatusFilter = Literal["PENDING", "APPROVED", "REJECTED", "EXPIRED", "all"]


def services_of(runtime: Any) -> Services:
    if runtime.services is None:
        raise HTTPException(status_code=503, detail="the console needs this project's graphs")
    services: Services = runtime.services
    return services


@router.get("/approvals", response_class=HTMLResponse)
async def approvals_page(
    request: Request,
    runtime: RuntimeDep,
    user: Viewer,
    status: StatusFilter = "PENDING",
    risk: Annotated[str | None, Query(max_length=8)] = None,
    cluster: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Most urgent first, a page at a time (the count comes from the same indexed filter)."""
    services = services_of(runtime)
    level = optional_risk(risk)
    found = await services.approvals.list(
        status=None if status == "all" else ApprovalStatus(status),
        risk_level=None if level is None else level.value,
        cluster=cluster or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-found.total // PAGE_SIZE))
    return render(
        request,
        "approvals.html",
        user,
        approvals=found.items,
        total=found.total,
        page=page,
        pages=pages,
        filters={"status": status, "risk": level or "", "cluster": cluster or ""},
        now=services.clock(),
    )


def _decidable(user: ConsoleUser, record: ApprovalRecord, services: Services) -> bool:
    expired = record.deadline is not None and record.deadline <= services.clock()
    return record.is_pending and not expired and may_decide(user.principal, record)


async def _detail(
    request: Request,
    runtime: Any,
    user: ConsoleUser,
    approval_id: str,
    *,
    run_id: str | None = None,
    errors: list[str] | None = None,
    message: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    services = services_of(runtime)
    record = await services.approvals.get(approval_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"approval {approval_id} not found")
    args = record.request.get("args")
    current = dict(args) if isinstance(args, dict) else {}
    shown = {**current, **{k[4:]: v for k, v in (form or {}).items() if k.startswith("arg.")}}
    return render(
        request,
        "approval.html",
        user,
        status_code=status_code,
        record=record,
        req=record.request,
        fields=fields_for(Engine.args_schema(record), shown),
        decidable=_decidable(user, record, services),
        may_decide=may_decide(user.principal, record),
        expired=record.deadline is not None and record.deadline <= services.clock(),
        run_id=run_id,
        errors=errors or [],
        message=message,
        form=form or {},
        now=services.clock(),
    )


@router.get("/approvals/{approval_id}", response_class=HTMLResponse)
async def approval_page(
    request: Request,
    approval_id: str,
    runtime: RuntimeDep,
    user: Viewer,
    run: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    return await _detail(request, runtime, user, approval_id, run_id=run)


@router.post("/approvals/{approval_id}/decide")
async def decide(
    request: Request, approval_id: str, runtime: RuntimeDep, user: OperatorWrite
) -> Response:
    """Approve, reject (reason required) or modify, then show the run that carries it out."""
    services = services_of(runtime)
    posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    decision = posted.get("decision", "")
    notes = posted.get("notes", "").strip() or None

    async def again(
        status_code: int, *, errors: list[str] | None = None, message: str | None = None
    ) -> HTMLResponse:
        return await _detail(
            request,
            runtime,
            user,
            approval_id,
            errors=errors,
            message=message,
            form=posted,
            status_code=status_code,
        )

    record = await services.approvals.get(approval_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"approval {approval_id} not found")
    principal = user.principal
    try:
        with acting_as(principal):
            if decision == "approve":
                accepted = await v1.approve(
                    approval_id=approval_id,
                    runtime=runtime,
                    principal=principal,
                    body=v1.ApproveBody(notes=notes),
                )
            elif decision == "reject":
                reason = posted.get("reason", "").strip()
                if not reason:
                    return await again(422, errors=["A reason is required to reject."])
                accepted = await v1.reject(
                    approval_id=approval_id,
                    body=v1.RejectBody(reason=reason),
                    runtime=runtime,
                    principal=principal,
                )
            elif decision == "modify":
                args = record.request.get("args")
                current = dict(args) if isinstance(args, dict) else {}
                changes = edited_args(Engine.args_schema(record), current, posted)
                if not changes:
                    return await again(422, errors=["Change at least one field, or approve."])
                problems = Engine.edit_errors(record, current | changes)
                if problems:
                    return await again(422, errors=problems)
                accepted = await v1.modify(
                    approval_id=approval_id,
                    body=v1.ModifyBody(args=changes, notes=notes),
                    runtime=runtime,
                    principal=principal,
                )
            else:
                return await again(422, errors=["Choose approve, reject or modify."])
    except ValidationError as exc:
        return await again(422, errors=[str(exc).splitlines()[0]])
    except HTTPException as exc:
        if exc.status_code == 409:
            return await again(409, message=str(exc.detail))
        if exc.status_code == 422:
            return await again(422, errors=[str(exc.detail)])
        raise
    return RedirectResponse(
        f"/console/approvals/{approval_id}?run={accepted.run_id}", status_code=303
    )
