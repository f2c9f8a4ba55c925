"""The jobs the marketing cluster does, and the task parameters each one understands.

A task names its job in ``parameters["action"]``: ``launch_ads`` (copy, creatives and a
campaign for one product with a budget) or ``watch_ads`` (the ROAS watcher over the store's
active campaigns) or ``discount`` (a Shopify discount code with an end date) or ``seo``
(meta titles, descriptions and handles of the active products). A task without an action is
a launch.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from nodes.clusters import ClusterTask


class MarketingJob(StrEnum):
    LAUNCH_ADS = "launch_ads"
    WATCH_ADS = "watch_ads"
    DISCOUNT = "discount"
    SEO = "seo"


class UnknownJobError(ValueError):
    """A task asked the marketing cluster for something it does not do."""


def job_of(task: ClusterTask) -> MarketingJob:
    default = MarketingJob.LAUNCH_ADS
    raw = task.parameters.get("action", default.value)
    try:
        return MarketingJob(str(raw).strip().lower())
    except ValueError:
        known = ", ".join(job.value for job in MarketingJob)
        raise UnknownJobError(
            f"the marketing cluster does not do {raw!r} (it does: {known})"
        ) from None


class LaunchParams(BaseModel):
    """What a launch needs: the product as the store names it and the total budget in EUR."""

    model_config = ConfigDict(extra="ignore")

    product: str = Field(min_length=1, max_length=200)
    budget_eur: Decimal = Field(gt=0, le=1_000_000, decimal_places=2)
    days: int = Field(default=7, ge=1, le=90)
    languages: list[str] = Field(default_factory=lambda: ["en", "nl"], min_length=1)

    @classmethod
    def of(cls, task: ClusterTask) -> LaunchParams:
        return cls.model_validate(task.parameters)
