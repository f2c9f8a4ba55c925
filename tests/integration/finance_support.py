"""Helpers for the finance cluster's tests: a sandbox order, a SKU mapped to a CJ variant
whose vendor is onboarded, and signed ``orders/paid`` webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx

from nodes.services import Services
from server.api.routes_webhooks import SANDBOX_SHOPIFY_WEBHOOK_SECRET
from storage.order_lines import OrderLineRepository, VariantSupplier
from storage.product_suppliers import NewOnboarding, SupplierRegistry
from tools.sandbox import SandboxServer

#: The seeded shop's Resistance Band Kit (green), dropshipped from CJ's resistance bands.
BAND_SKU = "RE-RBK-GREEN"
YOGA_SKU = "RE-YGM-SAGE"


async def map_to_cj(
    services: Services, sku: str, query: str, *, variant: str = "", onboard: bool = True
) -> str:
    """Map ``sku`` to the first variant (whose name contains ``variant``) of CJ's first hit for
    ``query``; returns the vendor's name."""
    cj = services.suppliers["cjdropshipping"]
    hit = (await cj.search_catalog(query, limit=1))[0]
    product = await cj.get_product(hit.product_id)
    chosen = next(v for v in product.variants if variant in v.name)
    await OrderLineRepository(services.database).map_variant(
        VariantSupplier(
            sku=sku,
            supplier="cjdropshipping",
            product_id=product.product_id,
            variant_id=chosen.variant_id,
        )
    )
    if onboard:
        await SupplierRegistry(services.database).onboard(
            NewOnboarding(
                platform="cjdropshipping",
                vendor_id=product.vendor.id,
                vendor_name=product.vendor.name,
                onboarded_by="ada@example.com",
            )
        )
    return product.vendor.name


def place_shop_order(sandbox: SandboxServer, **order: Any) -> dict[str, Any]:
    """A paid order in the sandbox shop (as a checkout would make it)."""
    body = {"lines": [{"sku": BAND_SKU, "quantity": 2}], **order}
    response = httpx.post(f"{sandbox.url}/_sandbox/shopify/orders", json=body, timeout=10)
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    return created


def paid_webhook(
    order: dict[str, Any], delivery_id: str, topic: str = "orders/paid"
) -> tuple[bytes, dict[str, str]]:
    """The body and headers Shopify sends for ``topic``, signed with the sandbox secret."""
    number = int(order["id"].rsplit("/", 1)[1])
    body = json.dumps(
        {
            "id": number,
            "admin_graphql_api_id": order["id"],
            "name": order["name"],
            "financial_status": "paid",
            "total_price": order["total"],
        }
    ).encode()
    digest = hmac.new(SANDBOX_SHOPIFY_WEBHOOK_SECRET.encode(), body, hashlib.sha256).digest()
    return body, {
        "content-type": "application/json",
        "x-shopify-hmac-sha256": base64.b64encode(digest).decode(),
        "x-shopify-topic": topic,
        "x-shopify-webhook-id": delivery_id,
        "x-shopify-shop-domain": "sandbox.myshopify.com",
    }
