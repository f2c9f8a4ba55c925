"""The policy's monthly ad budget cap: a hard ceiling on the approved budgets of a month.

It is checked before an approval is asked (so nobody is asked to approve the impossible) and
again when the launch executes (an approver's edit cannot lift it).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from storage.marketing import CampaignRepository


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class BudgetCapError(ValueError):
    """A budget that would take the month's approved ad budgets above the hard cap."""


async def check_cap(
    campaigns: CampaignRepository, now: datetime, cap: Decimal, adding: Decimal
) -> Decimal:
    """The month's approved budgets so far; raises when ``adding`` more would pass ``cap``."""
    used = await campaigns.approved_since(month_start(now))
    if used + adding > cap:
        raise BudgetCapError(
            f"€{adding} more would take this month's approved ad budgets to €{used + adding}, "
            f"above the hard cap of €{cap} (policy ads.monthly_cap_eur); €{max(cap - used, 0)} "
            "is left this month"
        )
    return used
