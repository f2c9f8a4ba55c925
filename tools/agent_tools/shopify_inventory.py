"""``shopify_set_inventory``: set stock levels with compare-and-swap against what was read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from policies import Access, ActionKind
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import Facts, Summary, ToolArgs, WriteArgs, WriteTool
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.shopify_pricing import fetch_product, variant_of
from tools.agent_tools.spec import ToolSpec
from tools.shopify.models import (
    InventoryLevel,
    InventoryQuantityInput,
    InventorySetQuantitiesInput,
    Product,
    ProductVariant,
)
from tools.shopify.models.common import LocationId, ProductId, ProductVariantId

InventoryReason = Literal[
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "received",
    "restock",
    "safety_stock",
    "shrinkage",
    "other",
]


class NewQuantity(ToolArgs):
    variant_id: ProductVariantId = Field(description="gid://shopify/ProductVariant/…")
    location_id: LocationId | None = Field(
        default=None,
        description="gid://shopify/Location/…; may be omitted when the variant is stocked at "
        "one location only.",
    )
    quantity: int = Field(ge=0, le=1_000_000, description="The new absolute quantity.")


class SetInventoryArgs(WriteArgs):
    product_id: ProductId = Field(description="gid://shopify/Product/… owning the variants.")
    quantities: list[NewQuantity] = Field(min_length=1, max_length=250)
    name: Literal["available", "on_hand"] = Field(
        default="available", description="Which quantity to set."
    )
    reason: InventoryReason = Field(default="correction", description="Shopify's reason code.")

    @model_validator(mode="after")
    def _each_place_once(self) -> Self:
        places = [(q.variant_id, q.location_id) for q in self.quantities]
        if len(set(places)) != len(places):
            raise ValueError("each variant and location may appear once")
        return self


@dataclass(frozen=True)
class _Planned:
    variant: ProductVariant
    item_id: str
    level: InventoryLevel
    quantity: int

    def current(self, name: str) -> int | None:
        return self.level.quantities.get(name)


def _plan(args: SetInventoryArgs, product: Product) -> list[_Planned]:
    if args.product_id != product.id:
        raise ToolInputError("the product cannot be changed when editing this write")
    planned = []
    for entry in args.quantities:
        variant = variant_of(product, entry.variant_id)
        item = variant.inventory_item
        if item is None or not item.tracked:
            raise ToolInputError(f"{variant.id} ({variant.title!r}) does not track inventory")
        levels = item.inventory_levels
        if entry.location_id is None:
            if len(levels) != 1:
                where = ", ".join(f"{lv.location_id} ({lv.location_name})" for lv in levels)
                raise ToolInputError(
                    f"{variant.title!r} is stocked at {len(levels)} locations; give location_id "
                    f"({where or 'none'})"
                )
            level = levels[0]
        else:
            match = next((lv for lv in levels if lv.location_id == entry.location_id), None)
            if match is None:
                raise ToolInputError(f"{variant.title!r} is not stocked at {entry.location_id}")
            level = match
        planned.append(_Planned(variant, item.id, level, entry.quantity))
    return planned


async def _lookup(args: SetInventoryArgs, clients: ToolClients) -> Product:
    return await fetch_product(args.product_id, clients)


def _facts(args: SetInventoryArgs, product: Product) -> Facts:
    _plan(args, product)
    return Facts(kind=ActionKind.INVENTORY_SET)


def _summary(args: SetInventoryArgs, product: Product) -> Summary:
    lines = [
        f"{p.variant.title} at {p.level.location_name or p.level.location_id}: "
        f"{args.name} {p.current(args.name)} → {p.quantity}"
        for p in _plan(args, product)
    ]
    return Summary(
        title=f"Set inventory of {product.title!r}",
        description=f"Reason: {args.reason}\n" + "\n".join(lines),
        data_sources=(f"shopify:{product.id} (inventory levels)",),
    )


async def _perform(args: SetInventoryArgs, product: Product, clients: ToolClients, key: str) -> Any:
    quantities = [
        InventoryQuantityInput(
            inventory_item_id=p.item_id,
            location_id=p.level.location_id,
            quantity=p.quantity,
            # The quantity read before the decision: if it moved meanwhile Shopify refuses
            # (CHANGE_FROM_QUANTITY_STALE) rather than overwrite someone else's change.
            change_from_quantity=p.current(args.name),
        )
        for p in _plan(args, product)
    ]
    change = InventorySetQuantitiesInput(name=args.name, reason=args.reason, quantities=quantities)
    group = await clients.shopify.set_inventory_quantities(change, idempotency_key=key)
    return {"product_id": product.id, "adjustment": group}


SET_INVENTORY = WriteTool(
    spec=ToolSpec(
        name="shopify_set_inventory",
        description="Set the absolute stock quantity of variants at a location (e.g. after a "
        "stock count or a supplier restock). Read the product first (shopify_get_product) for "
        "variant and location ids and current quantities; the write is refused if a quantity "
        "changed since it was read.",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.INVENTORY_SET,),
        idempotent_key_support=True,
    ),
    args_model=SetInventoryArgs,
    lookup=_lookup,
    facts=_facts,
    summary=_summary,
    perform=_perform,
)
