"""Inputs of the product mutations (``productCreate``, ``productUpdate``, ``productSet``, …)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from tools.shopify.models.common import (
    CollectionId,
    LocationId,
    ProductId,
    ProductVariantId,
    PublicationId,
    ShopifyInput,
)
from tools.shopify.models.products import InventoryPolicy, ProductStatus

Price = Annotated[Decimal, Field(ge=0)]


def _named(value: Any) -> Any:
    """Accept plain strings where Shopify wants ``{name: …}`` objects."""
    if isinstance(value, list):
        return [{"name": v} if isinstance(v, str) else v for v in value]
    return value


class SeoInput(ShopifyInput):
    title: str | None = None
    description: str | None = None


class MetafieldInput(ShopifyInput):
    namespace: str
    key: str
    type: str
    value: str


class OptionValueInput(ShopifyInput):
    name: str


class OptionCreateInput(ShopifyInput):
    """A product option (``Size``) and its values (``S``, ``M``); values may be given as text."""

    name: str
    values: Annotated[list[OptionValueInput], BeforeValidator(_named)] = Field(min_length=1)


class ProductCreateInput(ShopifyInput):
    """``ProductCreateInput``. New products get one default variant; price it afterwards."""

    title: str = Field(min_length=1, max_length=255)
    handle: str | None = None
    description_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    tags: list[str] | None = None
    status: ProductStatus | None = None
    seo: SeoInput | None = None
    metafields: list[MetafieldInput] | None = None
    product_options: list[OptionCreateInput] | None = None
    collections_to_join: list[CollectionId] | None = None


class ProductUpdateInput(ShopifyInput):
    """``ProductUpdateInput``: only the fields given are changed."""

    id: ProductId
    title: str | None = Field(default=None, min_length=1, max_length=255)
    handle: str | None = None
    description_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    tags: list[str] | None = None
    status: ProductStatus | None = None
    seo: SeoInput | None = None
    metafields: list[MetafieldInput] | None = None
    redirect_new_handle: bool | None = None
    collections_to_join: list[CollectionId] | None = None
    collections_to_leave: list[CollectionId] | None = None


class OptionSetInput(ShopifyInput):
    name: str
    position: int | None = None
    values: Annotated[list[OptionValueInput], BeforeValidator(_named)] = Field(min_length=1)


class VariantOptionValueInput(ShopifyInput):
    option_name: str
    name: str


class InventoryItemInput(ShopifyInput):
    sku: str | None = None
    cost: Decimal | None = Field(default=None, ge=0)
    tracked: bool | None = None
    requires_shipping: bool | None = None


class ProductSetInventoryInput(ShopifyInput):
    location_id: LocationId
    name: Literal["available", "on_hand"] = "available"
    quantity: int


class ProductVariantSetInput(ShopifyInput):
    """One variant of ``productSet``: variants left out of the list are deleted."""

    id: ProductVariantId | None = None
    option_values: list[VariantOptionValueInput] = Field(min_length=1)
    price: Price | None = None
    compare_at_price: Price | None = None
    sku: str | None = None
    barcode: str | None = None
    taxable: bool | None = None
    inventory_policy: InventoryPolicy | None = None
    inventory_item: InventoryItemInput | None = None
    inventory_quantities: list[ProductSetInventoryInput] | None = None


class ProductSetInput(ShopifyInput):
    """``ProductSetInput``: the whole desired state of a product (an upsert by handle or id).

    List fields (``variants``, ``metafields``, ``collections``) replace what is there.
    """

    title: str | None = Field(default=None, min_length=1, max_length=255)
    handle: str | None = None
    description_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    tags: list[str] | None = None
    status: ProductStatus | None = None
    seo: SeoInput | None = None
    metafields: list[MetafieldInput] | None = None
    collections: list[CollectionId] | None = None
    product_options: list[OptionSetInput] | None = None
    variants: list[ProductVariantSetInput] | None = Field(default=None, max_length=2048)


class ProductSetIdentifier(ShopifyInput):
    """Which product ``productSet`` updates: by id or by handle (exactly one)."""

    id: ProductId | None = None
    handle: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ProductSetIdentifier:
        if (self.id is None) == (self.handle is None):
            raise ValueError("give exactly one of id or handle")
        return self


class VariantUpdate(ShopifyInput):
    """One entry of ``productVariantsBulkUpdate``; ``compare_at_price=None`` clears it."""

    id: ProductVariantId
    price: Price | None = None
    compare_at_price: Price | None = None
    barcode: str | None = None
    taxable: bool | None = None
    inventory_policy: InventoryPolicy | None = None
    inventory_item: InventoryItemInput | None = None


class PublicationTarget(ShopifyInput):
    """``PublicationInput``: publish to this publication, now or at ``publish_date``."""

    publication_id: PublicationId
    publish_date: datetime | None = None
