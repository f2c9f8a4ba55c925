"""Ads platforms: the ``AdsPlatform`` protocol and the Meta Marketing API client."""

from tools.ads.errors import AdsAuthError, AdsError, AdsNotFoundError, AdsRateLimitError
from tools.ads.meta import MetaAdsClient
from tools.ads.models import (
    AdInsights,
    AdObject,
    BudgetKind,
    NewAd,
    NewAdSet,
    NewCampaign,
    Status,
)
from tools.ads.protocol import AdsPlatform

__all__ = [
    "AdInsights",
    "AdObject",
    "AdsAuthError",
    "AdsError",
    "AdsNotFoundError",
    "AdsPlatform",
    "AdsRateLimitError",
    "BudgetKind",
    "MetaAdsClient",
    "NewAd",
    "NewAdSet",
    "NewCampaign",
    "Status",
]
