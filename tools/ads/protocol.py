"""What the marketing cluster needs from an ads platform (Meta today; TikTok and Google follow).

Every create takes the object's name, and ``find_*`` look objects up by a tag in that name: the
Graph API has no idempotency key, so a launcher that crashed after a create finds the object it
made instead of making a second one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from tools.ads.models import AdInsights, AdObject, NewAd, NewAdSet, NewCampaign, Status


class AdsPlatform(Protocol):
    name: str
    """The platform's key in storage and reports, e.g. ``meta``."""

    async def find_campaigns(self, tag: str) -> list[AdObject]: ...

    async def create_campaign(self, campaign: NewCampaign) -> AdObject: ...

    async def find_ad_sets(self, campaign_id: str, tag: str) -> list[AdObject]: ...

    async def create_ad_set(self, ad_set: NewAdSet) -> AdObject: ...

    async def find_ads(self, campaign_id: str, tag: str) -> list[AdObject]: ...

    async def create_ad(self, ad: NewAd) -> AdObject: ...

    async def set_status(self, object_id: str, status: Status) -> None: ...

    async def set_budget(self, adset_id: str, budget_eur: Decimal) -> AdObject: ...

    async def get_ad_set(self, adset_id: str) -> AdObject: ...

    async def get_ad(self, ad_id: str) -> AdObject: ...

    async def insights(self, campaign_id: str) -> list[AdInsights]: ...

    async def aclose(self) -> None: ...
