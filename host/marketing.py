"""The marketing cluster's records for front ends: campaigns, their ads and creatives, and
the ad spend per campaign (what the console's Marketing page shows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from nodes.services import Services
from storage.ad_spend import AdSpendRepository
from storage.marketing import CampaignRecord, CampaignRepository, CreativeRecord


@dataclass(frozen=True)
class CampaignView:
    campaign: CampaignRecord
    spend_eur: Decimal
    revenue_eur: Decimal
    creatives: list[CreativeRecord]

    @property
    def roas(self) -> Decimal | None:
        if not self.spend_eur:
            return None
        return (self.revenue_eur / self.spend_eur).quantize(Decimal("0.01"))


def campaigns(services: Services) -> CampaignRepository:
    return CampaignRepository(services.database, clock=services.clock)


async def campaign_views(services: Services, limit: int = 50) -> list[CampaignView]:
    repository = campaigns(services)
    records = await repository.recent(limit)
    spend = await AdSpendRepository(services.database).between(date(2000, 1, 1), date(2999, 1, 1))
    views = []
    for record in records:
        rows = [row for row in spend if row.campaign_id == record.campaign_id]
        views.append(
            CampaignView(
                campaign=record,
                spend_eur=sum((row.spend_eur for row in rows), Decimal(0)),
                revenue_eur=sum((row.revenue_eur for row in rows), Decimal(0)),
                creatives=await repository.creatives(record.key),
            )
        )
    return views
