"""The Orders and Finance pages in a real browser: reached from the finance cluster's card,
a held order shows its reason and resolution, and the daily P&L is a table and an SVG chart
drawn on the server."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.console.conftest import Console, console, viewer
from tests.integration.finance_support import paid_webhook, place_shop_order

__all__ = ["console", "viewer"]


def test_finance_card_links_to_the_finance_page_with_a_server_drawn_chart(
    console: Console, viewer: Page
) -> None:
    card = viewer.locator(".cluster-card", has_text="Finance")
    card.get_by_role("link", name="Finance").click()
    expect(viewer.locator("h1")).to_have_text("Finance")
    chart = viewer.locator("figure svg")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 28  # 14 days x (net sales, profit)
    expect(viewer.locator("table.list tbody tr")).to_have_count(14)
    expect(viewer.locator("table.list")).to_contain_text("€")
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
