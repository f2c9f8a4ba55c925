"""``POST /_sandbox/shopify/orders``: place a paid order in the sandbox shop, as a checkout would.

Tests and demos use it to make an order arrive (then sign and post the ``orders/paid`` webhook
Shopify would send). The order gets an open fulfillment order at the warehouse, a successful
Shopify Payments sale, and the risk assessment and billing address the request asks for.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from tools.sandbox.shopify.models import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    OrderTransaction,
)
from tools.sandbox.shopify.store import ShopifyStore

WAREHOUSE = 71001


class NewOrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1)
    quantity: int = Field(default=1, ge=1, le=1000)


class NewAddress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "Sam Buyer"
    address1: str = "Hoofdstraat 1"
    city: str = "Utrecht"
    zip: str = "3511 AB"
    country_code: str = Field(default="NL", pattern=r"^[A-Z]{2}$")


class NewOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = "buyer@example.com"
    lines: list[NewOrderLine] = Field(min_length=1)
    shipping_address: NewAddress = NewAddress()
    billing_address: NewAddress | None = None
    note: str | None = Field(default=None, max_length=5000)
    risk_level: str = Field(default="LOW", pattern=r"^(HIGH|MEDIUM|LOW|NONE|PENDING)$")
    risk_facts: list[str] = Field(default_factory=list)


def _address(address: NewAddress) -> dict[str, str | None]:
    return {
        "name": address.name,
        "address1": address.address1,
        "address2": None,
        "city": address.city,
        "province": None,
        "zip": address.zip,
        "country": address.country_code,
        "countryCodeV2": address.country_code,
        "phone": None,
    }


def place_order(store: ShopifyStore, request: NewOrder) -> Order:
    """Create the order; raises ``LookupError`` for a SKU the shop does not sell."""
    by_sku = {v.sku: v for v in store.variants.values() if v.sku}
    now = store.now()
    order = Order(
        number=store.next_number("Order"),
        order_number=store.next_order_number(),
        email=request.email,
        customer_number=None,
        created_at=now,
        updated_at=now,
        currency_code="EUR",
        financial_status="PAID",
        line_items=[],
        shipping_price=Decimal("0.00"),
        shipping_address=_address(request.shipping_address),
        note=request.note,
        billing_address=_address(request.billing_address or request.shipping_address),
        risk_level=request.risk_level,
        risk_facts=[(fact, "NEGATIVE") for fact in request.risk_facts],
    )
    for line in request.lines:
        variant = by_sku.get(line.sku)
        if variant is None:
            raise LookupError(f"no variant with SKU {line.sku!r}")
        product = store.product_of(variant)
        order.line_items.append(
            LineItem(
                number=store.next_number("LineItem"),
                order_number=order.number,
                product_number=product.number,
                variant_number=variant.number,
                title=product.title,
                variant_title="/".join(v for _, v in variant.selected_options),
                sku=variant.sku,
                vendor=product.vendor,
                quantity=line.quantity,
                unit_price=variant.price,
            )
        )
    order.shipping_price = Decimal("0.00") if order.subtotal >= 50 else Decimal("4.95")
    order.transactions.append(
        OrderTransaction(
            number=store.next_number("OrderTransaction"),
            order_number=order.number,
            kind="SALE",
            status="SUCCESS",
            gateway="shopify_payments",
            amount=order.total_price,
            created_at=now,
        )
    )
    order.fulfillment_orders.append(
        FulfillmentOrder(
            number=store.next_number("FulfillmentOrder"),
            order_number=order.number,
            location_number=WAREHOUSE,
            status="OPEN",
            created_at=now,
            updated_at=now,
            line_items=[
                FulfillmentOrderLineItem(
                    number=store.next_number("FulfillmentOrderLineItem"),
                    line_item_number=li.number,
                    total_quantity=li.quantity,
                    remaining_quantity=li.quantity,
                )
                for li in order.line_items
            ],
        )
    )
    store.register_order(order)
    return order
