"""The jobs the finance cluster does, and the task parameters each one understands.

``parameters["action"]``: ``report`` (the P&L of a ``period``: day, week or month — the
default), ``fulfil`` (place paid, unfulfilled orders with their suppliers and sync tracking;
``order_id`` narrows it to one order, ``since_days`` widens the sweep), ``expense`` (propose a
spend: ``amount_eur``, ``description``, ``category``).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nodes.clusters import ClusterTask


class FinanceJob(StrEnum):
    REPORT = "report"
    FULFIL = "fulfil"
    EXPENSE = "expense"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


#: The expense category of a payment to a supplier: it settles what the cash-flow view owes.
SUPPLIER_PAYMENT = "supplier_payment"

#: Days each period covers, counting today.
PERIOD_DAYS = {Period.DAY: 1, Period.WEEK: 7, Period.MONTH: 30}


class UnknownJobError(ValueError):
    """A task asked the finance cluster for something it does not do."""


class FinanceParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action: FinanceJob = FinanceJob.REPORT
    period: Period = Period.WEEK
    order_id: str | None = None
    since_days: int = Field(default=1, ge=1, le=60)
    amount_eur: Decimal | None = Field(default=None, ge=0)
    description: str = ""
    category: str = "other"


def params_of(task: ClusterTask) -> FinanceParams:
    try:
        return FinanceParams.model_validate(task.parameters)
    except ValidationError as exc:
        raise UnknownJobError(str(exc).splitlines()[0]) from exc
