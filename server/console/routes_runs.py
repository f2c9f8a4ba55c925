"""The console's Dead runs page: runs the queue gave up on, with their last error, and the
operator's two buttons — Retry (it runs again from its thread's last checkpoint; the page of
the run follows it live) and Discard (it stays dead, off the list; audited)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from host import dead_runs
from host.errors import ConflictError
from policies.risk import Role
from server.console.security import OperatorWrite, RuntimeDep, Viewer
from server.console.views import render

router = APIRouter()

PAGE_SIZE = 50


@router.get("/runs/dead", response_class=HTMLResponse)
async def dead_page(
    request: Request,
    runtime: RuntimeDep,
    user: Viewer,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    message: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    found = await dead_runs.listing(runtime, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        request,
        "dead_runs.html",
        user,
        runs=found.items,
        total=found.total,
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        message=message,
        may_act=user.principal.has(Role.OPERATOR),
    )


@router.post("/runs/{run_id}/retry")
async def retry(run_id: str, runtime: RuntimeDep, user: OperatorWrite) -> Response:
    try:
        run = await dead_runs.retry(runtime, run_id, user.principal.subject)
    except ConflictError as exc:
        return _back(str(exc))
    return RedirectResponse(f"/console/threads/{run.thread_id}/runs/{run.run_id}", status_code=303)


@router.post("/runs/{run_id}/discard")
async def discard(run_id: str, runtime: RuntimeDep, user: OperatorWrite) -> Response:
    try:
        await dead_runs.discard(runtime, run_id, user.principal.subject)
    except ConflictError as exc:
        return _back(str(exc))
    return _back(f"run {run_id} discarded: it stays dead")


def _back(message: str) -> RedirectResponse:
    query = urlencode({"message": message[:300]})
    return RedirectResponse(f"/console/runs/dead?{query}", status_code=303)
