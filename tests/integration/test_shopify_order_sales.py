"""Sales by product over real HTTP against the sandbox store: what "best seller" is read from."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from nodes.product.sales import best_sellers
from settings import Settings
from tools.sandbox import SandboxServer
from tools.shopify import OrderFilter, ShopifyClient


def _kept_units(sandbox: SandboxServer, since: datetime) -> Counter[str]:
    """Units kept per product title, straight from the emulator's store (the truth)."""
    emulator: Any = sandbox.sandbox.emulators["shopify"]
    store = emulator.store
    units: Counter[str] = Counter()
    for order in store.orders.values():
        if order.created_at < since or order.cancelled_at is not None:
            continue
        for line in order.line_items:
            kept = line.quantity - order.refunded_quantity(line.number)
            if kept > 0:
                units[store.products[line.product_number].title] += kept
    return units


async def test_order_sales_read_every_line_with_its_product(sandbox: SandboxServer) -> None:
    since = datetime.now(UTC) - timedelta(days=30)
    async with ShopifyClient.from_settings(Settings(royal_sandbox_port=sandbox.port)) as client:
        orders = [o async for o in client.iter_order_sales(OrderFilter(created_from=since))]
        ranked = await best_sellers(client, now=datetime.now(UTC), days=30)
        pages = client.stats.requests
    assert len(orders) == 30  # the seeded two weeks of orders, ten per page
    assert all(line.product_id for order in orders for line in order.line_items)
    expected = _kept_units(sandbox, since)
    assert {s.title: s.units for s in ranked} == dict(expected)
    best = max(expected.values())
    assert ranked[0].units == best
    assert ranked[0].title == "Solar Power Bank 20000 mAh"
    assert pages == 6  # three pages of ten per pass, two passes


async def test_no_orders_in_the_window_means_no_best_seller(sandbox: SandboxServer) -> None:
    async with ShopifyClient.from_settings(Settings(royal_sandbox_port=sandbox.port)) as client:
        ranked = await best_sellers(client, now=datetime.now(UTC) - timedelta(days=400), days=30)
    assert ranked == []
