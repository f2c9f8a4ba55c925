"""The catalog cluster's report to the CEO: what changed where, what stopped and why."""

from __future__ import annotations

from typing import Any

from pydantic import JsonValue

from nodes.catalog.models import Outcome, OutcomeStatus
from nodes.catalog.state import CatalogState
from nodes.clusters import ClusterReport, ItemOutcome, report_status

_ITEM = {
    OutcomeStatus.APPLIED: ItemOutcome.DONE,
    OutcomeStatus.PROPOSED: ItemOutcome.DONE,
    OutcomeStatus.UNCHANGED: ItemOutcome.DONE,
    OutcomeStatus.REJECTED: ItemOutcome.STOPPED,
    OutcomeStatus.EXPIRED: ItemOutcome.STOPPED,
    OutcomeStatus.STOPPED: ItemOutcome.STOPPED,
    OutcomeStatus.FAILED: ItemOutcome.FAILED,
}


def _item(outcome: Outcome) -> dict[str, JsonValue]:
    item: dict[str, JsonValue] = {
        "title": outcome.subject,
        "status": outcome.status.value,
        "outcome": _ITEM[outcome.status].value,
        "detail": outcome.detail,
        "reasons": list(outcome.reasons),
    }
    if outcome.risk_level:
        item["risk_level"] = outcome.risk_level
    if outcome.approval_id:
        item["approval_id"] = outcome.approval_id
    return item


def report(state: CatalogState) -> dict[str, Any]:
    outcomes = state.get("outcomes") or []
    failures = state.get("failures") or []
    notes = state.get("notes") or []
    proposed = state.get("proposed") or []
    done = [o for o in outcomes if _ITEM[o.status] is ItemOutcome.DONE]
    status = report_status(len(outcomes), len(done), bool(failures))
    parts = [f"pull request #{p.pull_request} ({p.files} file(s)): {p.url}" for p in proposed]
    counts = {s: sum(1 for o in outcomes if o.status is s) for s in OutcomeStatus}
    tally = ", ".join(
        f"{n} {s.value}" for s, n in counts.items() if n and s is not OutcomeStatus.PROPOSED
    )
    if tally:
        parts.append(tally)
    parts.extend(notes)
    summary = "; ".join(parts) or "Nothing to do."
    return {
        "reports": [
            ClusterReport(
                cluster="catalog",
                task=state["task"].title,
                status=status,
                summary=summary,
                items=[_item(o) for o in outcomes],
                alerts=list(state.get("alerts") or []),
                failures=failures,
            )
        ]
    }
