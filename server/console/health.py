"""Business health for the dashboard: revenue, profit and orders today vs yesterday, from the
store.

Profit is revenue minus cost of goods: each line's units times its variant's unit cost
(Shopify's ``inventoryItem.unitCost``, as the store records it).
Orders with a line of unknown cost count towards revenue but not profit; the page says how many.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel

from nodes.services import Services
from tools.shopify import OrderFilter

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
MAX_ORDERS = 2500


class DayFigures(BaseModel):
    revenue: Decimal = Decimal(0)
    orders: int = 0
    profit: Decimal = Decimal(0)
    """Over the orders whose every line has a known cost."""
    orders_without_cost: int = 0


class BusinessHealth(BaseModel):
    today: DayFigures
    yesterday: DayFigures
    currency: str = "EUR"
    error: str | None = None

    @property
    def revenue_change(self) -> float | None:
        return _change(self.today.revenue, self.yesterday.revenue)

    @property
    def profit_change(self) -> float | None:
        return _change(self.today.profit, self.yesterday.profit)


def _change(now: Decimal, before: Decimal) -> float | None:
    return None if not before else float((now - before) / abs(before))


async def _figures(services: Services, now: datetime) -> BusinessHealth:
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    yesterday = midnight - timedelta(days=1)
    today, before = DayFigures(), DayFigures()
    currency = "EUR"
    wanted = OrderFilter(created_from=yesterday)
    async for order in services.shopify.iter_order_costs(wanted, limit=MAX_ORDERS):
        if order.cancelled_at is not None:
            continue
        day = today if order.created_at >= midnight else before
        revenue = Decimal(str(order.total_price.shop_money.amount))
        day.revenue += revenue
        day.orders += 1
        cost = order.cost_of_goods
        if cost is None:
            day.orders_without_cost += 1
        else:
            day.profit += revenue - cost
        currency = order.total_price.shop_money.currency_code or currency
    return BusinessHealth(today=today, yesterday=before, currency=currency)


async def business_health(services: Services) -> BusinessHealth:
    """Today's and yesterday's figures, or why they are missing (the page still renders)."""
    try:
        return await asyncio.wait_for(_figures(services, services.clock()), TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("dashboard: store figures unavailable: %s", exc)
        return BusinessHealth(
            today=DayFigures(),
            yesterday=DayFigures(),
            error=f"store unavailable ({type(exc).__name__})",
        )
