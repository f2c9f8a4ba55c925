"""Products, variants, inventory levels and publications as the client returns them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from tools.shopify.models.common import (
    Connection,
    GlobalId,
    InventoryItemId,
    LocationId,
    Money,
    ProductId,
    ProductVariantId,
    PublicationId,
    ShopifyModel,
)


class ProductStatus(StrEnum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    DRAFT = "DRAFT"
    UNLISTED = "UNLISTED"


class ProductSortKey(StrEnum):
    CREATED_AT = "CREATED_AT"
    ID = "ID"
    INVENTORY_TOTAL = "INVENTORY_TOTAL"
    PRODUCT_TYPE = "PRODUCT_TYPE"
    PUBLISHED_AT = "PUBLISHED_AT"
    RELEVANCE = "RELEVANCE"
    TITLE = "TITLE"
    UPDATED_AT = "UPDATED_AT"
    VENDOR = "VENDOR"


class InventoryPolicy(StrEnum):
    """Whether a variant sells when out of stock (``CONTINUE``) or not (``DENY``)."""

    CONTINUE = "CONTINUE"
    DENY = "DENY"


class SelectedOption(ShopifyModel):
    name: str
    value: str


class InventoryLevel(ShopifyModel):
    """Quantities of one inventory item at one location, by name (``available``, ``on_hand``)."""

    location_id: LocationId
    location_name: str | None = None
    quantities: dict[str, int]

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        if isinstance(value, dict) and "location" in value:
            location = value["location"] or {}
            return {
                "location_id": location.get("id"),
                "location_name": location.get("name"),
                "quantities": {q["name"]: q["quantity"] for q in value.get("quantities", [])},
            }
        return value


class InventoryItem(ShopifyModel):
    id: InventoryItemId
    tracked: bool
    inventory_levels: Annotated[list[InventoryLevel], Connection] = Field(default_factory=list)


class ProductVariant(ShopifyModel):
    id: ProductVariantId
    title: str
    sku: str | None = None
    barcode: str | None = None
    price: Decimal
    compare_at_price: Decimal | None = None
    taxable: bool = True
    inventory_quantity: int | None = None
    inventory_policy: InventoryPolicy
    selected_options: list[SelectedOption] = Field(default_factory=list)
    inventory_item: InventoryItem | None = None


class ProductOption(ShopifyModel):
    name: str
    position: int
    values: list[str]


class PriceRange(ShopifyModel):
    min_variant_price: Money
    max_variant_price: Money


class Seo(ShopifyModel):
    title: str | None = None
    description: str | None = None


class ProductImage(ShopifyModel):
    """An image's URL on Shopify's CDN (the sandbox serves its own over loopback)."""

    url: str
    alt_text: str | None = None


class ProductSummary(ShopifyModel):
    """A product as listed: cheap enough (cost 1) to page through 250 at a time."""

    id: ProductId
    title: str
    handle: str
    status: ProductStatus
    vendor: str
    product_type: str
    tags: list[str]
    total_inventory: int
    created_at: datetime
    updated_at: datetime


class Product(ProductSummary):
    """A product with every variant, their prices and inventory levels."""

    description_html: str
    seo: Seo | None = None
    options: list[ProductOption] = Field(default_factory=list)
    price_range: PriceRange | None = Field(default=None, alias="priceRangeV2")
    variants: Annotated[list[ProductVariant], Connection] = Field(default_factory=list)


class Publication(ShopifyModel):
    """A sales channel's publication (``Online Store``, ``Point of Sale``, …)."""

    id: PublicationId
    name: str
    auto_publish: bool


class PublishResult(ShopifyModel):
    """What ``publishablePublish`` reports back."""

    publishable_id: GlobalId
    publication_ids: list[PublicationId]
