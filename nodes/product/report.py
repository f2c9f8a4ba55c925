"""The cluster's report to the CEO."""

from __future__ import annotations

from typing import Any

from nodes.clusters import ClusterReport, ReportStatus
from nodes.product.models import OutcomeStatus
from nodes.product.state import ProductState


def report(state: ProductState) -> dict[str, Any]:
    outcomes = state.get("outcomes", [])
    alerts = state.get("alerts", [])
    failures = state.get("failures", [])
    published = [o for o in outcomes if o.status is OutcomeStatus.PUBLISHED]
    if published and len(published) == len(outcomes):
        status = ReportStatus.DONE
    elif published:
        status = ReportStatus.PARTIAL
    elif outcomes or alerts:
        status = ReportStatus.STOPPED
    else:
        status = ReportStatus.FAILED
    if not state.get("candidates") and failures:
        summary = "No catalog could be searched: " + "; ".join(f.service for f in failures)
        summary += " failed."
    elif not state.get("candidates"):
        summary = "No catalog item matched the task."
    else:
        counts = {s: sum(1 for o in outcomes if o.status is s) for s in OutcomeStatus}
        summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "nothing done"
    return {
        "reports": [
            ClusterReport(
                cluster="product",
                task=state["task"].title,
                status=status,
                summary=summary,
                items=[o.as_item() for o in outcomes],
                alerts=alerts,
                failures=failures,
            )
        ]
    }
