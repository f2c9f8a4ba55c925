"""One product as a file in the store's repository: what customers see, in a fixed order.

The field order is the file's key order (``title`` first, ``metafields`` last), lists that have
no meaningful order (tags, collections, metafields) are kept sorted, and prices are strings with
two decimals, so a product that did not change renders to the same bytes and shows no diff.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
    model_validator,
)

HANDLE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_CENTS = Decimal("0.01")


def _two_places(value: Decimal) -> Decimal:
    if value != value.quantize(_CENTS):
        raise ValueError("must have at most two decimals")
    return value.quantize(_CENTS)


Price = Annotated[
    Decimal,
    Field(ge=0),
    AfterValidator(_two_places),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
Handle = Annotated[str, StringConstraints(pattern=HANDLE_PATTERN, max_length=255)]
Status = Literal["ACTIVE", "DRAFT", "ARCHIVED", "UNLISTED"]
InventoryPolicy = Literal["DENY", "CONTINUE"]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Seo(Strict):
    title: str | None = None
    description: str | None = None


class Option(Strict):
    name: Text
    values: list[Text] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("option values must be distinct")
        return values


class Variant(Strict):
    sku: str | None = None
    options: dict[str, str] = Field(
        default_factory=dict, description="Option name -> value, one per product option."
    )
    price: Price
    compare_at_price: Price | None = None
    inventory_policy: InventoryPolicy = "DENY"
    barcode: str | None = None

    @property
    def key(self) -> str:
        """How a variant is matched across sides: its SKU, else its option values."""
        return self.sku or "/".join(self.options.values()) or "default"


class Image(Strict):
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    alt: str | None = None


class Metafield(Strict):
    namespace: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{2,255}$")]
    key: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{1,64}$")]
    type: Text
    value: str

    @property
    def ref(self) -> str:
        return f"{self.namespace}.{self.key}"


class CatalogProduct(Strict):
    """A product file. Field order here is the key order in the file."""

    title: Text
    handle: Handle
    status: Status
    vendor: str = ""
    product_type: str = ""
    description: str = Field(default="", description="HTML, as in Shopify's descriptionHtml.")
    seo: Seo = Field(default_factory=Seo)
    options: list[Option] = Field(default_factory=list)
    variants: list[Variant] = Field(min_length=1)
    images: list[Image] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    collections: list[Handle] = Field(default_factory=list)
    metafields: list[Metafield] = Field(default_factory=list)

    @field_validator("tags", "collections")
    @classmethod
    def _sorted_unique(cls, values: list[str]) -> list[str]:
        return sorted(set(values))

    @field_validator("metafields")
    @classmethod
    def _sorted_metafields(cls, values: list[Metafield]) -> list[Metafield]:
        refs = [m.ref for m in values]
        if len(set(refs)) != len(refs):
            raise ValueError("a metafield namespace.key appears twice")
        return sorted(values, key=lambda m: m.ref)

    @field_validator("variants")
    @classmethod
    def _distinct_variants(cls, values: list[Variant]) -> list[Variant]:
        keys = [v.key for v in values]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"variants must be distinct; repeated: {', '.join(duplicates)}")
        return values

    @model_validator(mode="after")
    def _variants_match_options(self) -> CatalogProduct:
        names = [o.name for o in self.options]
        allowed = {o.name: set(o.values) for o in self.options}
        for variant in self.variants:
            if list(variant.options) != names:
                raise ValueError(
                    f"variant {variant.key}: options must name {', '.join(names) or 'nothing'} "
                    "in that order"
                )
            for name, value in variant.options.items():
                if value not in allowed[name]:
                    raise ValueError(f"variant {variant.key}: {value!r} is not a {name} value")
        return self

    def variant(self, key: str) -> Variant | None:
        return next((v for v in self.variants if v.key == key), None)


def slug(text: str) -> str:
    """A handle from a title, as Shopify derives one."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "product"
