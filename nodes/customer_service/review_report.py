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
