"""Inputs of ``fulfillmentCreate`` and ``refundCreate``."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from tools.shopify.models.common import (
    FulfillmentOrderId,
    FulfillmentOrderLineItemId,
    LineItemId,
    LocationId,
    OrderId,
    OrderTransactionId,
    ShopifyInput,
)


class FulfillmentOrderLineItemInput(ShopifyInput):
    id: FulfillmentOrderLineItemId
    quantity: int = Field(gt=0)


class FulfillmentOrderLineItems(ShopifyInput):
    """Items of one fulfillment order to fulfil; ``None`` fulfils all that remain."""

    fulfillment_order_id: FulfillmentOrderId
    fulfillment_order_line_items: list[FulfillmentOrderLineItemInput] | None = None


class FulfillmentTrackingInput(ShopifyInput):
    company: str | None = None
    number: str | None = None
    url: str | None = None


class FulfillmentInput(ShopifyInput):
    line_items_by_fulfillment_order: list[FulfillmentOrderLineItems] = Field(min_length=1)
    tracking_info: FulfillmentTrackingInput | None = None
    notify_customer: bool = False


class RestockType(StrEnum):
    CANCEL = "CANCEL"
    LEGACY_RESTOCK = "LEGACY_RESTOCK"
    NO_RESTOCK = "NO_RESTOCK"
    RETURN = "RETURN"


class RefundLineItemInput(ShopifyInput):
    """A line item to refund. Dropshipped goods are not restocked unless asked (Shopify's
    own default is ``RETURN``, which needs a location to restock at)."""

    line_item_id: LineItemId
    quantity: int = Field(gt=0)
    restock_type: RestockType = RestockType.NO_RESTOCK
    location_id: LocationId | None = None


class ShippingRefundInput(ShopifyInput):
    amount: Decimal | None = Field(default=None, ge=0)
    full_refund: bool | None = None


class RefundTransactionInput(ShopifyInput):
    """``OrderTransactionInput`` of kind REFUND: money back through ``gateway``."""

    order_id: OrderId
    parent_id: OrderTransactionId | None = None
    amount: Decimal = Field(gt=0)
    gateway: str
    kind: str = "REFUND"


class RefundInput(ShopifyInput):
    order_id: OrderId
    note: str | None = None
    notify: bool = False
    currency: str | None = None
    refund_line_items: list[RefundLineItemInput] | None = None
    shipping: ShippingRefundInput | None = None
    transactions: list[RefundTransactionInput] | None = None

    @property
    def amount(self) -> Decimal:
        """The money this refund returns to the customer (what refund policies look at)."""
        return sum((t.amount for t in self.transactions or ()), Decimal(0))
