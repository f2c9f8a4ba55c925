"""refundCreate: refund line items, shipping and money, never more than was paid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tools.sandbox.shopify.models import (
    LineItem,
    Order,
    OrderTransaction,
    Refund,
    RefundLineItem,
)
from tools.sandbox.shopify.resolvers.common import (
    ZERO,
    RequestContext,
    number_or_none,
    user_error,
)
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation
from tools.sandbox.shopify.store import ShopifyStore

_PAYMENT_KINDS = ("SALE", "CAPTURE")


def _line_errors(
    shop: ShopifyStore, order: Order, lines: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[LineItem, dict[str, Any], int | None]]]:
    errors: list[dict[str, Any]] = []
    planned: list[tuple[LineItem, dict[str, Any], int | None]] = []
    requested: dict[int, int] = {}
    for index, entry in enumerate(lines):
        path: list[str | int] = ["refundLineItems", index]
        number = number_or_none(entry["lineItemId"], "LineItem")
        line_item = next((li for li in order.line_items if li.number == number), None)
        if line_item is None:
            errors.append(user_error([*path, "lineItemId"], "Line item does not exist"))
            continue
        quantity = entry["quantity"]
        already = order.refunded_quantity(line_item.number) + requested.get(line_item.number, 0)
        if quantity < 1:
            errors.append(user_error([*path, "quantity"], "Quantity must be greater than 0"))
            continue
        if quantity > line_item.quantity - already:
            errors.append(
                user_error(
                    [*path, "quantity"], "Quantity cannot refund more items than were purchased"
                )
            )
            continue
        restock = entry.get("restockType") or "RETURN"
        if restock == "CANCEL" and quantity > order.unfulfilled_quantity(line_item.number):
            errors.append(
                user_error(
                    [*path, "restockType"], "Cannot cancel more items than remain unfulfilled"
                )
            )
            continue
        location: int | None = None
        if restock != "NO_RESTOCK":
            if entry.get("locationId") is not None:
                location = number_or_none(entry["locationId"], "Location")
                if location not in shop.locations:
                    errors.append(user_error([*path, "locationId"], "Location does not exist"))
                    continue
            else:
                location = next(
                    (fo.location_number for fo in order.fulfillment_orders),
                    shop.primary_location.number,
                )
        requested[line_item.number] = requested.get(line_item.number, 0) + quantity
        planned.append((line_item, entry, location))
    return errors, planned


def _shipping_amount(
    order: Order, shipping: dict[str, Any] | None
) -> tuple[Decimal, list[dict[str, Any]]]:
    if not shipping:
        return ZERO, []
    refundable = order.shipping_price - sum((r.shipping_amount for r in order.refunds), ZERO)
    if shipping.get("fullRefund"):
        return refundable, []
    amount: Decimal = shipping.get("amount") or ZERO
    if amount < 0 or amount > refundable:
        return ZERO, [
            user_error(
                ["shipping", "amount"],
                f"Shipping refund amount must be between 0 and {refundable:.2f}",
            )
        ]
    return amount, []


def _transaction_errors(
    order: Order, transactions: list[dict[str, Any]], currency: str
) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for index, entry in enumerate(transactions):
        path: list[str | int] = ["transactions", index]
        if entry["kind"] != "REFUND":
            errors.append(user_error([*path, "kind"], "Kind must be refund"))
        if number_or_none(entry["orderId"], "Order") != order.number:
            errors.append(user_error([*path, "orderId"], "Order id must match the refunded order"))
        if entry["amount"] <= 0:
            errors.append(user_error([*path, "amount"], "Amount must be greater than 0"))
        if entry.get("parentId") is not None:
            parent = number_or_none(entry["parentId"], "OrderTransaction")
            if not any(
                t.number == parent and t.kind in _PAYMENT_KINDS and t.status == "SUCCESS"
                for t in order.transactions
            ):
                errors.append(user_error([*path, "parentId"], "Parent transaction does not exist"))
    total = sum((t["amount"] for t in transactions), ZERO)
    if not errors and total > order.net_payment:
        errors.append(
            user_error(
                ["transactions"],
                f"Refund amount {total:.2f} {currency} is greater than the refundable amount "
                f"{order.net_payment:.2f} {currency}",
            )
        )
    return errors


@mutation("refundCreate")
def refund_create(ctx: RequestContext, input: dict[str, Any]) -> Payload:
    shop = ctx.store
    number = number_or_none(input["orderId"], "Order")
    order = shop.orders.get(number) if number is not None else None
    if order is None:
        return {
            "order": None,
            "refund": None,
            "userErrors": [user_error(["orderId"], "Order does not exist")],
        }
    errors: list[dict[str, Any]] = []
    if input.get("currency") is not None and input["currency"] != order.currency_code:
        errors.append(
            user_error(["currency"], f"Currency must be the order currency {order.currency_code}")
        )
    line_errors, planned = _line_errors(shop, order, input.get("refundLineItems") or [])
    errors.extend(line_errors)
    shipping, shipping_errors = _shipping_amount(order, input.get("shipping"))
    errors.extend(shipping_errors)
    transactions = input.get("transactions") or []
    errors.extend(_transaction_errors(order, transactions, order.currency_code))
    if not errors and not planned and not transactions and shipping == ZERO:
        errors.append(
            user_error(None, "A refund needs line items, shipping or transactions to refund")
        )
    if errors:
        return {"order": order, "refund": None, "userErrors": errors}

    now = shop.now()
    refund = Refund(
        number=shop.next_number("Refund"),
        order_number=order.number,
        note=input.get("note"),
        created_at=now,
        line_items=[],
        transactions=[],
        shipping_amount=shipping,
    )
    for line_item, entry, location in planned:
        restock = entry.get("restockType") or "RETURN"
        refund.line_items.append(
            RefundLineItem(
                number=shop.next_number("RefundLineItem"),
                line_item_number=line_item.number,
                quantity=entry["quantity"],
                restock_type=restock,
                location_number=location,
                unit_price=line_item.unit_price,
            )
        )
        _restock(shop, order, line_item, entry["quantity"], restock, location)
    default_parent = next(
        (t for t in order.transactions if t.kind in _PAYMENT_KINDS and t.status == "SUCCESS"),
        None,
    )
    for entry in transactions:
        parent = (
            number_or_none(entry["parentId"], "OrderTransaction")
            if entry.get("parentId") is not None
            else (default_parent.number if default_parent else None)
        )
        refund.transactions.append(
            OrderTransaction(
                number=shop.next_number("OrderTransaction"),
                order_number=order.number,
                kind="REFUND",
                status="SUCCESS",
                gateway=entry["gateway"],
                amount=entry["amount"],
                created_at=now,
                parent_number=parent,
            )
        )
    order.refunds.append(refund)
    order.transactions.extend(refund.transactions)
    shop.refunds[refund.number] = refund
    for transaction in refund.transactions:
        shop.transactions[transaction.number] = transaction
    if refund.total_refunded > 0:
        order.financial_status = "REFUNDED" if order.net_payment <= 0 else "PARTIALLY_REFUNDED"
    order.updated_at = now
    return {"order": order, "refund": refund, "userErrors": []}


def _restock(
    shop: ShopifyStore,
    order: Order,
    line_item: LineItem,
    quantity: int,
    restock: str,
    location: int | None,
) -> None:
    """Put refunded units back: cancelled ones leave the fulfillment order, returns go on sale."""
    if restock == "CANCEL":
        left = quantity
        for fulfillment_order in order.fulfillment_orders:
            for fo_line in fulfillment_order.line_items:
                if fo_line.line_item_number == line_item.number and left:
                    taken = min(left, fo_line.remaining_quantity)
                    fo_line.remaining_quantity -= taken
                    left -= taken
            if all(fo_line.remaining_quantity == 0 for fo_line in fulfillment_order.line_items):
                fulfillment_order.status = "CLOSED"
    variant = shop.variants.get(line_item.variant_number or 0)
    if restock == "NO_RESTOCK" or location is None or variant is None:
        return
    item = variant.inventory_item
    level = item.levels.get(location)
    if level is None:
        level = item.levels[location] = shop.new_level(item, location, 0, shop.now())
    if restock == "CANCEL":
        released = min(level.quantities["committed"], quantity)
        level.quantities["committed"] -= released
        level.quantities["available"] += released
    else:
        shop.adjust_quantity(level, "available", quantity)
