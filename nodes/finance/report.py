"""The finance cluster's report to the CEO: figures, orders placed, held and waiting, alerts."""

from __future__ import annotations

from typing import Any

from nodes.clusters import ClusterReport, ClusterTask, ItemOutcome, ReportStatus
from nodes.finance.jobs import UnknownJobError, params_of
from nodes.finance.models import OUTCOME, FinanceItem
from nodes.finance.state import FinanceState


def report(state: FinanceState) -> dict[str, Any]:
    task = ClusterTask.model_validate(state["task"])
    items: list[FinanceItem] = list(state.get("items") or [])
    failures = list(state.get("failures") or [])
    summary = list(state.get("summary") or [])
    try:
        params_of(task)
    except UnknownJobError as exc:
        summary.append(f"The finance cluster cannot do this task: {exc}")
        return {"reports": [_report(task, ReportStatus.FAILED, summary, [], state, failures)]}
    outcomes = [OUTCOME[item.status] for item in items]
    done = outcomes.count(ItemOutcome.DONE)
    if failures and not done:
        status = ReportStatus.FAILED
    elif ItemOutcome.WAITING in outcomes:
        status = ReportStatus.WAITING
    elif failures or (done and done < len(outcomes)):
        status = ReportStatus.PARTIAL
    elif outcomes and not done:
        status = ReportStatus.STOPPED
    else:
        status = ReportStatus.DONE
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status.value] = counts.get(item.status.value, 0) + 1
    if counts and not summary:
        summary.append(", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items()))
    return {"reports": [_report(task, status, summary, items, state, failures)]}


def _report(
    task: ClusterTask,
    status: ReportStatus,
    summary: list[str],
    items: list[FinanceItem],
    state: FinanceState,
    failures: list[Any],
) -> ClusterReport:
    return ClusterReport(
        cluster="finance",
        task=task.title,
        status=status,
        summary="; ".join(summary) or "Nothing to do.",
        items=[item.as_report_item() for item in items],
        alerts=list(state.get("alerts") or []),
        failures=failures,
    )
