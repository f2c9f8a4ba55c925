"""Approvals: the queue, one request in full, and the decision that resumes its thread.

Deciding goes through the runtime's approval lifecycle (``host.approvals``) as the signed-in
user: the same checks (roles, pending, deadline, edit validation) as every other front end, the
same background run on the thread, the same refusal for a second decision.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from host import approvals
from host.approval_rules import args_schema, current_args, is_expired, may_decide, refusal
from host.errors import ConflictError, InvalidRequestError
from nodes.services import Services
from server.console.forms import changed_args, fields_for
from server.console.security import (
    ConsoleUser,
    OperatorWrite,
    RuntimeDep,
    Viewer,
    optional_risk,
)
from server.console.views import render
from storage import ApprovalRecord, ApprovalStatus

router = APIRouter()

PAGE_SIZE = 50
StatusFilter = Literal["PENDING", "APPROVED", "REJECTED", "EXPIRED", "all"]


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
    services = runtime.require_services()
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
    return refusal(user.principal, record, services.clock()) is None


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
    services = runtime.require_services()
    record = await approvals.get(runtime, approval_id)
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
        fields=fields_for(args_schema(record), shown),
        decidable=_decidable(user, record, services),
        may_decide=may_decide(user.principal, record),
        expired=is_expired(record, services.clock()),
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

    record = await approvals.get(runtime, approval_id)
    principal = user.principal
    try:
        if decision == "approve":
            decided = await approvals.decide(
                runtime, principal, approval_id, "approve", notes=notes
            )
        elif decision == "reject":
            reason = posted.get("reason", "").strip()
            if not reason:
                return await again(422, errors=["A reason is required to reject."])
            decided = await approvals.decide(
                runtime, principal, approval_id, "reject", notes=reason
            )
        elif decision == "modify":
            changes = changed_args(args_schema(record), current_args(record), posted)
            decided = await approvals.decide(
                runtime, principal, approval_id, "modify", notes=notes, changes=changes
            )
        else:
            return await again(422, errors=["Choose approve, reject or modify."])
    except InvalidRequestError as exc:
        return await again(422, errors=[str(exc)])
    except ConflictError as exc:
        return await again(409, message=str(exc))
    return RedirectResponse(
        f"/console/approvals/{approval_id}?run={decided.run_id}", status_code=303
    )
