"""The Printful ``Supplier``: catalog, availability, shipping rates and orders over API v1."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import SecretStr
from typing_extensions import Unpack

from tools.suppliers._adapter import Mode, SupplierAdapter, cheapest_first, secret
from tools.suppliers._client import TransportOptions
from tools.suppliers._keys import order_reference
from tools.suppliers.errors import SupplierNotFoundError, SupplierRequestError
from tools.suppliers.models import (
    Address,
    CatalogItem,
    OrderLine,
    ShippingQuote,
    StockLevel,
    SupplierKey,
    SupplierOrder,
    SupplierOrderRequest,
    SupplierProduct,
)
from tools.suppliers.printful import mapping
from tools.suppliers.printful.client import (
    DEFAULT_BASE_URL,
    DEFAULT_REQUESTS_PER_MINUTE,
    PrintfulClient,
)
from tools.suppliers.protocol import DEFAULT_SEARCH_LIMIT

EXTERNAL_ID_MAX = 32
PAGE_LIMIT = 100
DETAIL_CONCURRENCY = 4
MAX_DETAIL_READS = 60
"""Products whose prices one search may read: half a minute's worth of Printful's limit."""
DEFAULT_SHIPPING = "STANDARD"


class PrintfulSupplier(SupplierAdapter[PrintfulClient]):
    """Printful behind the ``Supplier`` protocol.

    Orders carry our idempotency key as ``external_id``; Printful refuses a second order with
    the same one, and ``GET /orders/@{external_id}`` finds the first, so a retried placement
    returns the order that exists instead of printing twice.
    """

    key: SupplierKey = "printful"
    display_name = "Printful"
    order_reference_field = "external_id"

    def __init__(
        self,
        token: SecretStr | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        store_id: str | None = None,
        mode: Mode = "real",
        requests_per_minute: int | None = DEFAULT_REQUESTS_PER_MINUTE,
        currency: str = mapping.DEFAULT_CURRENCY,
        **transport: Unpack[TransportOptions],
    ) -> None:
        self.mode = mode
        self.currency = currency
        self.client = PrintfulClient(
            secret(token),
            base_url=base_url,
            store_id=store_id,
            requests_per_minute=requests_per_minute,
            **transport,
        )

    async def search_catalog(
        self, query: str, *, max_price: Decimal | None = None, limit: int = DEFAULT_SEARCH_LIMIT
    ) -> list[CatalogItem]:
        """Filter the catalog by words, then read prices (the list carries none) until ``limit``.

        At most ``MAX_DETAIL_READS`` products are priced per search, so a vague query over the
        real catalog (hundreds of products) cannot spend minutes of the rate limit.
        """
        candidates = [
            product
            for product in await self._catalog()
            if not product.get("is_discontinued") and mapping.matches(query, product)
        ][:MAX_DETAIL_READS]
        items: list[CatalogItem] = []
        for start in range(0, len(candidates), DETAIL_CONCURRENCY):
            batch = candidates[start : start + DETAIL_CONCURRENCY]
            details = await asyncio.gather(*(self.get_product(str(p["id"])) for p in batch))
            for detail in details:
                item = mapping.catalog_item(detail)
                if max_price is None or item.cost.amount <= max_price:
                    items.append(item)
            if len(items) >= limit:
                break
        return items[:limit]

    async def get_product(self, product_id: str) -> SupplierProduct:
        result, _ = await self.client.request(
            "GET", f"/products/{_numeric(product_id, 'product')}", subject=("product", product_id)
        )
        return mapping.product(result["product"], list(result.get("variants") or []))

    async def get_stock(self, variant_id: str) -> StockLevel:
        result, _ = await self.client.request(
            "GET",
            f"/products/variant/{_numeric(variant_id, 'variant')}",
            subject=("variant", variant_id),
        )
        return mapping.stock(variant_id, result["variant"])

    async def quote_shipping(
        self, items: Sequence[OrderLine], destination: Address
    ) -> list[ShippingQuote]:
        recipient: dict[str, str] = {"country_code": destination.country_code}
        for field in ("state_code", "city", "zip", "address1"):
            value = getattr(destination, field)
            if value:
                recipient[field] = value
        body = {
            "recipient": recipient,
            "items": [
                {"variant_id": _numeric(line.variant_id, "variant"), "quantity": line.quantity}
                for line in items
            ],
            "currency": self.currency,
            "locale": "en_US",
        }
        result, _ = await self.client.request("POST", "/shipping/rates", body=body)
        return cheapest_first(mapping.shipping_quote(row) for row in result or [])

    async def place_order(
        self, order: SupplierOrderRequest, *, idempotency_key: str
    ) -> SupplierOrder:
        external_id = order_reference(idempotency_key, max_length=EXTERNAL_ID_MAX)
        existing = await self._find_order(external_id)
        if existing is not None:
            return existing
        try:
            result, _ = await self.client.request(
                "POST",
                "/orders",
                params={"confirm": "true"},
                body=self._order_body(order, external_id),
            )
        except SupplierRequestError:
            # A lost answer plus a retry lands here as "external_id already used": the order
            # exists, so return it; any other refusal stands.
            existing = await self._find_order(external_id)
            if existing is None:
                raise
            return existing
        return mapping.order(result)

    async def find_order(self, idempotency_key: str) -> SupplierOrder | None:
        return await self._find_order(order_reference(idempotency_key, max_length=EXTERNAL_ID_MAX))

    async def get_order(self, order_id: str) -> SupplierOrder:
        result, _ = await self.client.request(
            "GET", f"/orders/{order_id}", subject=("order", order_id)
        )
        return mapping.order(result)

    def _rate_limit(self) -> str:
        per_minute = self.client.requests_per_minute
        return (
            f"{per_minute} requests / 60 s (client-side bucket)"
            if per_minute
            else "no client-side limit"
        )

    async def _ping(self) -> str:
        """One authenticated call: proves Printful answers and accepts the token and store.

        It closes its connection, so an adapter built only to be probed leaves no socket open.
        """
        await self.client.request(
            "GET",
            "/products",
            params={"offset": 0, "limit": 1},
            attempts=1,
            extra_headers={"Connection": "close"},
        )
        return "answered; token accepted"

    async def _catalog(self) -> list[dict[str, Any]]:
        products: list[dict[str, Any]] = []
        offset = 0
        while True:
            result, paging = await self.client.request(
                "GET", "/products", params={"offset": offset, "limit": PAGE_LIMIT}
            )
            products.extend(result or [])
            if paging is None or not result or offset + len(result) >= paging.total:
                return products
            offset += len(result)

    async def _find_order(self, external_id: str) -> SupplierOrder | None:
        try:
            return await self.get_order(f"@{external_id}")
        except SupplierNotFoundError:
            return None

    def _order_body(self, order: SupplierOrderRequest, external_id: str) -> dict[str, Any]:
        recipient = order.recipient
        items = []
        for line in order.lines:
            item: dict[str, Any] = {
                "variant_id": _numeric(line.variant_id, "variant"),
                "quantity": line.quantity,
            }
            if line.retail_price is not None:
                item["retail_price"] = str(line.retail_price.amount)
            if line.design_url:
                item["files"] = [{"url": line.design_url}]
            items.append(item)
        body: dict[str, Any] = {
            "external_id": external_id,
            "shipping": order.shipping_method or DEFAULT_SHIPPING,
            "recipient": {
                key: value
                for key, value in {
                    "name": recipient.name,
                    "address1": recipient.address1,
                    "address2": recipient.address2,
                    "city": recipient.city,
                    "state_code": recipient.state_code,
                    "country_code": recipient.country_code,
                    "zip": recipient.zip,
                    "phone": recipient.phone,
                    "email": recipient.email,
                }.items()
                if value
            },
            "items": items,
        }
        if order.note:
            body["packing_slip"] = {"message": order.note}
        return body


def _numeric(identifier: str, kind: str) -> int:
    """Printful ids are integers; anything else cannot exist there."""
    if not identifier.isdigit():
        raise SupplierNotFoundError("printful", kind, identifier)
    return int(identifier)
