"""The cluster's report to the CEO: tickets answered and handed off, refunds, and figures."""

from __future__ import annotations

import statistics
from typing import Any

from pydantic import JsonValue

from nodes.clusters import ClusterReport, ItemOutcome, report_status
from nodes.customer_service.actions import amount_text
from nodes.customer_service.models import CLUSTER, Outcome, OutcomeStatus
from nodes.customer_service.review_report import nothing_done, review_summary
from nodes.customer_service.state import CustomerServiceState

_ITEM = {
    OutcomeStatus.ANSWERED: ItemOutcome.DONE,
    OutcomeStatus.HANDED_OFF: ItemOutcome.DONE,
    OutcomeStatus.ALREADY_ANSWERED: ItemOutcome.DONE,
    OutcomeStatus.REFUNDED: ItemOutcome.DONE,
    OutcomeStatus.ANALYSED: ItemOutcome.DONE,
    OutcomeStatus.REQUESTED: ItemOutcome.DONE,
    OutcomeStatus.ALREADY_REQUESTED: ItemOutcome.DONE,
    OutcomeStatus.REPLIED: ItemOutcome.DONE,
    OutcomeStatus.ALREADY_REPLIED: ItemOutcome.DONE,
    OutcomeStatus.OFFERED: ItemOutcome.DONE,
    OutcomeStatus.REJECTED: ItemOutcome.STOPPED,
    OutcomeStatus.EXPIRED: ItemOutcome.STOPPED,
    OutcomeStatus.STOPPED: ItemOutcome.STOPPED,
    OutcomeStatus.FAILED: ItemOutcome.FAILED,
    OutcomeStatus.SENT: ItemOutcome.DONE,
    OutcomeStatus.SKIPPED: ItemOutcome.DONE,
}


def _item(outcome: Outcome) -> dict[str, JsonValue]:
    item: dict[str, JsonValue] = {
        "title": outcome.subject,
        "status": outcome.status.value,
        "outcome": _ITEM[outcome.status].value,
        "detail": outcome.detail,
        "reasons": list(outcome.reasons),
    }
    for name in ("category", "risk_level", "approval_id", "ticket_id"):
        value = getattr(outcome, name)
        if value is not None:
            item[name] = value
    if outcome.amount is not None:
        item["amount_eur"] = str(outcome.amount)
    return item


def ticket_figures(outcomes: list[Outcome]) -> str:
    """``answered 7 of 14 ticket(s) without a person (50%), 7 handed to a person``."""
    answered = [o for o in outcomes if o.status is OutcomeStatus.ANSWERED]
    handed = [o for o in outcomes if o.status is OutcomeStatus.HANDED_OFF]
    handled = len(answered) + len(handed)
    if not handled:
        return ""
    share = round(100 * len(answered) / handled)
    text = f"answered {len(answered)} of {handled} ticket(s) without a person ({share}%)"
    if handed:
        text += f", {len(handed)} handed to a person"
    return text


def median_first_response_minutes(outcomes: list[Outcome]) -> float | None:
    """For figures (console, bench), not for the CEO's prompt: it follows the wall clock."""
    times = [
        o.first_response_seconds
        for o in outcomes
        if o.status is OutcomeStatus.ANSWERED and o.first_response_seconds is not None
    ]
    return statistics.median(times) / 60 if times else None


def _figures_item(outcomes: list[Outcome]) -> list[dict[str, JsonValue]]:
    """The queue's figures as the report's first line (the CEO's answer lists items)."""
    figures = ticket_figures(outcomes)
    if not figures:
        return []
    return [{"title": "Support queue", "status": "counted", "outcome": "done", "detail": figures}]


def _refunds(outcomes: list[Outcome]) -> list[str]:
    return [
        f"{o.subject}: {o.status.value} {o.detail}"
        if o.amount is None
        else f"{o.subject}: {o.status.value}, {amount_text(o.amount, 'EUR')} — {o.detail}"
        for o in outcomes
        if o.subject.startswith("Refund")
    ]


def report(state: CustomerServiceState) -> dict[str, Any]:
    outcomes = state.get("outcomes") or []
    failures = state.get("failures") or []
    notes = state.get("notes") or []
    done = [o for o in outcomes if _ITEM[o.status] is ItemOutcome.DONE]
    status = report_status(len(outcomes), len(done), bool(failures))
    parts = [p for p in [ticket_figures(outcomes), *_refunds(outcomes)] if p]
    parts.extend(review_summary(outcomes))
    skipped = sum(1 for o in outcomes if o.status is OutcomeStatus.ALREADY_ANSWERED)
    if skipped:
        parts.append(f"{skipped} ticket(s) already had an answer")
    parts.extend(notes)
    return {
        "reports": [
            ClusterReport(
                cluster=CLUSTER,
                task=state["task"].title,
                status=status,
                summary="; ".join(parts) or nothing_done(state.get("operation")),
                items=_figures_item(outcomes) + [_item(o) for o in outcomes],
                alerts=list(state.get("alerts") or []),
                failures=failures,
            )
        ]
    }
