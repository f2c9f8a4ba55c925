"""Notifications for every front end: what the policy promises operators about MEDIUM-risk
actions (they execute without a human, and someone is told), supplier alerts and the like.

Each reader keeps their own read marks (a console user by name, an API client by its
identity); marking is recorded in the audit log when it changes anything, so who saw what and
when can be answered later.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from host.errors import NotFoundError
from host.identity import Principal
from nodes.services import Services
from storage import ActorKind, AuditEntry, AuditEvent, NotificationRecord, Page
from storage import NotFoundError as StoredNotFound

#: How many ids one audit entry lists; marking more records the count only.
AUDITED_IDS = 50


class Inbox(BaseModel):
    """One page of a reader's notifications, newest first, and how many they have not read."""

    items: list[NotificationRecord]
    total: int
    unread: int


async def unread_count(services: Services, reader: Principal) -> int:
    return await services.notifications.count_unread(reader.subject)


async def inbox(
    services: Services,
    reader: Principal,
    *,
    unread_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Inbox:
    page: Page[NotificationRecord] = await services.notifications.list(
        reader=reader.subject, unread_only=unread_only, limit=limit, offset=offset
    )
    return Inbox(items=page.items, total=page.total, unread=await unread_count(services, reader))


async def notification(
    services: Services, reader: Principal, notification_id: str
) -> NotificationRecord:
    try:
        return await services.notifications.get(notification_id, reader=reader.subject)
    except StoredNotFound:
        raise NotFoundError("notification", notification_id) from None


async def mark_read(
    services: Services, reader: Principal, notification_ids: Sequence[str] | None
) -> list[str]:
    """Mark notifications read for ``reader`` (``None``: all they have not read); the ids this
    changed. Unknown ids are refused before anything is marked."""
    try:
        marked = await services.notifications.mark_read(notification_ids, reader=reader.subject)
    except StoredNotFound as exc:
        raise NotFoundError("notification", exc.key) from None
    if marked:
        await services.audit.append(
            AuditEntry(
                event=AuditEvent.NOTIFICATIONS_READ,
                actor=reader.subject,
                actor_kind=ActorKind.HUMAN,
                payload={
                    "count": len(marked),
                    "all": notification_ids is None,
                    "notification_ids": list(marked[:AUDITED_IDS]),
                },
            )
        )
    return marked
