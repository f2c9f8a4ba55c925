"""Shared by the agent-tool tests: clients over an in-process sandbox (no sockets), a gate that
records what reaches it, and valid arguments for every write tool against the seeded store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import JsonValue, SecretStr

from settings import Settings
from tools.agent_tools import PreparedWrite, SupplierStatusLookup, ToolClients, no_status
from tools.github import SANDBOX_TOKEN, GitHubClient, GitHubConfig
from tools.sandbox import Sandbox, create_sandbox_app
from tools.shopify import SANDBOX_ACCESS_TOKEN, OrderFilter, ShopifyClient, ShopifyConfig
from tools.shopify.models import Order
from tools.suppliers import build_suppliers

BASE = "http://sandbox.test"
BAND_KIT = "gid://shopify/Product/1000002"
BAND_GREEN = "gid://shopify/ProductVariant/2000004"  # 24.95 EUR
BAND_BLUE = "gid://shopify/ProductVariant/2000005"
WAREHOUSE = "gid://shopify/Location/71001"
CJ_BANDS = "3DA71B8C-AAFD-555B-AD6D-BFEB187D5327"


class CountingTransport(httpx.AsyncBaseTransport):
    """The sandbox app in process, counting requests (to prove a step does no I/O)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._inner = httpx.ASGITransport(app=create_sandbox_app(sandbox))
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self._inner.handle_async_request(request)


@dataclass
class Harness:
    sandbox: Sandbox
    transport: CountingTransport
    clients: ToolClients


@asynccontextmanager
async def in_process(supplier_status: SupplierStatusLookup = no_status) -> AsyncIterator[Harness]:
    """Typed clients wired to a fresh seeded sandbox through an ASGI transport."""
    sandbox = Sandbox(seed=7)
    transport = CountingTransport(sandbox)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        shopify = ShopifyClient(
            ShopifyConfig(shop_url=f"{BASE}/shopify", access_token=SecretStr(SANDBOX_ACCESS_TOKEN)),
            http=http,
        )
        github = GitHubClient(
            GitHubConfig(
                api_url=f"{BASE}/github",
                token=SecretStr(SANDBOX_TOKEN),
                repo="royal-equips/storefront",
                sandbox=True,
            ),
            http_client=http,
        )
        suppliers = build_suppliers(Settings(), sandbox_url=BASE, http_client=http)
        clients = ToolClients(
            shopify=shopify, github=github, suppliers=suppliers, supplier_status=supplier_status
        )
        yield Harness(sandbox=sandbox, transport=transport, clients=clients)


@dataclass
class RecordingGate:
    """A ``WriteGate`` that keeps each prepared write and executes none."""

    writes: list[PreparedWrite] = field(default_factory=list)

    async def __call__(self, write: PreparedWrite) -> JsonValue:
        self.writes.append(write)
        return {"status": "recorded"}


async def open_order(clients: ToolClients) -> Order:
    """A paid order with items left to ship (the seeded orders move with the time of day)."""
    search = OrderFilter(financial_status="paid", fulfillment_status="unfulfilled")
    async for summary in clients.shopify.iter_orders(search, limit=50):
        order = await clients.shopify.get_order(summary.id)
        if order is not None and any(
            item.remaining_quantity for fo in order.fulfillment_orders for item in fo.line_items
        ):
            return order
    raise AssertionError("the seeded store has no open paid order")


async def cj_variant(clients: ToolClients, product_id: str = CJ_BANDS) -> tuple[str, Any]:
    """The first variant id of a CJ product, and the product."""
    product = await clients.supplier("cjdropshipping").get_product(product_id)
    return product.variants[0].variant_id, product


RECIPIENT: dict[str, JsonValue] = {
    "country_code": "NL",
    "country_name": "Netherlands",
    "name": "Ann Example",
    "address1": "Damrak 1",
    "city": "Amsterdam",
    "zip": "1012 LG",
    "email": "ann@example.com",
}


async def write_samples(clients: ToolClients) -> dict[str, dict[str, Any]]:
    """Valid arguments for every write tool against the seeded sandbox."""
    variant, _ = await cj_variant(clients)
    order = (await open_order(clients)).id
    return {
        "shopify_set_product": {
            "handle": "aurora-desk-lamp",
            "title": "Aurora LED Desk Lamp",
            "variants": [{"options": {"Color": "White"}, "price": "39.95", "cost": "14.00"}],
        },
        "shopify_update_product": {"product_id": BAND_KIT, "tags": ["fitness", "sale"]},
        "shopify_publish_product": {"product_id": BAND_KIT},
        "shopify_update_prices": {
            "product_id": BAND_KIT,
            "variants": [{"variant_id": BAND_GREEN, "price": "27.45"}],
        },
        "shopify_set_inventory": {
            "product_id": BAND_KIT,
            "quantities": [{"variant_id": BAND_GREEN, "location_id": WAREHOUSE, "quantity": 50}],
        },
        "shopify_create_fulfillment": {"order_id": order, "tracking_number": "T1"},
        "shopify_create_refund": {"order_id": order, "amount": "10.00"},
        "shopify_create_discount": {"code": "SUMMER15", "percentage": "15"},
        "shopify_create_automatic_discount": {
            "title": "Summer 15% off",
            "percentage": "15",
            "starts_at": "2026-06-01T00:00:00Z",
            "ends_at": "2026-06-15T00:00:00Z",
        },
        "github_create_branch": {"branch": "agent/summer-prices"},
        "github_put_file": {
            "path": "products/aurora-desk-lamp.json",
            "content": "{}\n",
            "message": "Update lamp",
            "branch": "feature/summer-collection",
        },
        "github_create_pull_request": {"title": "Summer prices", "head": "agent/summer-prices"},
        "github_update_pull_request": {"number": 1, "title": "Summer collection"},
        "github_comment": {"number": 1, "body": "Prices checked."},
        "supplier_place_order": {
            "supplier": "cjdropshipping",
            "lines": [{"product_id": CJ_BANDS, "variant_id": variant, "quantity": 2}],
            "recipient": RECIPIENT,
        },
    }
