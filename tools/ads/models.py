"""What an ads platform knows about campaigns, ad sets, ads and their results, in EUR.

The platforms keep money in the ad account's minor units (cents); these models keep Decimal
euros and the clients convert at the wire, so nodes never see a minor unit.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class BudgetKind(StrEnum):
    DAILY = "daily"
    LIFETIME = "lifetime"


class Status(StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"


class NewCampaign(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=400)
    status: Status = Status.ACTIVE


class NewAdSet(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=400)
    campaign_id: str
    budget_kind: BudgetKind
    budget_eur: Decimal = Field(gt=0, decimal_places=2)
    end_time: AwareDatetime
    countries: list[str] = Field(default_factory=lambda: ["NL"], min_length=1)
    status: Status = Status.ACTIVE


class NewAd(BaseModel):
    """One ad: its copy and the image it shows (PNG bytes, uploaded by the client)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=400)
    adset_id: str
    headline: str
    primary_text: str
    description: str = ""
    link: str
    image_png: bytes
    image_name: str
    status: Status = Status.ACTIVE


class AdObject(BaseModel):
    """A campaign, ad set or ad as the platform lists it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    status: str
    budget_eur: Decimal | None = None
    budget_kind: BudgetKind | None = None


class AdInsights(BaseModel):
    """One ad's results so far (the whole life of the ad)."""

    model_config = ConfigDict(frozen=True)

    ad_id: str
    ad_name: str
    adset_id: str
    spend_eur: Decimal
    purchases: int
    purchase_value_eur: Decimal
    roas: Decimal | None = Field(description="Purchase value per euro spent; None before spend.")
    date_start: str = ""
    date_stop: str = ""


def utc_text(moment: datetime) -> str:
    """ISO-8601 with the offset, as the Graph API takes times."""
    return moment.isoformat(timespec="seconds")
