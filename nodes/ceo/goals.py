"""Goals live in the LangGraph store, so later turns and later threads see them, and in the
goals table for the API and the dashboard.

A goal is recorded when the CEO plans work for it, and settled when the turn that set it ends
with nothing left waiting: ``done`` when every task's report is done, ``abandoned`` when the
turn ended short of it (a task failed, was stopped, or its action was rejected or expired; the
CEO's answer says which). A goal whose action waits for approval stays active until the run
that resumes it ends.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from langgraph.store.base import BaseStore

from nodes.clusters import ClusterReport, ItemOutcome, ReportStatus
from nodes.services import Services
from storage import GoalRecord, GoalStatus, NewGoal

GOALS_NAMESPACE = ("goals",)
#: Goal ids are derived from the message that set them, so every node can find the goal again.
_GOAL_IDS = uuid.UUID("5b0d8f0e-6c1c-4c55-9a43-6f1d2f0a9c11")


def goal_key(thread_id: str | None, message_id: str) -> str:
    return hashlib.sha256(f"{thread_id}:{message_id}".encode()).hexdigest()[:24]


def goal_id(key: str) -> str:
    return str(uuid.uuid5(_GOAL_IDS, key))


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
    key = goal_key(thread_id, message_id)
    if store is not None and await store.aget(GOALS_NAMESPACE, key) is not None:
        return key
    record = await services.goals.create(
        NewGoal(thread_id=thread_id, text=text[:2000]), goal_id=goal_id(key)
    )
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


def turn_outcome(reports: Sequence[ClusterReport]) -> GoalStatus | None:
    """What a finished turn's reports make of its goal: ``None`` while anything waits."""
    if not reports:
        return None
    waiting = any(
        report.status is ReportStatus.WAITING
        or any(item.get("outcome") == ItemOutcome.WAITING.value for item in report.items)
        for report in reports
    )
    if waiting:
        return None
    if all(report.status is ReportStatus.DONE and not report.failures for report in reports):
        return GoalStatus.DONE
    return GoalStatus.ABANDONED


async def settle_goal(
    services: Services,
    store: BaseStore | None,
    *,
    thread_id: str | None,
    message_id: str,
    reports: Sequence[ClusterReport],
) -> GoalRecord | None:
    """Close the goal this turn set once nothing is left waiting (see the module docstring);
    the goal as it then stands, or ``None`` when the turn set none."""
    outcome = turn_outcome(reports)
    if outcome is None:
        return None
    key = goal_key(thread_id, message_id)
    record = await services.goals.get(goal_id(key))
    if record is None:
        return None
    settled = await services.goals.update_status(record.id, outcome, only_if=GoalStatus.ACTIVE)
    if store is not None:
        item = await store.aget(GOALS_NAMESPACE, key)
        if item is not None:
            await store.aput(GOALS_NAMESPACE, key, item.value | {"status": settled.status.value})
    return settled
