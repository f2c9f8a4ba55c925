"""Orders as the fulfilment and fraud agents read them from Shopify.

One query per order: the lines (SKU, units, Shopify's unit cost), where it goes, who paid,
Shopify's own risk assessment and the customer's note (data, never instructions).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from tools.shopify import ShopifyClient
from tools.shopify.filters import FinancialStatus, FulfillmentStatus, OrderFilter
from tools.shopify.models.common import ensure_gid

_ORDER = """
query FulfilmentOrder($id: ID!) {
  order(id: $id) {
    id
    name
    email
    note
    createdAt
    cancelledAt
    displayFinancialStatus
    displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    shippingAddress { name address1 address2 city zip countryCodeV2 phone }
    billingAddress { countryCodeV2 }
    risk { assessments { riskLevel facts { description sentiment } } recommendation }
    lineItems(first: 50) {
      nodes {
        id
        title
        sku
        quantity
        unfulfilledQuantity
        variant { inventoryItem { unitCost { amount } } }
      }
    }
  }
}
"""


class ShippingAddress(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    country_code: str | None = None
    phone: str | None = None


class FulfilmentLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    sku: str | None
    quantity: int
    unfulfilled: int
    unit_cost: Decimal | None


class FulfilmentOrder(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str | None
    note: str | None
    created_at: AwareDatetime
    cancelled: bool
    financial_status: str
    fulfillment_status: str
    total: Decimal
    currency: str
    shipping: ShippingAddress | None
    billing_country: str | None
    shopify_risk: str | None
    shopify_facts: list[str]
    lines: list[FulfilmentLine]


def _order(raw: dict[str, Any]) -> FulfilmentOrder:
    money = raw["totalPriceSet"]["shopMoney"]
    address = raw.get("shippingAddress")
    assessments = (raw.get("risk") or {}).get("assessments") or []
    levels = [a.get("riskLevel") for a in assessments if a.get("riskLevel")]
    order = ("HIGH", "MEDIUM", "LOW", "NONE", "PENDING")
    worst = min(levels, key=lambda level: order.index(level) if level in order else 9, default=None)
    lines = []
    for line in (raw.get("lineItems") or {}).get("nodes") or []:
        cost = ((line.get("variant") or {}).get("inventoryItem") or {}).get("unitCost")
        lines.append(
            FulfilmentLine(
                id=line["id"],
                title=line["title"],
                sku=line.get("sku"),
                quantity=int(line["quantity"]),
                unfulfilled=int(line.get("unfulfilledQuantity", line["quantity"])),
                unit_cost=Decimal(str(cost["amount"])) if cost else None,
            )
        )
    return FulfilmentOrder(
        id=raw["id"],
        name=raw["name"],
        email=raw.get("email"),
        note=raw.get("note"),
        created_at=raw["createdAt"],
        cancelled=raw.get("cancelledAt") is not None,
        financial_status=raw.get("displayFinancialStatus") or "",
        fulfillment_status=raw.get("displayFulfillmentStatus") or "",
        total=Decimal(str(money["amount"])),
        currency=money["currencyCode"],
        shipping=None
        if address is None
        else ShippingAddress(
            name=address.get("name"),
            address1=address.get("address1"),
            address2=address.get("address2"),
            city=address.get("city"),
            zip=address.get("zip"),
            country_code=address.get("countryCodeV2"),
            phone=address.get("phone"),
        ),
        billing_country=(raw.get("billingAddress") or {}).get("countryCodeV2"),
        shopify_risk=worst,
        shopify_facts=[
            str(fact.get("description"))
            for a in assessments
            for fact in a.get("facts") or []
            if fact.get("sentiment") == "NEGATIVE"
        ],
        lines=lines,
    )


async def read_order(shopify: ShopifyClient, order_id: str) -> FulfilmentOrder | None:
    data = await shopify.execute(_ORDER, {"id": ensure_gid(order_id, "Order")})
    raw = data.get("order")
    return _order(raw) if isinstance(raw, dict) else None


async def paid_unfulfilled(shopify: ShopifyClient, since: datetime) -> list[str]:
    """Ids of paid orders created since ``since`` with items not yet fulfilled, oldest first."""
    search = OrderFilter(
        financial_status=FinancialStatus.PAID,
        fulfillment_status=FulfillmentStatus.UNFULFILLED,
        created_from=since,
    )
    found = [order async for order in shopify.iter_orders(search, limit=250)]
    return [o.id for o in sorted(found, key=lambda o: o.created_at) if o.cancelled_at is None]


async def orders_by_email(shopify: ShopifyClient, email: str, since: datetime | None) -> int:
    """How many orders the email placed (since ``since``, if given)."""
    search = OrderFilter(email=email, created_from=since)
    return len([o async for o in shopify.iter_orders(search, limit=100)])
