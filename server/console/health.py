"""Business health for the dashboard: revenue and orders today vs yesterday, from the store.

Profit needs each order's cost of goods, which the store's orders do not carry: the dashboard
shows revenue and orders and says profit is not known rather than guessing it.
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


class BusinessHealth(BaseModel):
    today: DayFigures
    yesterday: DayFigures
    currency: str = "EUR"
    error: str | None = None

    @property
    def revenue_change(self) -> float | None:
        if not self.yesterday.revenue:
            return None
        return float((self.today.revenue - self.yesterday.revenue) / self.yesterday.revenue)


async def _figures(services: Services, now: datetime) -> BusinessHealth:
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    yesterday = midnight - timedelta(days=1)
    today, before = DayFigures(), DayFigures()
    currency = "EUR"
    wanted = OrderFilter(created_from=yesterday)
    async for order in services.shopify.iter_orders(wanted, limit=MAX_ORDERS):
        if order.cancelled_at is not None:
            continue
        day = today if order.created_at >= midnight else before
        day.revenue += Decimal(str(order.total_price.shop_money.amount))
        day.orders += 1
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
