"""The catalog sync in the console: syncs with their changes and a rollback button, a product's
history, and the Conflicts page where a person chooses a side (or edits) for each conflict."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import JsonValue

from host.catalog_sync import decide_conflict, request_rollback, syncs
from host.errors import ConflictError
from policies.risk import Role
from server.console.security import ConsoleUser, OperatorWrite, RuntimeDep, Viewer, writer
from server.console.views import render
from storage.sync_schema import ConflictStatus, Resolution

router = APIRouter()

ApproverWrite = Annotated[ConsoleUser, Depends(writer(Role.APPROVER))]
PAGE_SIZE = 50


@router.get("/sync", response_class=HTMLResponse)
async def sync_page(
    request: Request,
    runtime: RuntimeDep,
    user: Viewer,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    found = await syncs(runtime.require_services()).syncs(
        limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    pages = max(1, -(-found.total // PAGE_SIZE))
    return render(
        request, "sync.html", user, syncs=found.items, total=found.total, page=page, pages=pages
    )


@router.get("/sync/products/{handle}", response_class=HTMLResponse)
async def product_history(
    request: Request, handle: str, runtime: RuntimeDep, user: Viewer
) -> HTMLResponse:
    entries = await syncs(runtime.require_services()).history(handle)
    return render(request, "sync_history.html", user, handle=handle, entries=entries)


@router.get("/sync/{sync_id}", response_class=HTMLResponse)
async def sync_detail(
    request: Request,
    sync_id: str,
    runtime: RuntimeDep,
    user: Viewer,
    run: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    repository = syncs(runtime.require_services())
    record = await repository.get(sync_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"sync {sync_id} not found")
    changes = await repository.changes(sync_id)
    return render(request, "sync_detail.html", user, sync=record, changes=changes, run_id=run)


@router.post("/sync/{sync_id}/rollback")
async def rollback(sync_id: str, runtime: RuntimeDep, user: OperatorWrite) -> Response:
    """The rollback button: a catalog run restores the previous values through the gate."""
    run = await request_rollback(
        runtime, runtime.require_services(), sync_id, user.principal.subject
    )
    return RedirectResponse(f"/console/threads/{run.thread_id}/runs/{run.run_id}", status_code=303)


@router.get("/conflicts", response_class=HTMLResponse)
async def conflicts_page(
    request: Request,
    runtime: RuntimeDep,
    user: Viewer,
    status: Annotated[str, Query(pattern="^(OPEN|RESOLVED|all)$")] = "OPEN",
    message: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    found = await syncs(runtime.require_services()).conflicts(
        status=None if status == "all" else ConflictStatus(status), limit=200
    )
    return render(
        request,
        "conflicts.html",
        user,
        conflicts=found.items,
        total=found.total,
        status=status,
        message=message,
        may_resolve=user.principal.has(Role.APPROVER),
    )


def _edited(raw: str) -> JsonValue:
    """An edited value as typed: JSON when it parses (numbers, lists), else the text."""
    try:
        parsed: Any = json.loads(raw)
    except ValueError:
        return raw
    return parsed if isinstance(parsed, list | dict | int | float | bool) else raw


@router.post("/conflicts/{conflict_id}/resolve")
async def resolve(
    request: Request, conflict_id: str, runtime: RuntimeDep, user: ApproverWrite
) -> Response:
    """Choose Shopify's value, the repository's, or an edited one (recorded with who chose)."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    choice = form.get("resolution", "")
    if choice not in {r.value for r in Resolution}:
        raise HTTPException(status_code=422, detail="choose ours, theirs or edited")
    resolution = Resolution(choice)
    value: JsonValue = None
    if resolution is Resolution.EDITED:
        if not form.get("value", "").strip():
            raise HTTPException(status_code=422, detail="an edited resolution needs a value")
        value = _edited(form["value"])
    try:
        _, run = await decide_conflict(
            runtime,
            runtime.require_services(),
            conflict_id,
            resolution,
            value,
            user.principal.subject,
        )
    except ConflictError as exc:
        query = urlencode({"status": "all", "message": str(exc)[:300]})
        return RedirectResponse(f"/console/conflicts?{query}", status_code=303)
    return RedirectResponse(f"/console/threads/{run.thread_id}/runs/{run.run_id}", status_code=303)
