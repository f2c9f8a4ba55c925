"""Orders as support needs them (status, tracking, money left to refund) and refunds.

Order numbers and emails reach these functions only after validation (digits; an address), so
nothing a customer typed is ever spliced into a search query as-is.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.shopify import ShopifyClient
from tools.shopify.models.order_inputs import RefundInput, RefundTransactionInput
from tools.shopify.models.orders import Refund

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_PAYMENT_KINDS = frozenset({"SALE", "CAPTURE"})

_ORDERS = """
query SupportOrders($query: String!, $first: Int!) {
  orders(first: $first, query: $query, sortKey: PROCESSED_AT, reverse: true) {
    nodes {
      id
      name
      email
      createdAt
      displayFinancialStatus
      displayFulfillmentStatus
      totalPriceSet { shopMoney { amount currencyCode } }
      totalRefundedSet { shopMoney { amount currencyCode } }
      shippingAddress { city countryCodeV2 }
      fulfillments(first: 5) {
        status
        createdAt
        trackingInfo(first: 3) { company number url }
      }
      transactions(first: 10) {
        id
        kind
        status
        gateway
        amountSet { shopMoney { amount currencyCode } }
      }
    }
  }
}
"""


class Tracking(BaseModel):
    model_config = ConfigDict(frozen=True)

    company: str | None = None
    number: str | None = None
    url: str | None = None


class Payment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    status: str
    gateway: str | None = None
    amount: Decimal


class SupportOrder(BaseModel):
    """One order: who placed it, where it stands, and what can still be refunded."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str | None
    created_at: datetime
    financial_status: str | None
    fulfillment_status: str
    total: Decimal
    refunded: Decimal
    currency: str
    city: str | None = None
    country: str | None = None
    shipped_at: datetime | None = None
    tracking: list[Tracking] = Field(default_factory=list)
    payments: list[Payment] = Field(default_factory=list)

    @property
    def refundable(self) -> Decimal:
        return max(self.total - self.refunded, Decimal(0))

    @property
    def payment(self) -> Payment | None:
        """The successful payment a refund goes back through."""
        return next(
            (p for p in self.payments if p.kind in _PAYMENT_KINDS and p.status == "SUCCESS"), None
        )

    def belongs_to(self, email: str | None) -> bool:
        return bool(email and self.email and self.email.lower() == email.lower())


def _money(raw: Any) -> tuple[Decimal, str]:
    shop = (raw or {}).get("shopMoney") or {}
    return Decimal(str(shop.get("amount") or "0")), str(shop.get("currencyCode") or "EUR")


def _order(raw: dict[str, Any]) -> SupportOrder:
    total, currency = _money(raw.get("totalPriceSet"))
    refunded, _ = _money(raw.get("totalRefundedSet"))
    fulfillments = raw.get("fulfillments") or []
    shipped = [f for f in fulfillments if f.get("status") == "SUCCESS"]
    address = raw.get("shippingAddress") or {}
    return SupportOrder(
        id=raw["id"],
        name=raw["name"],
        email=raw.get("email"),
        created_at=raw["createdAt"],
        financial_status=raw.get("displayFinancialStatus"),
        fulfillment_status=raw.get("displayFulfillmentStatus") or "UNFULFILLED",
        total=total,
        refunded=refunded,
        currency=currency,
        city=address.get("city"),
        country=address.get("countryCodeV2"),
        shipped_at=min((f["createdAt"] for f in shipped), default=None),
        tracking=[Tracking.model_validate(t) for f in shipped for t in f.get("trackingInfo") or []],
        payments=[
            Payment(
                id=t["id"],
                kind=t["kind"],
                status=t["status"],
                gateway=t.get("gateway"),
                amount=_money(t.get("amountSet"))[0],
            )
            for t in raw.get("transactions") or []
        ],
    )


async def _search(client: ShopifyClient, query: str, first: int) -> list[SupportOrder]:
    data = await client.execute(_ORDERS, {"query": query, "first": first})
    nodes = (data.get("orders") or {}).get("nodes") or []
    return [_order(n) for n in nodes]


async def order_by_number(client: ShopifyClient, number: int) -> SupportOrder | None:
    """The order named ``#<number>``."""
    found = await _search(client, f"name:{int(number)}", 1)
    return found[0] if found else None


async def latest_order_of(client: ShopifyClient, email: str) -> SupportOrder | None:
    """The customer's most recent order (by the email the order was placed with)."""
    if not _EMAIL.match(email):
        return None
    found = await _search(client, f'email:"{email}"', 5)
    return max(found, key=lambda o: o.created_at) if found else None


async def create_refund(
    client: ShopifyClient,
    *,
    order_id: str,
    amount: Decimal,
    payment_id: str,
    gateway: str,
    note: str,
    idempotency_key: str,
) -> Refund:
    """``refundCreate`` of ``amount`` back through the order's payment, once per key."""
    refund = RefundInput(
        order_id=order_id,
        note=note,
        notify=True,
        transactions=[
            RefundTransactionInput(
                order_id=order_id, parent_id=payment_id, amount=amount, gateway=gateway
            )
        ],
    )
    created = await client.create_refund(refund, idempotency_key=idempotency_key)
    return created


_PAGED = (
    _ORDERS.replace("$first: Int!)", "$first: Int!, $after: String)")
    .replace("reverse: true)", "reverse: true, after: $after)")
    .replace("    nodes {", "    pageInfo { hasNextPage endCursor }\n    nodes {", 1)
)
#: Orders per page: a page stays under Shopify's single-query cost limit.
_PAGE = 10


async def shipped_orders(
    client: ShopifyClient, *, created_before: datetime, limit: int = 100
) -> list[SupportOrder]:
    """Fully shipped orders placed before ``created_before``, newest first, page by page."""
    query = f"fulfillment_status:shipped created_at:<={created_before.date().isoformat()}"
    found: list[SupportOrder] = []
    after: str | None = None
    while len(found) < limit:
        data = await client.execute(_PAGED, {"query": query, "first": _PAGE, "after": after})
        orders = data.get("orders") or {}
        found.extend(_order(n) for n in orders.get("nodes") or [])
        page = orders.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            break
        after = page.get("endCursor")
    return found[:limit]
