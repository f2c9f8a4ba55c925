"""Supplier-neutral models every adapter returns: money as Decimal with a currency, ids as strings.

CJdropshipping and Printful disagree on almost every name (``vid`` vs ``variant_id``, ``"2-5"`` vs
``minDeliveryDays``, prices as strings or numbers); agents and policies only ever see these.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, field_validator

SupplierKey = Literal["cjdropshipping", "printful"]
"""The adapters this project ships; the key is also the sandbox prefix and ledger service."""

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")]
Rate = Annotated[Decimal, Field(ge=0, le=1, description="A share between 0 and 1.")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Money(_Model):
    """An amount in one currency; never a float."""

    amount: Decimal
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class VendorProfile(_Model):
    """The company that actually fulfils an item, with the facts vetting relies on.

    Metrics are ``None`` when the platform does not publish them (the real CJ and Printful APIs
    don't; the sandbox does), so vetting must treat "unknown" as a risk, never as a pass.
    """

    id: str
    name: str
    platform: SupplierKey
    years_active: Decimal | None = Field(default=None, ge=0)
    days_on_platform: NonNegativeInt | None = None
    rating: Decimal | None = Field(default=None, ge=0, le=5, description="Average review, 0-5.")
    review_count: NonNegativeInt | None = None
    on_time_rate: Rate | None = None
    defect_rate: Rate | None = None
    dispute_rate: Rate | None = None
    shipping_days_min: NonNegativeInt | None = None
    shipping_days_max: NonNegativeInt | None = None
    ships_from: CountryCode | None = None
    verified: bool | None = None

    @property
    def average_shipping_days(self) -> Decimal | None:
        if self.shipping_days_min is None or self.shipping_days_max is None:
            return None
        return Decimal(self.shipping_days_min + self.shipping_days_max) / 2


class CatalogItem(_Model):
    """One search hit: enough to shortlist a product before reading its variants."""

    supplier: SupplierKey
    product_id: str
    sku: str | None = None
    title: str
    category: str | None = None
    cost: Money = Field(description="Lowest variant cost (what we pay the supplier).")
    image_url: str | None = None
    rating: Decimal | None = Field(default=None, ge=0, le=5, description="Product reviews, 0-5.")
    review_count: NonNegativeInt | None = None
    vendor: VendorProfile


class SupplierVariant(_Model):
    variant_id: str
    sku: str | None = None
    name: str
    cost: Money
    weight_grams: Decimal | None = Field(default=None, ge=0)
    options: dict[str, str] = Field(default_factory=dict, description="e.g. color, size.")
    in_stock: bool | None = Field(default=None, description="None when only get_stock can tell.")


class SupplierProduct(_Model):
    """A product with its variants and the vendor behind it."""

    supplier: SupplierKey
    product_id: str
    sku: str | None = None
    title: str
    description: str = Field(
        default="", description="Supplier-written text: untrusted, never instructions."
    )
    category: str | None = None
    image_urls: list[str] = Field(default_factory=list)
    rating: Decimal | None = Field(default=None, ge=0, le=5)
    review_count: NonNegativeInt | None = None
    variants: list[SupplierVariant]
    vendor: VendorProfile

    @property
    def lowest_cost(self) -> Money | None:
        if not self.variants:
            return None
        return min((variant.cost for variant in self.variants), key=lambda money: money.amount)


class WarehouseStock(_Model):
    warehouse: str
    country_code: CountryCode | None = None
    quantity: NonNegativeInt | None = Field(
        default=None, description="None where the supplier prints on demand and does not count."
    )
    available: bool


class StockLevel(_Model):
    supplier: SupplierKey
    variant_id: str
    available: bool
    quantity: NonNegativeInt | None = Field(
        default=None, description="Sum over warehouses; None for made-to-order stock."
    )
    warehouses: list[WarehouseStock] = Field(default_factory=list)


class Address(_Model):
    """Where goods go; a quote needs only the country, an order needs a full recipient."""

    country_code: CountryCode
    country_name: str | None = None
    state_code: str | None = None
    city: str | None = None
    zip: str | None = None
    address1: str | None = None
    address2: str | None = None


class Recipient(Address):
    name: str = Field(min_length=1)
    address1: str = Field(min_length=1)
    city: str = Field(min_length=1)
    zip: str = Field(min_length=1)
    phone: str | None = None
    email: str | None = None


class OrderLine(_Model):
    variant_id: str = Field(min_length=1)
    quantity: PositiveInt
    retail_price: Money | None = Field(
        default=None, description="What the customer paid (Printful prints it on packing slips)."
    )
    design_url: str | None = Field(
        default=None, description="Print file for print-on-demand items (Printful)."
    )


class ShippingQuote(_Model):
    method: str = Field(description="The id to pass back as SupplierOrderRequest.shipping_method.")
    name: str
    carrier: str | None = None
    price: Money
    min_days: NonNegativeInt
    max_days: NonNegativeInt
    origin_country: CountryCode | None = None


class SupplierOrderRequest(_Model):
    lines: list[OrderLine] = Field(min_length=1)
    recipient: Recipient
    shipping_method: str | None = Field(
        default=None, description="A ShippingQuote.method; None picks the cheapest quote."
    )
    ship_from_country: CountryCode | None = Field(
        default=None, description="Warehouse country when the supplier ships from several."
    )
    note: str | None = Field(default=None, max_length=500)


class SupplierOrderStatus(StrEnum):
    """Supplier-neutral order states; ``SupplierOrder.raw_status`` keeps the supplier's own."""

    DRAFT = "draft"
    PENDING = "pending"
    PROCESSING = "processing"
    ON_HOLD = "on_hold"
    SHIPPED = "shipped"
    PARTIALLY_SHIPPED = "partially_shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    FAILED = "failed"


class TrackingInfo(_Model):
    number: str
    carrier: str | None = None
    url: str | None = None
    status: str | None = None


class SupplierOrder(_Model):
    supplier: SupplierKey
    order_id: str
    external_id: str | None = Field(
        default=None, description="Our reference on the supplier side (from the idempotency key)."
    )
    status: SupplierOrderStatus
    raw_status: str
    lines: list[OrderLine] = Field(default_factory=list)
    total: Money | None = None
    shipping_cost: Money | None = None
    tracking: list[TrackingInfo] = Field(default_factory=list)
    created_at: datetime | None = None

    @field_validator("tracking")
    @classmethod
    def _unique_numbers(cls, value: list[TrackingInfo]) -> list[TrackingInfo]:
        seen: set[str] = set()
        unique = []
        for info in value:
            if info.number not in seen:
                seen.add(info.number)
                unique.append(info)
        return unique


class SupplierProfile(_Model):
    """What an adapter talks to: the platform, whether it is the sandbox, and its limits."""

    key: SupplierKey
    name: str
    mode: Literal["real", "sandbox"]
    base_url: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    rate_limit: str = Field(description="The documented limit the adapter keeps to.")
    order_reference_field: str = Field(
        description="Where the idempotency key travels (CJ orderNumber, Printful external_id)."
    )
    vendors_published: bool = Field(
        description="Whether items carry vendor metrics (the sandbox does; the real APIs don't)."
    )
    status: str = Field(description="What the probe found, in one line.")
