"""The emulated shop's state, as plain mutable records.

Field names are the snake_case forms of the GraphQL fields they back, so the resolver layer maps
most fields without code; everything derived (totals, statuses, titles) is computed there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

#: Quantity states tracked per inventory level; ``on_hand`` is their sum (except ``incoming``).
QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)
ON_HAND_PARTS = ("available", "committed", "damaged", "quality_control", "reserved", "safety_stock")
DEFAULT_VARIANT_TITLE = "Default Title"


def gid(kind: str, number: int) -> str:
    """Shopify's global id for a resource, e.g. ``gid://shopify/Product/1000001``."""
    return f"gid://shopify/{kind}/{number}"


@dataclass
class Shop:
    number: int
    name: str
    email: str
    myshopify_domain: str
    currency_code: str
    iana_timezone: str

    @property
    def id(self) -> str:
        return gid("Shop", self.number)


@dataclass
class Location:
    number: int
    name: str
    address1: str
    city: str
    zip: str
    country_code: str
    fulfills_online_orders: bool = True
    is_active: bool = True

    @property
    def id(self) -> str:
        return gid("Location", self.number)


@dataclass
class Publication:
    number: int
    name: str
    auto_publish: bool = False
    supports_future_publishing: bool = True

    @property
    def id(self) -> str:
        return gid("Publication", self.number)


@dataclass
class ProductOptionValue:
    number: int
    name: str

    @property
    def id(self) -> str:
        return gid("ProductOptionValue", self.number)


@dataclass
class ProductOption:
    number: int
    name: str
    position: int
    values: list[ProductOptionValue]

    @property
    def id(self) -> str:
        return gid("ProductOption", self.number)


@dataclass
class InventoryLevel:
    item_number: int
    location_number: int
    quantities: dict[str, int]
    updated_at: datetime

    @property
    def id(self) -> str:
        return f"{gid('InventoryLevel', self.location_number)}?inventory_item_id={self.item_number}"


@dataclass
class InventoryItem:
    number: int
    variant_number: int
    sku: str | None
    unit_cost: Decimal | None
    created_at: datetime
    updated_at: datetime
    tracked: bool = True
    requires_shipping: bool = True
    country_code_of_origin: str | None = None
    harmonized_system_code: str | None = None
    #: Levels by location number; an item is "stocked" only where it has a level.
    levels: dict[int, InventoryLevel] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return gid("InventoryItem", self.number)


@dataclass
class ProductVariant:
    number: int
    product_number: int
    price: Decimal
    compare_at_price: Decimal | None
    position: int
    selected_options: list[tuple[str, str]]
    inventory_item: InventoryItem
    created_at: datetime
    updated_at: datetime
    barcode: str | None = None
    taxable: bool = True
    inventory_policy: str = "DENY"

    @property
    def id(self) -> str:
        return gid("ProductVariant", self.number)

    @property
    def sku(self) -> str | None:
        return self.inventory_item.sku


@dataclass
class MediaImage:
    number: int
    url: str
    alt: str | None
    media_content_type: str = "IMAGE"
    status: str = "READY"

    @property
    def id(self) -> str:
        return gid("MediaImage", self.number)


@dataclass
class Metafield:
    number: int
    namespace: str
    key: str
    value: str
    type: str

    @property
    def id(self) -> str:
        return gid("Metafield", self.number)


@dataclass
class Product:
    number: int
    title: str
    handle: str
    description_html: str
    status: str
    vendor: str
    product_type: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    options: list[ProductOption]
    variants: list[ProductVariant]
    seo_title: str | None = None
    seo_description: str | None = None
    template_suffix: str | None = None
    category: str | None = None
    media: list[MediaImage] = field(default_factory=list)
    metafields: list[Metafield] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    #: Publication number -> publish date, for the channels the product is published on.
    publications: dict[int, datetime] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return gid("Product", self.number)


@dataclass
class Customer:
    number: int
    first_name: str
    last_name: str
    email: str
    phone: str | None
    created_at: datetime
    updated_at: datetime
    state: str = "ENABLED"
    tags: list[str] = field(default_factory=list)
    #: ``emailMarketingConsent``: SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING, ...
    email_marketing_state: str = "SUBSCRIBED"
    email_marketing_opt_in_level: str | None = "SINGLE_OPT_IN"

    @property
    def id(self) -> str:
        return gid("Customer", self.number)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


@dataclass
class LineItem:
    number: int
    order_number: int
    product_number: int | None
    variant_number: int | None
    title: str
    variant_title: str | None
    sku: str | None
    vendor: str | None
    quantity: int
    unit_price: Decimal
    requires_shipping: bool = True

    @property
    def id(self) -> str:
        return gid("LineItem", self.number)

    @property
    def name(self) -> str:
        if self.variant_title and self.variant_title != "Default Title":
            return f"{self.title} - {self.variant_title}"
        return self.title


@dataclass
class OrderTransaction:
    number: int
    order_number: int
    kind: str
    status: str
    gateway: str
    amount: Decimal
    created_at: datetime
    parent_number: int | None = None
    test: bool = False

    @property
    def id(self) -> str:
        return gid("OrderTransaction", self.number)

    @property
    def processed_at(self) -> datetime:
        return self.created_at


@dataclass
class FulfillmentOrderLineItem:
    number: int
    line_item_number: int
    total_quantity: int
    remaining_quantity: int

    @property
    def id(self) -> str:
        return gid("FulfillmentOrderLineItem", self.number)


@dataclass
class FulfillmentOrder:
    number: int
    order_number: int
    location_number: int
    status: str
    created_at: datetime
    updated_at: datetime
    line_items: list[FulfillmentOrderLineItem]
    fulfillment_numbers: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        return gid("FulfillmentOrder", self.number)


@dataclass
class TrackingInfo:
    company: str | None
    number: str | None
    url: str | None


@dataclass
class FulfillmentLineItem:
    number: int
    line_item_number: int
    quantity: int

    @property
    def id(self) -> str:
        return gid("FulfillmentLineItem", self.number)


@dataclass
class Fulfillment:
    number: int
    order_number: int
    location_number: int
    name: str
    status: str
    created_at: datetime
    updated_at: datetime
    tracking: list[TrackingInfo]
    line_items: list[FulfillmentLineItem]
    notify_customer: bool = False

    @property
    def id(self) -> str:
        return gid("Fulfillment", self.number)


@dataclass
class RefundLineItem:
    number: int
    line_item_number: int
    quantity: int
    restock_type: str
    location_number: int | None
    unit_price: Decimal

    @property
    def id(self) -> str:
        return gid("RefundLineItem", self.number)

    @property
    def restocked(self) -> bool:
        return self.restock_type != "NO_RESTOCK"


@dataclass
class Refund:
    number: int
    order_number: int
    note: str | None
    created_at: datetime
    line_items: list[RefundLineItem]
    transactions: list[OrderTransaction]
    shipping_amount: Decimal = Decimal("0")

    @property
    def id(self) -> str:
        return gid("Refund", self.number)

    @property
    def updated_at(self) -> datetime:
        return self.created_at

    @property
    def total_refunded(self) -> Decimal:
        return sum((t.amount for t in self.transactions if t.status == "SUCCESS"), Decimal("0"))


@dataclass
class Order:
    number: int
    order_number: int
    email: str | None
    customer_number: int | None
    created_at: datetime
    updated_at: datetime
    currency_code: str
    financial_status: str
    line_items: list[LineItem]
    shipping_price: Decimal
    shipping_address: dict[str, str | None]
    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    transactions: list[OrderTransaction] = field(default_factory=list)
    phone: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    test: bool = False
    cancelled_at: datetime | None = None
    billing_address: dict[str, str | None] | None = None
    risk_level: str = "LOW"
    """Shopify's own fraud assessment (``Order.risk``): HIGH, MEDIUM, LOW, NONE or PENDING."""
    risk_facts: list[tuple[str, str]] = field(default_factory=list)
    """(description, sentiment) pairs of the assessment."""

    @property
    def id(self) -> str:
        return gid("Order", self.number)

    @property
    def name(self) -> str:
        return f"#{self.order_number}"

    @property
    def processed_at(self) -> datetime:
        return self.created_at

    @property
    def subtotal(self) -> Decimal:
        return sum((li.unit_price * li.quantity for li in self.line_items), Decimal("0"))

    @property
    def total_price(self) -> Decimal:
        return self.subtotal + self.shipping_price

    @property
    def total_refunded(self) -> Decimal:
        return sum((r.total_refunded for r in self.refunds), Decimal("0"))

    @property
    def net_payment(self) -> Decimal:
        """Money captured from the buyer and not yet refunded."""
        received = sum(
            (
                t.amount
                for t in self.transactions
                if t.kind in ("SALE", "CAPTURE") and t.status == "SUCCESS"
            ),
            Decimal("0"),
        )
        return received - self.total_refunded

    @property
    def closed(self) -> bool:
        return self.display_fulfillment_status == "FULFILLED" and self.financial_status in (
            "PAID",
            "REFUNDED",
            "PARTIALLY_REFUNDED",
        )

    def refunded_quantity(self, line_item_number: int) -> int:
        return sum(
            rli.quantity
            for refund in self.refunds
            for rli in refund.line_items
            if rli.line_item_number == line_item_number
        )

    def unfulfilled_quantity(self, line_item_number: int) -> int:
        return sum(
            fo_line.remaining_quantity
            for fo in self.fulfillment_orders
            for fo_line in fo.line_items
            if fo_line.line_item_number == line_item_number
        )

    @property
    def display_fulfillment_status(self) -> str:
        total = sum(li.total_quantity for fo in self.fulfillment_orders for li in fo.line_items)
        remaining = sum(
            li.remaining_quantity for fo in self.fulfillment_orders for li in fo.line_items
        )
        if total == 0 or remaining == 0:
            return "FULFILLED"
        if remaining == total:
            return "UNFULFILLED"
        return "PARTIALLY_FULFILLED"


@dataclass
class Discount:
    number: int
    code_number: int
    title: str
    code: str
    starts_at: datetime
    ends_at: datetime | None
    created_at: datetime
    usage_limit: int | None
    applies_once_per_customer: bool
    percentage: float | None
    amount: Decimal | None
    applies_on_each_item: bool
    all_items: bool
    product_numbers: list[int]
    minimum_subtotal: Decimal | None
    minimum_quantity: int | None
    combines_with_order: bool
    combines_with_product: bool
    combines_with_shipping: bool
    customer_numbers: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        return gid("DiscountCodeNode", self.number)

    @property
    def updated_at(self) -> datetime:
        return self.created_at


@dataclass
class AutomaticDiscount(Discount):
    """An automatic discount: a basic discount without a code, applied at checkout."""

    @property
    def id(self) -> str:
        return gid("DiscountAutomaticNode", self.number)


@dataclass
class VariantSpec:
    """What a new variant needs; quantities are ``available`` per location number."""

    option_values: list[tuple[str, str]]
    price: Decimal
    compare_at_price: Decimal | None = None
    sku: str | None = None
    cost: Decimal | None = None
    barcode: str | None = None
    inventory_policy: str = "DENY"
    taxable: bool = True
    tracked: bool = True
    requires_shipping: bool = True
    quantities: dict[int, int] = field(default_factory=dict)


@dataclass
class AbandonedCheckoutLine:
    number: int
    title: str
    variant_title: str | None
    sku: str | None
    quantity: int
    unit_price: Decimal

    @property
    def id(self) -> str:
        return gid("AbandonedCheckoutLineItem", self.number)


@dataclass
class AbandonedCheckout:
    """A checkout a customer started and left (``abandonedCheckouts``)."""

    number: int
    customer_number: int | None
    created_at: datetime
    updated_at: datetime
    lines: list[AbandonedCheckoutLine]
    completed_at: datetime | None = None
    note: str | None = None
    discount_codes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return gid("AbandonedCheckout", self.number)

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal("0.00"))
