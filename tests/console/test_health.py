"""Dashboard business health against the sandbox store: revenue, orders and profit per day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from nodes.services import Services
from server.console.health import business_health
from settings import Settings
from tests.integration.pipeline_support import shop
from tools.sandbox import SandboxServer


def _expected(
    sandbox: SandboxServer, start: datetime, end: datetime
) -> tuple[Decimal, int, Decimal]:
    """Revenue, orders and profit straight from the emulator's store objects."""
    store = shop(sandbox).store
    revenue, orders, profit = Decimal(0), 0, Decimal(0)
    for order in store.orders.values():
        if order.cancelled_at is not None or not start <= order.created_at < end:
            continue
        revenue += order.total_price
        orders += 1
        cost = Decimal(0)
        for line in order.line_items:
            assert line.variant_number is not None
            unit_cost = store.variants[line.variant_number].inventory_item.unit_cost
            assert unit_cost is not None
            cost += unit_cost * (line.quantity - order.refunded_quantity(line.number))
        profit += order.total_price - cost
    return revenue, orders, profit


async def test_revenue_orders_and_profit_today_and_yesterday(
    sandbox: SandboxServer,
) -> None:
    store = shop(sandbox).store
    now = max(order.created_at for order in store.orders.values()) + timedelta(minutes=1)
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    settings = Settings(royal_sandbox_host=sandbox.host, royal_sandbox_port=sandbox.port)
    async with Services.open(settings) as services:
        services.clock = lambda: now
        health = await business_health(services)
    assert health.error is None
    today = _expected(sandbox, midnight, now)
    yesterday = _expected(sandbox, midnight - timedelta(days=1), midnight)
    assert today[1] + yesterday[1] > 0, "the seeded store has recent orders"
    assert (health.today.revenue, health.today.orders, health.today.profit) == today
    assert (health.yesterday.revenue, health.yesterday.orders, health.yesterday.profit) == yesterday
    assert health.today.orders_without_cost == health.yesterday.orders_without_cost == 0
