"""The report's sentences for reviews and retention offers (the ticket figures are elsewhere)."""

from __future__ import annotations

from nodes.customer_service.models import Outcome, OutcomeStatus

_OWN = ("Latest reviews", "Retention offer")


def review_summary(outcomes: list[Outcome]) -> list[str]:
    parts = [f"{o.subject}: {o.detail}" for o in outcomes if o.subject.startswith(_OWN)]
    replied = sum(1 for o in outcomes if o.status is OutcomeStatus.REPLIED)
    held = sum(
        1
        for o in outcomes
        if o.category == "review" and o.status in (OutcomeStatus.REJECTED, OutcomeStatus.EXPIRED)
    )
    if replied or held:
        parts.append(
            f"{replied} review reply(ies) published" + (f", {held} not published" if held else "")
        )
    return parts


_NOTHING = {
    "request_reviews": "No delivered order needed a review request.",
    "check_reviews": "No review to read.",
    "retention_offer": "No retention offer was made.",
}


def nothing_done(operation: str | None) -> str:
    """The summary when nothing happened (or a service failed: the failure says why)."""
    return _NOTHING.get(operation or "", "No ticket is waiting for an answer.")
