"""The cluster's report to the CEO."""

from __future__ import annotations

from typing import Any

from nodes.clusters import ClusterReport, ClusterTask, ItemOutcome, ReportStatus
from nodes.product.jobs import ProductJob, UnknownJobError, job_of
from nodes.product.models import Outcome, OutcomeStatus
from nodes.product.state import ProductState


def report(state: ProductState) -> dict[str, Any]:
    task = ClusterTask.model_validate(state["task"])
    outcomes = state.get("outcomes", [])
    alerts = state.get("alerts", [])
    failures = state.get("failures", [])
    done = [o for o in outcomes if o.as_item()["outcome"] == ItemOutcome.DONE.value]
    if done and len(done) == len(outcomes):
        status = ReportStatus.DONE
    elif done:
        status = ReportStatus.PARTIAL
    elif outcomes or alerts:
        status = ReportStatus.STOPPED
    else:
        status = ReportStatus.FAILED
    return {
        "reports": [
            ClusterReport(
                cluster="product",
                task=task.title,
                status=status,
                summary=_summary(state, task, outcomes),
                items=[o.as_item() for o in outcomes],
                alerts=alerts,
                failures=failures,
            )
        ]
    }


def _summary(state: ProductState, task: ClusterTask, outcomes: list[Outcome]) -> str:
    try:
        job = job_of(task)
    except UnknownJobError as exc:
        return f"Nothing was done: {exc}."
    failures = state.get("failures", [])
    services = "; ".join(f.service for f in failures)
    parts = []
    if outcomes:
        counts = {s: sum(1 for o in outcomes if o.status is s) for s in OutcomeStatus}
        parts.append(", ".join(f"{n} {s.value}" for s, n in counts.items() if n))
    if job is ProductJob.SOURCE and not state.get("candidates"):
        if failures:
            parts.append(f"No catalog could be searched: {services} failed.")
        else:
            parts.append("No catalog item matched the task.")
    elif not outcomes and failures:
        parts.append(f"Nothing was done: {services} failed.")
    return "; ".join(parts) or "nothing done"
