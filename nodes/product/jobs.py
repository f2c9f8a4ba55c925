"""The jobs the product cluster does, and the task parameters each one understands.

A task names its job in ``parameters["action"]``: ``source`` (the default: find, vet, price and
publish new products), ``reprice`` (change the price of one product already in the store) or
``onboard_supplier`` (onboard a new supplier, then publish its best products).
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nodes.clusters import ClusterTask

#: How a goal (or a model) names "the product that sells best".
BEST_SELLER = re.compile(
    r"\b(?:best|top)[- ]?(?:sell(?:er|ers|ing)|performing|performer)\b|\bbestsell(?:er|ing)\b|"
    r"\bmost (?:popular|sold)\b|\bnumber one (?:product|seller)\b",
    re.I,
)


class ProductJob(StrEnum):
    SOURCE = "source"
    REPRICE = "reprice"
    ONBOARD_SUPPLIER = "onboard_supplier"


class UnknownJobError(ValueError):
    """A task asked the product cluster for something it does not do."""


#: Parameters only a price change has: a task carrying them without an ``action`` (a model may
#: leave it out) is a price change, never sourcing a new product by that name.
_REPRICE_ONLY = frozenset({"change_pct", "new_price_eur", "change_eur", "best_seller"})


def job_of(task: ClusterTask) -> ProductJob:
    """The task's job: ``parameters["action"]``, else a price change when the parameters are a
    price change's, else sourcing."""
    default = ProductJob.REPRICE if _REPRICE_ONLY & task.parameters.keys() else ProductJob.SOURCE
    raw = task.parameters.get("action", default.value)
    try:
        return ProductJob(str(raw).strip().lower())
    except ValueError:
        known = ", ".join(job.value for job in ProductJob)
        raise UnknownJobError(
            f"the product cluster does not do {raw!r} (it does: {known})"
        ) from None


def problem_of(exc: ValidationError) -> str:
    """A validation error as one sentence for the operator."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


class RepriceParams(BaseModel):
    """Which product gets a new price, and how the new price follows from the old one."""

    model_config = ConfigDict(extra="ignore")

    product: str = Field(default="", description="Product title (words of it) in the store.")
    best_seller: bool = Field(
        default=False, description="Pick the store's best seller from its recent orders."
    )
    change_pct: Decimal | None = Field(
        default=None, ge=-90, le=500, description="Signed change in percent, e.g. 30 or -15."
    )
    new_price_eur: Decimal | None = Field(default=None, gt=0, le=100000, decimal_places=2)
    change_eur: Decimal | None = Field(
        default=None, description="Signed change in EUR, e.g. 2 or -1.50."
    )
    period_days: int = Field(default=30, ge=1, le=365, description="Best seller window.")

    @model_validator(mode="after")
    def _one_product_one_change(self) -> Self:
        if BEST_SELLER.search(self.product):
            self.best_seller, self.product = True, ""
        self.product = self.product.strip()
        if not self.best_seller and not self.product:
            raise ValueError("name the product, or ask for the best seller")
        given = [v for v in (self.change_pct, self.new_price_eur, self.change_eur) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of change_pct, new_price_eur or change_eur")
        if self.change_pct == 0 or self.change_eur == 0:
            raise ValueError("a change of zero changes nothing")
        return self

    @classmethod
    def of(cls, task: ClusterTask) -> RepriceParams:
        return cls.model_validate(task.parameters)

    def asked(self) -> str:
        """What the operator asked for, in words."""
        if self.new_price_eur is not None:
            return f"set the price to €{self.new_price_eur}"
        if self.change_pct is not None:
            verb = "raise" if self.change_pct > 0 else "lower"
            return f"{verb} the price by {abs(self.change_pct).normalize():f}%"
        amount = self.change_eur or Decimal(0)
        verb = "raise" if amount > 0 else "lower"
        return f"{verb} the price by €{abs(amount)}"


class OnboardParams(BaseModel):
    """Which kind of supplier to onboard, and how many of its products to publish after."""

    model_config = ConfigDict(extra="ignore")

    supplier: str = Field(
        default="", description="A platform (cjdropshipping, printful) or a vendor's name."
    )
    query: str = Field(default="", description="What the supplier should sell.")
    count: int = Field(default=1, ge=0, le=10, description="Products to publish; 0: none.")

    @classmethod
    def of(cls, task: ClusterTask) -> OnboardParams:
        return cls.model_validate(task.parameters)
