"""Goals live in the LangGraph store, so later turns and later threads see them, and in the
goals table for the API and the dashboard."""

from __future__ import annotations

import hashlib
from typing import Any

from langgraph.store.base import BaseStore

from nodes.services import Services
from storage import GoalStatus, NewGoal

GOALS_NAMESPACE = ("goals",)


async def active_goals(store: BaseStore | None) -> list[dict[str, Any]]:
    if store is None:
        return []
    items = await store.asearch(GOALS_NAMESPACE, filter={"status": "active"}, limit=20)
    return [item.value for item in items]


async def record_goal(
    services: Services,
    store: BaseStore | None,
    *,
    thread_id: str | None,
    message_id: str,
    text: str,
    operator: str,
) -> str:
    """Remember an operator's goal once (a re-executed node finds it already there)."""
    key = hashlib.sha256(f"{thread_id}:{message_id}".encode()).hexdigest()[:24]
    if store is not None and await store.aget(GOALS_NAMESPACE, key) is not None:
        return key
    record = await services.goals.create(NewGoal(thread_id=thread_id, text=text[:2000]))
    if store is not None:
        await store.aput(
            GOALS_NAMESPACE,
            key,
            {
                "id": record.id,
                "text": text,
                "status": GoalStatus.ACTIVE.value,
                "thread_id": thread_id,
                "set_by": operator,
                "created_at": record.created_at.isoformat(),
            },
        )
    return key
