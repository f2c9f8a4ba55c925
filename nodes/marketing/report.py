"""The marketing cluster's report to the CEO."""

from __future__ import annotations

from typing import Any

from nodes.clusters import ClusterReport, ClusterTask, status_of
from nodes.marketing.jobs import UnknownJobError, job_of
from nodes.marketing.models import OutcomeStatus
from nodes.marketing.state import MarketingState


def report(state: MarketingState) -> dict[str, Any]:
    task = ClusterTask.model_validate(state["task"])
    outcomes = state.get("outcomes", [])
    alerts = state.get("alerts", [])
    failures = state.get("failures", [])
    items = [o.as_item() for o in outcomes]
    return {
        "reports": [
            ClusterReport(
                cluster="marketing",
                task=task.title,
                status=status_of(items, alerts),
                summary=_summary(state, task),
                items=items,
                alerts=alerts,
                failures=failures,
            )
        ]
    }


def _summary(state: MarketingState, task: ClusterTask) -> str:
    try:
        job_of(task)
    except UnknownJobError as exc:
        return f"Nothing was done: {exc}."
    outcomes = state.get("outcomes", [])
    failures = state.get("failures", [])
    if outcomes:
        counts = {s: sum(1 for o in outcomes if o.status is s) for s in OutcomeStatus}
        return ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    if failures:
        return f"Nothing was done: {'; '.join(f.service for f in failures)} failed."
    return "nothing done"
