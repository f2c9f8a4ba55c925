"""``meta_launch_campaign``'s arguments: exactly what the approver sees and may edit.

The budget is the campaign's whole budget in EUR (what the policy classifies: ≤ €500 MEDIUM,
> €500 HIGH by default); the copy is validated against the platform's limits, so an edit
over a limit is refused before the graph resumes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nodes.approval.args import register_args_model
from nodes.marketing.copy import AdCopy

TOOL = "meta_launch_campaign"


class LaunchArgs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: Literal["meta"] = "meta"
    product_id: str = Field(min_length=1)
    product_title: str = Field(min_length=1, max_length=255)
    product_url: str = Field(min_length=1)
    price_eur: Decimal | None = None
    campaign_name: str = Field(min_length=1, max_length=200)
    budget_eur: Decimal = Field(gt=0, le=1_000_000, decimal_places=2)
    days: int = Field(ge=1, le=90)
    countries: list[str] = Field(default_factory=lambda: ["NL", "BE"], min_length=1)
    ads: list[AdCopy] = Field(min_length=1, max_length=8)


register_args_model(TOOL, LaunchArgs)
