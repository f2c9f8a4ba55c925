"""Loyalty & retention: each customer's lifetime value, VIPs and churn risk from the store's own
orders (recency and frequency), as the operator's retention list.

Read-only: the figures come from Shopify orders by code; nothing is written. Retention offers
(discount codes) are not proposed from here yet.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict

from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.customer_service.models import Outcome, OutcomeStatus
from nodes.customer_service.state import CustomerServiceState
from tools.shopify.errors import ShopifyError
from tools.shopify.models.orders import OrderSummary

#: A VIP is in the top fifth of customers by lifetime value and has spent at least this much.
VIP_MIN_EUR = Decimal(200)
VIP_SHARE = 0.2
#: Churn: no order for twice the customer's usual gap, and never less than this many days.
CHURN_MIN_DAYS = 30
#: A one-order customer is at risk once the first order is this old.
ONE_ORDER_DAYS = 45
MAX_ORDERS = 2000
LISTED = 10


class ChurnRisk(StrEnum):
    LOW = "low"
    HIGH = "high"


class CustomerValue(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: str
    orders: int
    lifetime_value: Decimal
    days_since_last_order: int
    usual_gap_days: float | None
    vip: bool
    churn_risk: ChurnRisk


def segment(orders: list[OrderSummary], now: datetime) -> list[CustomerValue]:
    """Customers by lifetime value (paid orders, cancelled and refunded ones left out)."""
    by_email: dict[str, list[OrderSummary]] = defaultdict(list)
    for order in orders:
        status = (order.display_financial_status or "").upper()
        if order.email and order.cancelled_at is None and status not in {"REFUNDED", "VOIDED"}:
            by_email[order.email.lower()].append(order)
    values = []
    for email, placed in by_email.items():
        times = sorted(o.created_at for o in placed)
        gaps = [(b - a).total_seconds() / 86400 for a, b in itertools.pairwise(times)]
        usual = statistics.median(gaps) if gaps else None
        idle = (now - times[-1]).total_seconds() / 86400
        at_risk = idle >= max(CHURN_MIN_DAYS, 2 * usual) if usual else idle >= ONE_ORDER_DAYS
        values.append(
            CustomerValue(
                email=email,
                orders=len(placed),
                lifetime_value=sum((o.total_price.shop_money.amount for o in placed), Decimal(0)),
                days_since_last_order=int(idle),
                usual_gap_days=round(usual, 1) if usual is not None else None,
                vip=False,
                churn_risk=ChurnRisk.HIGH if at_risk else ChurnRisk.LOW,
            )
        )
    values.sort(key=lambda v: v.lifetime_value, reverse=True)
    top = max(1, round(len(values) * VIP_SHARE)) if values else 0
    return [
        v.model_copy(update={"vip": i < top and v.lifetime_value >= VIP_MIN_EUR})
        for i, v in enumerate(values)
    ]


def _outcome(value: CustomerValue) -> Outcome:
    labels = [*(["VIP"] if value.vip else []), f"churn risk {value.churn_risk.value}"]
    gap = f", usually every {value.usual_gap_days} days" if value.usual_gap_days else ""
    return Outcome(
        subject=f"Customer {value.email}",
        status=OutcomeStatus.ANALYSED,
        detail=(
            f"{', '.join(labels)}: lifetime value €{value.lifetime_value} over {value.orders} "
            f"order(s), last {value.days_since_last_order} day(s) ago{gap}"
        ),
        amount=value.lifetime_value,
    )


async def retention(state: CustomerServiceState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    try:
        orders = [o async for o in services.shopify.iter_orders(limit=MAX_ORDERS)]
    except ShopifyError as exc:
        failure = ServiceFailure.of("Shopify", "list orders", exc, "no retention figures")
        return {"failures": [failure]}
    values = segment(orders, services.clock())
    vips = [v for v in values if v.vip]
    at_risk = [v for v in values if v.churn_risk is ChurnRisk.HIGH]
    total = sum((v.lifetime_value for v in values), Decimal(0))
    average = (total / len(values)).quantize(Decimal("0.01")) if values else Decimal(0)
    listed = (vips + [v for v in at_risk if not v.vip])[:LISTED]
    note = (
        f"{len(values)} customer(s), lifetime value €{total} (average €{average}); "
        f"{len(vips)} VIP(s), {len(at_risk)} at churn risk"
    )
    overview = Outcome(subject="Customer base", status=OutcomeStatus.ANALYSED, detail=note)
    return {"outcomes": [overview, *(_outcome(v) for v in listed)]}
