"""``discountCodeBasicCreate`` (a code giving a percentage or a fixed amount off) and
``discountAutomaticBasicCreate`` (the same, applied at checkout without a code)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_serializer, model_validator

from tools.shopify.models.common import (
    CollectionId,
    GlobalId,
    ProductId,
    ProductVariantId,
    ShopifyInput,
    ShopifyModel,
)


class DiscountAmountInput(ShopifyInput):
    amount: Decimal = Field(gt=0)
    applies_on_each_item: bool = False


class DiscountValueInput(ShopifyInput):
    """Exactly one of ``percentage`` (0 < p <= 1, e.g. 0.15) or ``discount_amount``."""

    percentage: float | None = Field(default=None, gt=0, le=1)
    discount_amount: DiscountAmountInput | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> DiscountValueInput:
        if (self.percentage is None) == (self.discount_amount is None):
            raise ValueError("give exactly one of percentage or discount_amount")
        return self


class DiscountProductsInput(ShopifyInput):
    products_to_add: list[ProductId] | None = None
    product_variants_to_add: list[ProductVariantId] | None = None


class DiscountCollectionsInput(ShopifyInput):
    add: list[CollectionId]


class DiscountItemsInput(ShopifyInput):
    """What the discount applies to: everything, some products, or some collections."""

    all: bool | None = None
    products: DiscountProductsInput | None = None
    collections: DiscountCollectionsInput | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> DiscountItemsInput:
        chosen = [v for v in (self.all, self.products, self.collections) if v]
        if len(chosen) != 1:
            raise ValueError("give exactly one of all=True, products or collections")
        return self


class DiscountCustomerGetsInput(ShopifyInput):
    value: DiscountValueInput
    items: DiscountItemsInput = Field(default_factory=lambda: DiscountItemsInput(all=True))


class DiscountContextInput(ShopifyInput):
    """Who may use the code (``context`` replaced ``customerSelection`` in 2025-10)."""

    all: Literal["ALL"] = "ALL"


class DiscountMinimumSubtotalInput(ShopifyInput):
    greater_than_or_equal_to_subtotal: Decimal = Field(gt=0)


class DiscountMinimumQuantityInput(ShopifyInput):
    greater_than_or_equal_to_quantity: int = Field(gt=0)

    @field_serializer("greater_than_or_equal_to_quantity")
    def _unsigned_int64(self, value: int) -> str:
        return str(value)  # UnsignedInt64 travels as a string


class DiscountMinimumRequirementInput(ShopifyInput):
    subtotal: DiscountMinimumSubtotalInput | None = None
    quantity: DiscountMinimumQuantityInput | None = None


class DiscountCombinesWithInput(ShopifyInput):
    order_discounts: bool = False
    product_discounts: bool = False
    shipping_discounts: bool = False


class DiscountCodeBasicInput(ShopifyInput):
    title: str = Field(min_length=1)
    code: str = Field(min_length=1, max_length=255)
    starts_at: datetime
    ends_at: datetime | None = None
    usage_limit: int | None = Field(default=None, gt=0)
    applies_once_per_customer: bool = False
    context: DiscountContextInput = Field(default_factory=DiscountContextInput)
    customer_gets: DiscountCustomerGetsInput
    minimum_requirement: DiscountMinimumRequirementInput | None = None
    combines_with: DiscountCombinesWithInput | None = None


class DiscountCode(ShopifyModel):
    """The created discount (``DiscountCodeNode`` with its ``DiscountCodeBasic``)."""

    id: GlobalId
    title: str
    status: str
    summary: str | None = None
    starts_at: datetime
    ends_at: datetime | None = None
    usage_limit: int | None = None
    codes: list[str]
    created_at: datetime | None = None
    """Read by ``get_discount_code`` (the create does not ask for it)."""

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        if isinstance(value, dict) and "codeDiscount" in value:
            basic = dict(value["codeDiscount"] or {})
            codes = basic.pop("codes", {}) or {}
            return {
                **basic,
                "id": value["id"],
                "codes": [c["code"] for c in codes.get("nodes", [])],
            }
        return value


class DiscountAutomaticBasicInput(ShopifyInput):
    """An automatic discount: no code, so nothing but its title and dates tell two apart."""

    title: str = Field(min_length=1, max_length=255)
    starts_at: datetime
    ends_at: datetime | None = None
    context: DiscountContextInput = Field(default_factory=DiscountContextInput)
    customer_gets: DiscountCustomerGetsInput
    minimum_requirement: DiscountMinimumRequirementInput | None = None
    combines_with: DiscountCombinesWithInput | None = None


class AutomaticDiscount(ShopifyModel):
    """``DiscountAutomaticNode`` with its ``DiscountAutomaticBasic``."""

    id: GlobalId
    title: str
    status: str
    summary: str | None = None
    starts_at: datetime
    ends_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        if isinstance(value, dict) and "automaticDiscount" in value:
            return {**(value["automaticDiscount"] or {}), "id": value["id"]}
        return value
