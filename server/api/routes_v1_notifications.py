"""``/api/v1/notifications``: the caller's notifications (MEDIUM-risk actions executed, alerts),
their unread count, and marking them read. Read marks are the caller's own identity's."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from host import notifications
from server.api.deps import Limit, Offset, ServicesDep, Viewer
from storage import NotificationRecord

router = APIRouter(prefix="/notifications", tags=["notifications"])

UNREAD_HEADER = "X-Unread-Count"


class UnreadCount(BaseModel):
    unread: int


class MarkRead(BaseModel):
    """Which notifications to mark read: some ``ids``, or ``all`` the caller has not read."""

    model_config = ConfigDict(extra="forbid")

    ids: list[str] | None = Field(default=None, min_length=1, max_length=500)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> MarkRead:
        if (self.ids is None) == (not self.all):
            raise ValueError("give either ids or all: true")
        return self


class Marked(BaseModel):
    marked: list[str] = Field(description="The ids this request marked (not those already read).")
    unread: int


@router.get("", response_model=list[NotificationRecord])
async def list_notifications(
    services: ServicesDep,
    response: Response,
    principal: Viewer,
    unread_only: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[NotificationRecord]:
    """Newest first; ``read_at`` is when the caller read it. The total and the caller's unread
    count are in the ``X-Pagination-Total`` and ``X-Unread-Count`` headers."""
    found = await notifications.inbox(
        services, principal, unread_only=unread_only, limit=limit, offset=offset
    )
    response.headers["X-Pagination-Total"] = str(found.total)
    if offset + len(found.items) < found.total:
        response.headers["X-Pagination-Next"] = str(offset + len(found.items))
    response.headers[UNREAD_HEADER] = str(found.unread)
    return found.items


@router.get("/unread_count")
async def unread_count(services: ServicesDep, principal: Viewer) -> UnreadCount:
    return UnreadCount(unread=await notifications.unread_count(services, principal))


@router.post("/read")
async def mark_read(body: MarkRead, services: ServicesDep, principal: Viewer) -> Marked:
    """Mark some (``ids``) or all of the caller's notifications read; recorded in the audit
    log when it changes anything. An unknown id is 404 and marks nothing."""
    marked = await notifications.mark_read(services, principal, None if body.all else body.ids)
    return Marked(marked=marked, unread=await notifications.unread_count(services, principal))


@router.post("/{notification_id}/read", response_model=NotificationRecord)
async def mark_one_read(
    notification_id: str, services: ServicesDep, principal: Viewer
) -> NotificationRecord:
    await notifications.mark_read(services, principal, [notification_id])
    return await notifications.notification(services, principal, notification_id)
