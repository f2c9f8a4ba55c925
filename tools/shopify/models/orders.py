"""Orders, their line items, fulfillment orders, fulfillments and refunds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from tools.shopify.models.common import (
    Connection,
    FulfillmentOrderId,
    FulfillmentOrderLineItemId,
    GlobalId,
    LineItemId,
    Money,
    MoneyBag,
    OrderId,
    OrderTransactionId,
    ProductId,
    ProductVariantId,
    ShopifyModel,
)


class OrderSortKey(StrEnum):
    CREATED_AT = "CREATED_AT"
    CUSTOMER_NAME = "CUSTOMER_NAME"
    FINANCIAL_STATUS = "FINANCIAL_STATUS"
    FULFILLMENT_STATUS = "FULFILLMENT_STATUS"
    ID = "ID"
    ORDER_NUMBER = "ORDER_NUMBER"
    PROCESSED_AT = "PROCESSED_AT"
    RELEVANCE = "RELEVANCE"
    TOTAL_PRICE = "TOTAL_PRICE"
    UPDATED_AT = "UPDATED_AT"


class MailingAddress(ShopifyModel):
    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = Field(default=None, alias="countryCodeV2")
    phone: str | None = None


def _flatten_id(value: Any, wire: str, field: str) -> Any:
    """Turn ``{wire: {id: …}}`` into ``{field: …}`` so models hold ids, not stub objects."""
    if isinstance(value, dict) and wire in value:
        value = dict(value)
        value[field] = (value.pop(wire) or {}).get("id")
    return value


def _with_more_line_items(value: Any) -> Any:
    """Set ``moreLineItems`` from the line items' page info (the order has more lines)."""
    if isinstance(value, dict) and isinstance(value.get("lineItems"), dict):
        page = value["lineItems"].get("pageInfo") or {}
        value = {**value, "moreLineItems": bool(page.get("hasNextPage"))}
    return value


class LineItem(ShopifyModel):
    id: LineItemId
    title: str
    quantity: int
    current_quantity: int | None = None
    sku: str | None = None
    variant_id: ProductVariantId | None = None
    original_unit_price: MoneyBag = Field(alias="originalUnitPriceSet")

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        return _flatten_id(value, "variant", "variantId")


class FulfillmentOrderLineItem(ShopifyModel):
    id: FulfillmentOrderLineItemId
    total_quantity: int
    remaining_quantity: int
    line_item_id: LineItemId | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        return _flatten_id(value, "lineItem", "lineItemId")


class FulfillmentOrder(ShopifyModel):
    id: FulfillmentOrderId
    status: str
    line_items: Annotated[list[FulfillmentOrderLineItem], Connection] = Field(default_factory=list)


class OrderTransaction(ShopifyModel):
    """A payment event; refunds reference a SALE or CAPTURE as ``parent_id``."""

    id: OrderTransactionId
    kind: str
    status: str
    gateway: str | None = None
    amount: MoneyBag = Field(alias="amountSet")


class OrderSummary(ShopifyModel):
    """An order as listed."""

    id: OrderId
    name: str
    email: str | None = None
    created_at: datetime
    processed_at: datetime | None = None
    cancelled_at: datetime | None = None
    currency_code: str
    display_financial_status: str | None = None
    display_fulfillment_status: str
    total_price: MoneyBag = Field(alias="totalPriceSet")
    tags: list[str] = Field(default_factory=list)


class LineItemCost(ShopifyModel):
    """A line item's quantity and its variant's unit cost (``None`` when the shop has none)."""

    quantity: int
    current_quantity: int | None = None
    unit_cost: Money | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        if isinstance(value, dict) and "variant" in value:
            item = (value.get("variant") or {}).get("inventoryItem") or {}
            value = {**value, "unitCost": item.get("unitCost")}
        return value

    @property
    def kept(self) -> int:
        """Units the customer kept (after removals and refunds when Shopify reports them)."""
        return self.quantity if self.current_quantity is None else self.current_quantity


class OrderCosts(ShopifyModel):
    """An order's revenue and what its goods cost the shop: what profit figures need."""

    id: OrderId
    created_at: datetime
    cancelled_at: datetime | None = None
    total_price: MoneyBag = Field(alias="totalPriceSet")
    line_items: Annotated[list[LineItemCost], Connection] = Field(default_factory=list)
    more_line_items: bool = False
    """The order has more lines than were read (its cost of goods is then unknown)."""

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        return _with_more_line_items(value)

    @property
    def cost_of_goods(self) -> Decimal | None:
        """The sum of unit cost × units kept; ``None`` if any line's cost is unknown."""
        if self.more_line_items:
            return None
        total = Decimal(0)
        for line in self.line_items:
            if line.unit_cost is None:
                return None
            total += line.unit_cost.amount * line.kept
        return total


class LineItemSale(ShopifyModel):
    """What one order line sold: which product, how many units, at what unit price."""

    quantity: int
    current_quantity: int | None = None
    product_id: ProductId | None = None
    """``None`` when the product has since been deleted."""
    product_title: str | None = None
    unit_price: MoneyBag = Field(alias="originalUnitPriceSet")

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        if isinstance(value, dict) and "product" in value:
            product = value.get("product") or {}
            value = {**value, "productId": product.get("id"), "productTitle": product.get("title")}
        return value

    @property
    def kept(self) -> int:
        """Units the customer kept (after removals and refunds when Shopify reports them)."""
        return self.quantity if self.current_quantity is None else self.current_quantity


class OrderSales(ShopifyModel):
    """An order's lines by product: what sales rankings (best sellers) need."""

    id: OrderId
    created_at: datetime
    cancelled_at: datetime | None = None
    line_items: Annotated[list[LineItemSale], Connection] = Field(default_factory=list)
    more_line_items: bool = False
    """The order has more lines than were read."""

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        return _with_more_line_items(value)


class Order(OrderSummary):
    """An order with what fulfilling and refunding it needs."""

    note: str | None = None
    subtotal_price: MoneyBag | None = Field(default=None, alias="subtotalPriceSet")
    total_refunded: MoneyBag | None = Field(default=None, alias="totalRefundedSet")
    shipping_address: MailingAddress | None = None
    line_items: Annotated[list[LineItem], Connection] = Field(default_factory=list)
    fulfillment_orders: Annotated[list[FulfillmentOrder], Connection] = Field(default_factory=list)
    transactions: list[OrderTransaction] = Field(default_factory=list)


class TrackingInfo(ShopifyModel):
    company: str | None = None
    number: str | None = None
    url: str | None = None


class Fulfillment(ShopifyModel):
    id: GlobalId
    name: str | None = None
    status: str
    created_at: datetime
    tracking_info: list[TrackingInfo] = Field(default_factory=list)


class Refund(ShopifyModel):
    id: GlobalId
    note: str | None = None
    created_at: datetime | None = None
    total_refunded: MoneyBag = Field(alias="totalRefundedSet")


class LineItemQuantity(ShopifyModel):
    """A line item of the order and how many of it a fulfillment or a refund covers."""

    line_item_id: LineItemId
    quantity: int

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        return _flatten_id(value, "lineItem", "lineItemId")


class OrderFulfillment(Fulfillment):
    """A fulfillment as the order shows it: with the line items it shipped."""

    line_items: Annotated[list[LineItemQuantity], Connection] = Field(
        default_factory=list, alias="fulfillmentLineItems"
    )


class OrderRefund(Refund):
    """A refund as the order shows it: with its line items and money transactions."""

    line_items: Annotated[list[LineItemQuantity], Connection] = Field(
        default_factory=list, alias="refundLineItems"
    )
    transactions: Annotated[list[OrderTransaction], Connection] = Field(default_factory=list)
