"""ROAS watcher, first step: read every active campaign's insights, record the day's ad spend,
and decide what to pause and what to scale (``watch_rules``). Each write goes to its own task
(``watch_act``) and through the approval gate there."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from typing_extensions import TypedDict

from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.marketing.launcher import ads_of
from nodes.marketing.models import Outcome, OutcomeStatus
from nodes.marketing.state import MarketingState
from nodes.marketing.watch_rules import WatchDecision, WatchKind, decide
from nodes.services import Services
from storage.ad_spend import AdSpendEntry, AdSpendRepository
from storage.marketing import CampaignRecord, CampaignRepository
from tools.ads import AdInsights, AdsError


class WatchInput(TypedDict):
    """What one watcher write receives through ``Send``: one decision, nothing shared."""

    task: ClusterTask
    goal: str
    decision: WatchDecision


logger = logging.getLogger(__name__)


async def watch(state: MarketingState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    limits = services.policy.policy.document.ads
    campaigns = CampaignRepository(services.database, clock=services.clock)
    active = [c for c in await campaigns.recent(500) if c.status == "active"]
    if not active:
        kept = Outcome(title="ROAS watch", status=OutcomeStatus.KEPT, detail="no active campaigns")
        return {"task": task, "outcomes": [kept]}
    decisions: list[WatchDecision] = []
    failures: list[ServiceFailure] = []
    for campaign in active:
        try:
            insights = await ads_of(services).insights(campaign.campaign_id)
        except AdsError as exc:
            failures.append(
                ServiceFailure.of(
                    "Meta Ads",
                    f"read the insights of {campaign.name}",
                    exc,
                    "that campaign was not watched",
                )
            )
            continue
        await _record_spend(services, campaign, insights)
        decisions.extend(decide(campaign, insights, limits))
    outcomes = [_kept(d) for d in decisions if d.kind is WatchKind.KEEP]
    acting = [d for d in decisions if d.kind is not WatchKind.KEEP]
    if not decisions and not failures:
        outcomes.append(
            Outcome(
                title="ROAS watch",
                status=OutcomeStatus.KEPT,
                detail=f"{len(active)} campaign(s) checked: nothing to pause or scale",
            )
        )
    return {"task": task, "watch": acting, "outcomes": outcomes, "failures": failures}


def _kept(decision: WatchDecision) -> Outcome:
    return Outcome(
        title=decision.title,
        status=OutcomeStatus.KEPT,
        detail=decision.reason,
        budget_eur=decision.budget_after_eur,
    )


async def _record_spend(
    services: Services, campaign: CampaignRecord, insights: list[AdInsights]
) -> None:
    """Today's row: the lifetime figures less what earlier days already hold."""
    today = services.clock().date()
    repo = AdSpendRepository(services.database, clock=services.clock)
    earlier = [
        r
        for r in await repo.between(date(2000, 1, 1), today - timedelta(days=1))
        if r.campaign_id == campaign.campaign_id
    ]
    spend = sum((row.spend_eur for row in insights), Decimal(0))
    purchases = sum(row.purchases for row in insights)
    revenue = sum((row.purchase_value_eur for row in insights), Decimal(0))
    await repo.record(
        AdSpendEntry(
            day=today,
            platform=campaign.platform,
            campaign_id=campaign.campaign_id,
            campaign_name=campaign.name,
            spend_eur=max(Decimal(0), spend - sum((r.spend_eur for r in earlier), Decimal(0))),
            purchases=max(0, purchases - sum(r.purchases for r in earlier)),
            revenue_eur=max(
                Decimal(0), revenue - sum((r.revenue_eur for r in earlier), Decimal(0))
            ),
        )
    )


def route_watch(state: MarketingState) -> list[Send] | str:
    """One task per pause or budget change: each gets at most one interrupt."""
    decisions = state.get("watch", [])
    if not decisions:
        return "report"
    return [
        Send("watch_act", WatchInput(task=state["task"], goal=state.get("goal", ""), decision=d))
        for d in decisions
    ]
