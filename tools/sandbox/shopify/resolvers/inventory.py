"""inventorySetQuantities with compare-and-set, all-or-nothing like Shopify.

In 2026-01 ``changeFromQuantity`` (present, even as ``null``) overrides the older
``compareQuantity`` / ``ignoreCompareQuantity`` pair; when it is absent the older rules apply,
so a ``compareQuantity`` is required unless ``ignoreCompareQuantity`` is true.
"""

from __future__ import annotations

import re
from typing import Any

from tools.sandbox.shopify.models import InventoryLevel
from tools.sandbox.shopify.resolvers.common import RequestContext, number_or_none, user_error
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation

REASONS = frozenset(
    {
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_created",
        "movement_updated",
        "movement_received",
        "movement_canceled",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    }
)
MAX_QUANTITY = 1_000_000_000
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")


def _quantity_errors(
    ctx: RequestContext, data: dict[str, Any], name: str, ignore_compare: bool
) -> tuple[list[dict[str, Any]], list[tuple[InventoryLevel, int]]]:
    shop = ctx.store
    errors: list[dict[str, Any]] = []
    planned: list[tuple[InventoryLevel, int]] = []
    seen: set[tuple[int, int]] = set()
    for index, entry in enumerate(data["quantities"]):
        path: list[str | int] = ["input", "quantities", index]
        item_number = number_or_none(entry["inventoryItemId"], "InventoryItem")
        location_number = number_or_none(entry["locationId"], "Location")
        item = shop.inventory_items.get(item_number) if item_number is not None else None
        if item is None:
            errors.append(
                user_error(
                    [*path, "inventoryItemId"],
                    "The specified inventory item could not be found.",
                    "INVALID_INVENTORY_ITEM",
                )
            )
            continue
        if location_number not in shop.locations:
            errors.append(
                user_error(
                    [*path, "locationId"],
                    "The specified location could not be found.",
                    "INVALID_LOCATION",
                )
            )
            continue
        assert location_number is not None
        if (item.number, location_number) in seen:
            errors.append(
                user_error(
                    path,
                    "The combination of inventoryItemId and locationId must be unique.",
                    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                )
            )
            continue
        seen.add((item.number, location_number))
        level = item.levels.get(location_number)
        if level is None:
            errors.append(
                user_error(
                    [*path, "locationId"],
                    "The specified inventory item is not stocked at the location.",
                    "ITEM_NOT_STOCKED_AT_LOCATION",
                )
            )
            continue
        quantity = entry["quantity"]
        if quantity > MAX_QUANTITY:
            errors.append(
                user_error(
                    [*path, "quantity"],
                    "The quantity can't be higher than 1,000,000,000.",
                    "INVALID_QUANTITY_TOO_HIGH",
                )
            )
            continue
        if quantity < -MAX_QUANTITY:
            errors.append(
                user_error(
                    [*path, "quantity"],
                    "The quantity can't be lower than -1,000,000,000.",
                    "INVALID_QUANTITY_TOO_LOW",
                )
            )
            continue
        if quantity < 0 and name == "on_hand":
            errors.append(
                user_error(
                    [*path, "quantity"],
                    "The quantity can't be negative.",
                    "INVALID_QUANTITY_NEGATIVE",
                )
            )
            continue
        current = level.quantities[name]
        if "changeFromQuantity" in entry:
            expected = entry["changeFromQuantity"]
            if expected is not None and expected != current:
                errors.append(
                    user_error(
                        [*path, "changeFromQuantity"],
                        "The changeFromQuantity value does not match the current quantity.",
                        "CHANGE_FROM_QUANTITY_STALE",
                    )
                )
                continue
        elif not ignore_compare:
            if entry.get("compareQuantity") is None:
                errors.append(
                    user_error(
                        [*path, "compareQuantity"],
                        "The compareQuantity argument must be given to each quantity or "
                        "ignored using ignoreCompareQuantity.",
                        "COMPARE_QUANTITY_REQUIRED",
                    )
                )
                continue
            if entry["compareQuantity"] != current:
                errors.append(
                    user_error(
                        [*path, "compareQuantity"],
                        "The compareQuantity value does not match persisted value.",
                        "COMPARE_QUANTITY_STALE",
                    )
                )
                continue
        planned.append((level, quantity))
    return errors, planned


@mutation("inventorySetQuantities")
def inventory_set_quantities(ctx: RequestContext, input: dict[str, Any]) -> Payload:
    shop = ctx.store
    name = input["name"]
    errors: list[dict[str, Any]] = []
    if name not in ("available", "on_hand"):
        errors.append(
            user_error(
                ["input", "name"],
                "The quantity name must be either 'available' or 'on_hand'.",
                "INVALID_NAME",
            )
        )
    if input["reason"] not in REASONS:
        errors.append(
            user_error(["input", "reason"], "The specified reason is invalid.", "INVALID_REASON")
        )
    reference = input.get("referenceDocumentUri")
    if reference is not None and not _URI.match(reference):
        errors.append(
            user_error(
                ["input", "referenceDocumentUri"],
                "The specified reference document is invalid.",
                "INVALID_REFERENCE_DOCUMENT",
            )
        )
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    quantity_errors, planned = _quantity_errors(
        ctx, input, name, bool(input.get("ignoreCompareQuantity"))
    )
    if quantity_errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": quantity_errors}
    changes: list[dict[str, Any]] = []
    for level, quantity in planned:
        item = shop.inventory_items[level.item_number]
        location = shop.locations[level.location_number]
        for changed, delta, after in shop.set_quantity(level, name, quantity):
            changes.append(
                {
                    "name": changed,
                    "delta": delta,
                    "quantityAfterChange": after,
                    "item": item,
                    "location": location,
                    "ledgerDocumentUri": None,
                }
            )
        item.updated_at = shop.now()
    group = {
        "id": f"gid://shopify/InventoryAdjustmentGroup/{shop.next_number('InventoryAdjustmentGroup')}",
        "createdAt": shop.now(),
        "reason": input["reason"],
        "referenceDocumentUri": reference,
        "_changes": changes,
    }
    return {"inventoryAdjustmentGroup": group, "userErrors": []}
