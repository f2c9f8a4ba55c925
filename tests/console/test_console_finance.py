"""The Orders and Finance pages in a real browser: reached from the finance cluster's card,
a held order shows its reason and resolution, and the daily P&L is a table and an SVG chart
drawn on the server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from playwright.sync_api import Page, expect

from storage import Database
from storage.order_lines import OrderLineRepository, VariantSupplier
from storage.product_suppliers import NewOnboarding, SupplierRegistry
from tests.console.conftest import Console, console, viewer
from tests.integration.finance_support import BAND_SKU, paid_webhook, place_shop_order
from tools.sandbox.cj import catalog as cj_catalog
from tools.sandbox.supplier_mapping import demo_mappings

__all__ = ["console", "viewer"]

T = TypeVar("T")


def test_finance_card_links_to_the_finance_page_with_a_server_drawn_chart(
    console: Console, viewer: Page
) -> None:
    card = viewer.locator(".cluster-card", has_text="Finance")
    card.get_by_role("link", name="Finance").click()
    expect(viewer.locator("h1")).to_have_text("Finance")
    chart = viewer.locator("figure svg")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 28  # 14 days x (net sales, profit)
    expect(viewer.locator("#daily-pnl tbody tr")).to_have_count(14)
    expect(viewer.locator("#daily-pnl")).to_contain_text("€")
    owed = viewer.locator("#owed-to-suppliers")
    expect(owed).to_contain_text("€0.00 owed")
    expect(owed).to_contain_text("No supplier order has been placed yet.")
    assert "<script" not in viewer.content().split("<main", 1)[1]


def test_a_held_order_shows_its_reason_and_resolution_on_the_orders_page(
    console: Console, viewer: Page
) -> None:
    order = place_shop_order(console.sandbox)
    body, headers = paid_webhook(order, f"d-{uuid.uuid4()}")
    ack = httpx.post(f"{console.url}/webhooks/shopify", content=body, headers=headers).json()
    assert ack["status"] == "started"
    httpx.get(
        f"{console.url}/threads/{ack['thread_id']}/runs/{ack['run_id']}/join", timeout=120
    ).raise_for_status()
    viewer.goto(f"{console.url}/console/orders")
    row = viewer.locator("tr", has_text=order["name"])
    expect(row).to_contain_text("held")
    expect(row).to_contain_text("no supplier mapping for RE-RBK-GREEN")
    expect(row).to_contain_text("map each SKU")


def _off_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own loop in another thread (Playwright's sync API holds one here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _map_band_to_cj(console: Console) -> None:
    """The band mapped to CJ's listing (as the demo shop maps it) and its vendor onboarded."""
    mapping = next(m for m in demo_mappings() if m.sku == BAND_SKU)
    vendor = next(p.vendor for p in cj_catalog.PRODUCTS if p.pid == mapping.product_id)
    async with Database.from_settings(console.settings) as database:
        await OrderLineRepository(database).map_variant(
            VariantSupplier(
                sku=mapping.sku,
                supplier=mapping.supplier,
                product_id=mapping.product_id,
                variant_id=mapping.variant_id,
            )
        )
        await SupplierRegistry(database).onboard(
            NewOnboarding(
                platform="cjdropshipping", vendor_id=vendor.supplier_id, vendor_name=vendor.name
            )
        )


async def _placed_cost_eur(console: Console, order_id: str) -> Decimal:
    async with Database.from_settings(console.settings) as database:
        (line,) = (await OrderLineRepository(database).of_orders([order_id])).values()
    assert line.cost is not None
    assert line.currency == "USD"
    return (line.cost * Decimal("0.86")).quantize(Decimal("0.01"))  # the policy's USD rate


def test_a_placed_supplier_order_is_owed_on_the_finance_page(
    console: Console, viewer: Page
) -> None:
    _off_loop(_map_band_to_cj(console))
    order = place_shop_order(console.sandbox, lines=[{"sku": BAND_SKU, "quantity": 1}])
    body, headers = paid_webhook(order, f"d-{uuid.uuid4()}")
    ack = httpx.post(f"{console.url}/webhooks/shopify", content=body, headers=headers).json()
    httpx.get(
        f"{console.url}/threads/{ack['thread_id']}/runs/{ack['run_id']}/join", timeout=120
    ).raise_for_status()
    assert console.sandbox.sandbox.ledger.counts().get("cj.createOrderV2") == 1
    owed = _off_loop(_placed_cost_eur(console, order["id"]))
    viewer.goto(f"{console.url}/console/finance")
    section = viewer.locator("#owed-to-suppliers")
    expect(section).to_contain_text(f"€{owed} owed: supplier orders placed €{owed}")
    row = viewer.locator("#supplier-balances tbody tr", has_text="CJdropshipping")
    cells = row.locator("td")
    expect(cells).to_have_text(["CJdropshipping", "1", f"€{owed}", "€0.00", f"€{owed}"])
