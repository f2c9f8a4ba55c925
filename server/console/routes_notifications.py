"""Notifications: the bell's list (MEDIUM-risk actions executed without a human, alerts), each
user marking what they have read; the unread count for the bell to refresh itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from host import notifications
from server.console.security import RuntimeDep, Viewer, ViewerWrite
from server.console.views import render

router = APIRouter()

PAGE_SIZE = 50
LIST_PATH = "/console/notifications"


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(
    request: Request,
    runtime: RuntimeDep,
    user: Viewer,
    unread: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Newest first; the user's unread ones marked, each with its own "mark read" button."""
    found = await notifications.inbox(
        runtime.require_services(),
        user.principal,
        unread_only=unread,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        "notifications.html",
        user.model_copy(update={"unread": found.unread}),
        items=found.items,
        total=found.total,
        unread_only=unread,
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
    )


@router.get("/notifications/unread")
async def unread_count(runtime: RuntimeDep, user: Viewer) -> JSONResponse:
    """``{"unread": n}`` for the bell (it polls while a page is open)."""
    count = await notifications.unread_count(runtime.require_services(), user.principal)
    return JSONResponse({"unread": count}, headers={"Cache-Control": "no-store"})


@router.post("/notifications/read")
async def mark_read(
    runtime: RuntimeDep,
    user: ViewerWrite,
    notification_id: Annotated[str | None, Form(max_length=64)] = None,
    back: Annotated[str, Form(max_length=200)] = LIST_PATH,
) -> RedirectResponse:
    """Mark one notification (``notification_id``) or, without one, all of them read for this
    user, then go back to the list (an unknown id is 404)."""
    ids = None if notification_id is None else [notification_id]
    await notifications.mark_read(runtime.require_services(), user.principal, ids)
    target = back if back.startswith(LIST_PATH) and "//" not in back else LIST_PATH
    return RedirectResponse(target, status_code=303)
