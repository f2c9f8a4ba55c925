"""The store's best sellers, from its own orders (Shopify line items), not from a guess.

A product's sales are the units customers kept (refunded and removed units do not count) in
orders of the last ``days`` days that were not cancelled; ties go to the higher revenue, then
the title. Deleted products (lines without a product) are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from tools.shopify import ShopifyClient
from tools.shopify.filters import OrderFilter
from tools.shopify.models import OrderSales


class ProductSales(BaseModel):
    model_config = ConfigDict(frozen=True)

    product_id: str
    title: str
    units: int
    orders: int
    revenue_eur: Decimal


@dataclass
class _Tally:
    title: str
    units: int = 0
    revenue: Decimal = Decimal(0)
    orders: set[str] = field(default_factory=set)


def rank_sales(orders: Sequence[OrderSales]) -> list[ProductSales]:
    """Products by units kept, best first."""
    tallies: dict[str, _Tally] = {}
    for order in orders:
        if order.cancelled_at is not None:
            continue
        for line in order.line_items:
            if line.product_id is None or line.kept <= 0:
                continue
            tally = tallies.setdefault(line.product_id, _Tally(line.product_title or ""))
            tally.units += line.kept
            tally.revenue += line.unit_price.shop_money.amount * line.kept
            tally.orders.add(order.id)
    ranked = [
        ProductSales(
            product_id=product_id,
            title=tally.title,
            units=tally.units,
            orders=len(tally.orders),
            revenue_eur=tally.revenue,
        )
        for product_id, tally in tallies.items()
    ]
    return sorted(ranked, key=lambda s: (-s.units, -s.revenue_eur, s.title))


async def best_sellers(shopify: ShopifyClient, *, now: datetime, days: int) -> list[ProductSales]:
    """Every product sold in the last ``days`` days, best seller first."""
    window = OrderFilter(created_from=now - timedelta(days=days), created_until=now)
    orders = [order async for order in shopify.iter_order_sales(window)]
    return rank_sales(orders)


def why_best(ranked: Sequence[ProductSales], days: int) -> str:
    """Why the first product is the best seller, with the runner-up for scale."""
    best = ranked[0]
    orders = f"{best.orders} order" + ("s" if best.orders != 1 else "")
    reason = (
        f"best seller of the last {days} days: {best.units} units kept in {orders} "
        f"(€{best.revenue_eur:.2f})"
    )
    if len(ranked) > 1:
        runner_up = ranked[1]
        reason += f"; next is {runner_up.title} with {runner_up.units} units"
    return reason
