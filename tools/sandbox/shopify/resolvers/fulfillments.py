"""fulfillmentCreate: ship fulfillment order line items, with tracking, and move stock."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from tools.sandbox.shopify.models import (
    Fulfillment,
    FulfillmentLineItem,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    TrackingInfo,
)
from tools.sandbox.shopify.resolvers.common import RequestContext, number_or_none, user_error
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation

FULFILLABLE = ("OPEN", "IN_PROGRESS")


def _tracking(data: dict[str, Any] | None) -> list[TrackingInfo]:
    if not data:
        return []
    numbers = data.get("numbers") or ([data["number"]] if data.get("number") else [])
    urls = data.get("urls") or ([data["url"]] if data.get("url") else [])
    company = data.get("company")
    if not numbers and not urls:
        return [TrackingInfo(company, None, None)] if company else []
    return [TrackingInfo(company, number, url) for number, url in zip_longest(numbers, urls)]


def _plan(
    ctx: RequestContext, groups: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[FulfillmentOrder, FulfillmentOrderLineItem, int]]]:
    shop = ctx.store
    errors: list[dict[str, Any]] = []
    planned: list[tuple[FulfillmentOrder, FulfillmentOrderLineItem, int]] = []
    order_numbers: set[int] = set()
    for g, group in enumerate(groups):
        prefix: list[str | int] = ["fulfillment", "lineItemsByFulfillmentOrder", g]
        number = number_or_none(group["fulfillmentOrderId"], "FulfillmentOrder")
        fulfillment_order = shop.fulfillment_orders.get(number) if number is not None else None
        if fulfillment_order is None:
            errors.append(
                user_error([*prefix, "fulfillmentOrderId"], "Fulfillment order does not exist.")
            )
            continue
        if fulfillment_order.status not in FULFILLABLE:
            errors.append(
                user_error(
                    [*prefix, "fulfillmentOrderId"],
                    f"Fulfillment order {fulfillment_order.id} has an unfulfillable status= "
                    f"{fulfillment_order.status.lower()}.",
                )
            )
            continue
        order_numbers.add(fulfillment_order.order_number)
        requested = group.get("fulfillmentOrderLineItems")
        if requested is None:
            planned.extend(
                (fulfillment_order, line, line.remaining_quantity)
                for line in fulfillment_order.line_items
                if line.remaining_quantity > 0
            )
            continue
        lines = {line.id: line for line in fulfillment_order.line_items}
        for i, entry in enumerate(requested):
            path = [*prefix, "fulfillmentOrderLineItems", i]
            line = lines.get(entry["id"])
            if line is None:
                errors.append(
                    user_error([*path, "id"], "Fulfillment order line item does not exist.")
                )
            elif not 0 < entry["quantity"] <= line.remaining_quantity:
                errors.append(
                    user_error(
                        [*path, "quantity"],
                        "Invalid fulfillment order line item quantity requested.",
                    )
                )
            else:
                planned.append((fulfillment_order, line, entry["quantity"]))
    if len(order_numbers) > 1:
        errors.append(
            user_error(
                ["fulfillment", "lineItemsByFulfillmentOrder"],
                "All fulfillment orders must belong to the same order.",
            )
        )
    if not errors and not planned:
        errors.append(
            user_error(
                ["fulfillment", "lineItemsByFulfillmentOrder"],
                "Fulfillment must contain at least one line item to fulfill.",
            )
        )
    return errors, planned


@mutation("fulfillmentCreate")
def fulfillment_create(
    ctx: RequestContext, fulfillment: dict[str, Any], message: str | None = None
) -> Payload:
    shop = ctx.store
    errors, planned = _plan(ctx, fulfillment["lineItemsByFulfillmentOrder"])
    if errors:
        return {"fulfillment": None, "userErrors": errors}
    first_order = planned[0][0]
    order = shop.orders[first_order.order_number]
    now = shop.now()
    created = Fulfillment(
        number=shop.next_number("Fulfillment"),
        order_number=order.number,
        location_number=first_order.location_number,
        name=f"{order.name}.{len(order.fulfillments) + 1}",
        status="SUCCESS",
        created_at=now,
        updated_at=now,
        tracking=_tracking(fulfillment.get("trackingInfo")),
        line_items=[],
        notify_customer=bool(fulfillment.get("notifyCustomer")),
    )
    touched: list[FulfillmentOrder] = []
    for fulfillment_order, line, quantity in planned:
        line.remaining_quantity -= quantity
        created.line_items.append(
            FulfillmentLineItem(
                shop.next_number("FulfillmentLineItem"), line.line_item_number, quantity
            )
        )
        line_item = shop.line_items[line.line_item_number]
        variant = shop.variants.get(line_item.variant_number or 0)
        level = (
            variant.inventory_item.levels.get(fulfillment_order.location_number)
            if variant is not None
            else None
        )
        if level is not None:  # shipped units leave on-hand stock, committed ones first
            from_committed = min(level.quantities["committed"], quantity)
            shop.adjust_quantity(level, "committed", -from_committed)
            if quantity > from_committed:
                shop.adjust_quantity(level, "available", from_committed - quantity)
        if fulfillment_order not in touched:
            touched.append(fulfillment_order)
    for fulfillment_order in touched:
        remaining = sum(line.remaining_quantity for line in fulfillment_order.line_items)
        fulfillment_order.status = "CLOSED" if remaining == 0 else "IN_PROGRESS"
        fulfillment_order.updated_at = now
        fulfillment_order.fulfillment_numbers.append(created.number)
    order.fulfillments.append(created)
    order.updated_at = now
    shop.fulfillments[created.number] = created
    return {"fulfillment": created, "userErrors": []}
