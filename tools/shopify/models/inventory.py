"""``inventorySetQuantities``: its input (with compare-and-swap) and the adjustment it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from tools.shopify.models.common import (
    GlobalId,
    InventoryItemId,
    LocationId,
    ShopifyInput,
    ShopifyModel,
)

QuantityName = Literal["available", "on_hand"]


class InventoryQuantityInput(ShopifyInput):
    """Set one item's quantity at one location.

    ``change_from_quantity`` is required on purpose: pass the quantity you read (Shopify refuses
    the change with ``CHANGE_FROM_QUANTITY_STALE`` if it moved meanwhile), or ``None`` to skip
    the check. It is always sent, as 2026-04 demands.
    """

    inventory_item_id: InventoryItemId
    location_id: LocationId
    quantity: int
    change_from_quantity: int | None


class InventorySetQuantitiesInput(ShopifyInput):
    name: QuantityName = "available"
    reason: str = Field(
        default="correction",
        description="Shopify's reason code: correction, cycle_count_available, damaged, "
        "movement_created, received, restock, safety_stock, shrinkage, other, …",
    )
    reference_document_uri: str | None = None
    quantities: list[InventoryQuantityInput] = Field(min_length=1, max_length=250)


class InventoryChange(ShopifyModel):
    name: str
    delta: int
    quantity_after_change: int | None = None
    inventory_item_id: InventoryItemId | None = None
    location_id: LocationId | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        if isinstance(value, dict) and ("item" in value or "location" in value):
            value = dict(value)
            value["inventoryItemId"] = (value.pop("item", None) or {}).get("id")
            value["locationId"] = (value.pop("location", None) or {}).get("id")
        return value


class InventoryAdjustmentGroup(ShopifyModel):
    id: GlobalId | None = None
    created_at: datetime
    reason: str
    reference_document_uri: str | None = None
    changes: list[InventoryChange]
