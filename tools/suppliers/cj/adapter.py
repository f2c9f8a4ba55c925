"""The CJdropshipping ``Supplier``: catalog, stock, freight and orders over API 2.0."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from pydantic import SecretStr
from typing_extensions import Unpack

from storage.credentials import CredentialStore
from tools.suppliers._adapter import Mode, SupplierAdapter, cheapest_first, secret
from tools.suppliers._client import TransportOptions
from tools.suppliers._keys import order_reference
from tools.suppliers.cj import mapping
from tools.suppliers.cj.client import DEFAULT_BASE_URL, CJClient
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
from tools.suppliers.protocol import DEFAULT_SEARCH_LIMIT

ORDER_NUMBER_MAX = 40
"""``orderNumber`` length CJ accepts on every documented version of createOrder."""

FIND_ORDER_PAGE_SIZE = 100
FIND_ORDER_PAGES = 20
"""How far ``find_order`` pages through CJ's order list before it says it cannot tell."""
PAGE_SIZE_MAX = 100
PayType = Literal[2, 3]


class CJSupplier(SupplierAdapter[CJClient]):
    """CJdropshipping behind the ``Supplier`` protocol.

    ``requests_per_second`` is the account's QPS level (Free 1, Plus 2, Prime 4, Advanced 6);
    None turns the client-side limiter off (the sandbox, unless a test sets its limit).
    ``pay_type`` 2 pays from the CJ balance so the order ships; 3 only creates it.
    """

    key: SupplierKey = "cjdropshipping"
    display_name = "CJdropshipping"
    order_reference_field = "orderNumber"
    currency = mapping.CURRENCY

    def __init__(
        self,
        api_key: SecretStr | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        mode: Mode = "real",
        requests_per_second: float | None = 1.0,
        origin_country: str = "CN",
        pay_type: PayType = 2,
        credentials: CredentialStore | None = None,
        **transport: Unpack[TransportOptions],
    ) -> None:
        self.mode = mode
        self.origin_country = origin_country
        self.pay_type = pay_type
        self.client = CJClient(
            secret(api_key),
            base_url=base_url,
            requests_per_second=requests_per_second,
            credentials=credentials,
            **transport,
        )

    async def search_catalog(
        self, query: str, *, max_price: Decimal | None = None, limit: int = DEFAULT_SEARCH_LIMIT
    ) -> list[CatalogItem]:
        items: list[CatalogItem] = []
        page = 1
        while len(items) < limit:
            params: dict[str, str | int] = {
                "keyWord": query,
                "page": page,
                "size": min(PAGE_SIZE_MAX, limit),
                "features": "enable_category",
            }
            if max_price is not None:
                params["endSellPrice"] = str(max_price)
            data = await self.client.get("product/listV2", params)
            records = [
                record
                for block in (data or {}).get("content") or []
                for record in block.get("productList") or []
            ]
            items.extend(mapping.catalog_item(record) for record in records)
            if not records or page >= int((data or {}).get("totalPages") or 1):
                break
            page += 1
        if max_price is not None:
            items = [item for item in items if item.cost.amount <= max_price]
        return items[:limit]

    async def get_product(self, product_id: str) -> SupplierProduct:
        data = await self.client.get("product/query", {"pid": product_id}, subject=product_id)
        if not data:
            raise SupplierNotFoundError("cjdropshipping", "product", product_id)
        return mapping.product(data)

    async def get_stock(self, variant_id: str) -> StockLevel:
        rows = await self.client.get(
            "product/stock/queryByVid", {"vid": variant_id}, subject=variant_id
        )
        return mapping.stock(variant_id, list(rows or []))

    async def quote_shipping(
        self, items: Sequence[OrderLine], destination: Address, *, origin: str | None = None
    ) -> list[ShippingQuote]:
        start = origin or self.origin_country
        body: dict[str, Any] = {
            "startCountryCode": start,
            "endCountryCode": destination.country_code,
            "products": [{"vid": line.variant_id, "quantity": line.quantity} for line in items],
        }
        if destination.zip:
            body["zip"] = destination.zip
        rows = await self.client.post("logistic/freightCalculate", body)
        return cheapest_first(mapping.shipping_quote(row, start) for row in rows or [])

    async def place_order(
        self, order: SupplierOrderRequest, *, idempotency_key: str
    ) -> SupplierOrder:
        """Create the order with ``orderNumber`` derived from the key; CJ de-duplicates on it."""
        order_number = order_reference(idempotency_key, max_length=ORDER_NUMBER_MAX)
        origin = order.ship_from_country or self.origin_country
        method = order.shipping_method
        if method is None:
            quotes = await self.quote_shipping(order.lines, order.recipient, origin=origin)
            if not quotes:
                raise SupplierRequestError(
                    "cjdropshipping",
                    f"cjdropshipping: no shipping method from {origin} "
                    f"to {order.recipient.country_code}",
                )
            method = quotes[0].method
        recipient = order.recipient
        body = {
            "orderNumber": order_number,
            "shippingCountryCode": recipient.country_code,
            "shippingCountry": recipient.country_name or recipient.country_code,
            "shippingProvince": recipient.state_code or "",
            "shippingCity": recipient.city,
            "shippingAddress": recipient.address1,
            "shippingAddress2": recipient.address2 or "",
            "shippingZip": recipient.zip,
            "shippingCustomerName": recipient.name,
            "shippingPhone": recipient.phone or "",
            "email": recipient.email or "",
            "remark": order.note or "",
            "logisticName": method,
            "fromCountryCode": origin,
            "payType": self.pay_type,
            "products": [
                {"vid": line.variant_id, "quantity": line.quantity} for line in order.lines
            ],
        }
        data = await self.client.post("shopping/order/createOrderV2", body)
        return mapping.order(data)

    async def find_order(self, idempotency_key: str) -> SupplierOrder | None:
        """Looked for in ``shopping/order/list`` by ``orderNum`` (the list, not the detail:
        reading an order's detail is how an order's status is followed)."""
        order_number = order_reference(idempotency_key, max_length=ORDER_NUMBER_MAX)
        for page in range(1, FIND_ORDER_PAGES + 1):
            data = await self.client.get(
                "shopping/order/list", {"pageNum": page, "pageSize": FIND_ORDER_PAGE_SIZE}
            )
            records = (data or {}).get("list") or []
            for record in records:
                if order_number in (record.get("orderNum"), record.get("orderNumber")):
                    return mapping.order(record)
            if len(records) < FIND_ORDER_PAGE_SIZE:
                return None
        raise SupplierRequestError(
            "cjdropshipping",
            f"cjdropshipping: order {order_number} not among the latest "
            f"{FIND_ORDER_PAGES * FIND_ORDER_PAGE_SIZE} orders; look it up in CJ's dashboard",
        )

    async def get_order(self, order_id: str) -> SupplierOrder:
        detail = await self.client.get(
            "shopping/order/getOrderDetail", {"orderId": order_id}, subject=order_id
        )
        if not detail:
            raise SupplierNotFoundError("cjdropshipping", "order", order_id)
        tracking = None
        if detail.get("trackNumber"):
            rows = await self.client.get(
                "logistic/getTrackInfo", {"trackNumber": detail["trackNumber"]}
            )
            tracking = rows[0] if rows else None
        return mapping.order(detail, tracking)

    def _rate_limit(self) -> str:
        rate = self.client.requests_per_second
        return (
            f"{rate:g} request(s)/s per account (client-side); token once per 5 min"
            if rate
            else "no client-side limit; token once per 5 min"
        )

    async def _ping(self) -> str:
        return await self.client.ping()
