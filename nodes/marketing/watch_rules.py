"""The ROAS watcher's rules, pure: which ads to pause and which ad sets to scale.

An ad is paused when it spent at least the policy's minimum and its ROAS is below the floor
(an ad the watcher already paused is never paused again). An ad set whose running ads together
reach the scaling ROAS after the minimum spend grows by the policy's step — up to the approved
budget and never above it: at the approved budget, scaling stops and the report says so.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from policies.schema import AdLimits
from storage.marketing import CampaignRecord
from tools.ads import AdInsights


class WatchKind(StrEnum):
    PAUSE = "pause"
    SCALE = "scale"
    KEEP = "keep"


class WatchDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: WatchKind
    campaign_key: str
    title: str
    reason: str
    ad_id: str | None = None
    adset_id: str | None = None
    budget_before_eur: Decimal | None = None
    budget_after_eur: Decimal | None = None
    approved_budget_eur: Decimal | None = None


def _roas(value: Decimal, spend: Decimal) -> Decimal:
    return (value / spend).quantize(Decimal("0.01")) if spend else Decimal(0)


def decide(
    campaign: CampaignRecord, insights: list[AdInsights], limits: AdLimits
) -> list[WatchDecision]:
    paused = {ad.ad_id for ad in campaign.ads if ad.status != "ACTIVE"}
    decisions: list[WatchDecision] = []
    running: list[AdInsights] = []
    for row in insights:
        if row.ad_id in paused:
            continue
        roas = row.roas if row.roas is not None else _roas(row.purchase_value_eur, row.spend_eur)
        if row.spend_eur >= limits.min_spend_eur and roas < limits.roas_floor:
            decisions.append(
                WatchDecision(
                    kind=WatchKind.PAUSE,
                    campaign_key=campaign.key,
                    title=row.ad_name,
                    ad_id=row.ad_id,
                    reason=f"ROAS {roas} is below the floor of {limits.roas_floor} after "
                    f"€{row.spend_eur} spent (the minimum before judging is "
                    f"€{limits.min_spend_eur})",
                )
            )
        else:
            running.append(row)
    spend = sum((row.spend_eur for row in running), Decimal(0))
    value = sum((row.purchase_value_eur for row in running), Decimal(0))
    if spend < limits.min_spend_eur or _roas(value, spend) < limits.scale_roas:
        return decisions
    roas = _roas(value, spend)
    base = {
        "campaign_key": campaign.key,
        "title": f"Budget of {campaign.product_title} ads",
        "adset_id": campaign.adset_id,
        "budget_before_eur": campaign.budget_eur,
        "approved_budget_eur": campaign.approved_budget_eur,
    }
    if campaign.budget_eur >= campaign.approved_budget_eur:
        decisions.append(
            WatchDecision(
                kind=WatchKind.KEEP,
                reason=f"ROAS {roas} is a winner, but the budget is at the approved "
                f"€{campaign.approved_budget_eur}: scaling stops here; more needs a new approval",
                budget_after_eur=campaign.budget_eur,
                **base,
            )
        )
        return decisions
    grown = campaign.budget_eur * (100 + limits.scale_step_pct) / 100
    after = min(campaign.approved_budget_eur, grown.quantize(Decimal("0.01"), ROUND_DOWN))
    capped = " (capped at the approved budget)" if after == campaign.approved_budget_eur else ""
    decisions.append(
        WatchDecision(
            kind=WatchKind.SCALE,
            reason=f"ROAS {roas} is at or above {limits.scale_roas} after €{spend} spent: "
            f"budget €{campaign.budget_eur} → €{after}{capped}",
            budget_after_eur=after,
            **base,
        )
    )
    return decisions
