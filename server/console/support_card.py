"""The customer-service cluster card's figures on the dashboard: auto-handled share, median
first response time and refunds today, as the Support page computes them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from host.support import SupportFigures, conversations, figures
from nodes.services import Services
from tools.helpdesk import HelpdeskError


class SupportCard(BaseModel):
    """The figures, or why there are none (the helpdesk did not answer)."""

    model_config = ConfigDict(frozen=True)

    figures: SupportFigures | None = None
    error: str | None = None


async def support_card(services: Services) -> SupportCard:
    try:
        found = await conversations(services)
    except HelpdeskError as exc:
        return SupportCard(error=f"{services.helpdesk.name} did not answer ({exc}): no figures")
    return SupportCard(figures=await figures(services, found))
