"""The shop, inventory quantities and discount codes."""

from __future__ import annotations

from tools.shopify.documents import mutations, queries
from tools.shopify.errors import GraphQLErrorDetail, ShopifyGraphQLError
from tools.shopify.models.discounts import (
    AutomaticDiscount,
    DiscountAutomaticBasicInput,
    DiscountCode,
    DiscountCodeBasicInput,
)
from tools.shopify.models.inventory import InventoryAdjustmentGroup, InventorySetQuantitiesInput
from tools.shopify.models.shop import Shop
from tools.shopify.operations.base import OperationsBase, required


class StoreOperations(OperationsBase):
    async def get_shop(self) -> Shop:
        data = await self.execute(queries.SHOP)
        if not isinstance(data.get("shop"), dict):
            raise ShopifyGraphQLError([GraphQLErrorDetail(message="shop returned nothing")])
        return Shop.model_validate(data["shop"])

    async def set_inventory_quantities(
        self, quantities: InventorySetQuantitiesInput, *, idempotency_key: str | None = None
    ) -> InventoryAdjustmentGroup | None:
        """``inventorySetQuantities`` with compare-and-swap; ``None`` when nothing changed."""
        payload = await self._mutate(
            mutations.INVENTORY_SET_QUANTITIES,
            "inventorySetQuantities",
            {"input": quantities.to_variables()},
            idempotency_key=idempotency_key,
        )
        group = payload.get("inventoryAdjustmentGroup")
        return InventoryAdjustmentGroup.model_validate(group) if group else None

    async def create_discount_code(self, discount: DiscountCodeBasicInput) -> DiscountCode:
        """``discountCodeBasicCreate``: a code for a percentage or an amount off."""
        payload = await self._mutate(
            mutations.DISCOUNT_CODE_BASIC_CREATE,
            "discountCodeBasicCreate",
            {"basicCodeDiscount": discount.to_variables()},
        )
        node = required(payload, "codeDiscountNode", "discountCodeBasicCreate")
        return DiscountCode.model_validate(node)

    async def get_discount_code(self, code: str) -> DiscountCode | None:
        """The basic code discount holding ``code`` (codes are unique in a shop); None: none."""
        data = await self.execute(queries.DISCOUNT_CODE_BY_CODE, {"code": code})
        node = data.get("codeDiscountNodeByCode")
        return DiscountCode.model_validate(node) if isinstance(node, dict) else None

    async def create_automatic_discount(
        self, discount: DiscountAutomaticBasicInput
    ) -> AutomaticDiscount:
        """``discountAutomaticBasicCreate``: a percentage or an amount off without a code."""
        payload = await self._mutate(
            mutations.DISCOUNT_AUTOMATIC_BASIC_CREATE,
            "discountAutomaticBasicCreate",
            {"automaticBasicDiscount": discount.to_variables()},
        )
        node = required(payload, "automaticDiscountNode", "discountAutomaticBasicCreate")
        return AutomaticDiscount.model_validate(node)

    async def recent_automatic_discounts(self, limit: int = 100) -> list[AutomaticDiscount]:
        """The newest ``limit`` automatic discounts, newest first."""
        data = await self.execute(mutations.AUTOMATIC_DISCOUNTS, {"first": limit})
        nodes = ((data.get("automaticDiscountNodes") or {}).get("nodes")) or []
        return [AutomaticDiscount.model_validate(n) for n in nodes]
