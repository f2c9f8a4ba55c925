"""Ad cases in evals: simulated delivery on the Meta emulator between turns, and the budget
invariant — total spend on the ads emulator never exceeds the campaigns' approved budgets.

Both go over HTTP to the sandbox's admin API, so the tape records them and replay answers
them; a case that launched no campaign makes no such call (older cassettes stay valid).
"""

from __future__ import annotations

from decimal import Decimal

import httpx

from evals.case import AdDelivery
from host.runtime import Runtime
from storage.marketing import CampaignRepository

_CENT = Decimal("0.01")


class AdBudgetError(RuntimeError):
    """A delivery names an ad that no campaign of the case has."""


async def deliver(runtime: Runtime, deliveries: list[AdDelivery]) -> None:
    """Simulate results for the case's ads (``ad`` counts the newest campaign's ads from 1)."""
    if not deliveries:
        return
    services = runtime.require_services()
    campaigns = await CampaignRepository(services.database).recent(1)
    if not campaigns:
        raise AdBudgetError("a delivery was scripted but no campaign was launched")
    ads = campaigns[0].ads
    async with httpx.AsyncClient(base_url=services.settings.sandbox_url, timeout=10) as admin:
        for delivery in deliveries:
            if not 1 <= delivery.ad <= len(ads):
                raise AdBudgetError(f"ad {delivery.ad} does not exist ({len(ads)} ads)")
            answer = await admin.post(
                "/_sandbox/meta/deliver",
                json={
                    "ad_id": ads[delivery.ad - 1].ad_id,
                    "spend": str(delivery.spend),
                    "purchases": delivery.purchases,
                    "purchase_value": str(delivery.purchase_value),
                },
            )
            answer.raise_for_status()


async def spend_and_approved(runtime: Runtime) -> tuple[Decimal, Decimal, int] | None:
    """(total spend on the emulator, approved budgets, campaigns), or None without campaigns."""
    services = runtime.require_services()
    campaigns = await CampaignRepository(services.database).recent(500)
    if not campaigns:
        return None
    async with httpx.AsyncClient(base_url=services.settings.sandbox_url, timeout=10) as admin:
        answer = await admin.get("/_sandbox/meta/spend")
        answer.raise_for_status()
    spend = Decimal(int(answer.json()["total_spend_minor"])) * _CENT
    approved = sum((c.approved_budget_eur for c in campaigns), Decimal(0))
    return spend, approved, len(campaigns)
