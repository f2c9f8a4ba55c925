"""discountCodeBasicCreate and discountAutomaticBasicCreate: an amount or percentage off, with
Shopify's DiscountUserErrors (rooted at the input argument's name)."""

from __future__ import annotations

from typing import Any

from tools.sandbox.shopify.models import AutomaticDiscount, Discount
from tools.sandbox.shopify.resolvers.common import RequestContext, number_or_none, user_error
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation

ROOT = "basicCodeDiscount"
AUTOMATIC_ROOT = "automaticBasicDiscount"
MAX_CODE_LENGTH = 255


def _error(path: list[str | int], message: str, code: str, root: str = ROOT) -> dict[str, Any]:
    entry = user_error([root, *path], message, code)
    entry["extraInfo"] = None
    return entry


def _validate_code(ctx: RequestContext, data: dict[str, Any]) -> list[dict[str, Any]]:
    code = (data.get("code") or "").strip()
    if not code:
        return [_error(["code"], "Code can't be blank", "BLANK")]
    if len(code) > MAX_CODE_LENGTH:
        return [_error(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG")]
    if ctx.store.discount_by_code(code) is not None:
        return [_error(["code"], "Code must be unique. Please try a different code.", "TAKEN")]
    return []


def _validate(ctx: RequestContext, data: dict[str, Any]) -> list[dict[str, Any]]:
    shop = ctx.store
    errors: list[dict[str, Any]] = []
    if not (data.get("title") or "").strip():
        errors.append(_error(["title"], "Title can't be blank", "BLANK"))
    if data.get("startsAt") is None:
        errors.append(_error(["startsAt"], "Starts at can't be blank", "BLANK"))
    elif data.get("endsAt") is not None and data["endsAt"] <= data["startsAt"]:
        errors.append(_error(["endsAt"], "Ends at needs to be after starts_at", "INVALID"))
    if data.get("usageLimit") is not None and data["usageLimit"] <= 0:
        errors.append(_error(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN"))
    errors.extend(_validate_customer_gets(ctx, data.get("customerGets")))
    minimum = data.get("minimumRequirement") or {}
    if minimum.get("subtotal") and minimum.get("quantity"):
        errors.append(
            _error(
                ["minimumRequirement"],
                "Minimum subtotal and minimum quantity cannot both be present.",
                "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT",
            )
        )
    context = data.get("context") or {}
    for customer_id in (context.get("customers") or {}).get("add") or ():
        if number_or_none(customer_id, "Customer") not in shop.customers:
            errors.append(
                _error(["context", "customers", "add"], "Customer does not exist", "INVALID")
            )
    return errors


def _validate_customer_gets(
    ctx: RequestContext, gets: dict[str, Any] | None
) -> list[dict[str, Any]]:
    if not gets:
        return [_error(["customerGets"], "Customer gets can't be blank", "BLANK")]
    errors: list[dict[str, Any]] = []
    value = gets.get("value") or {}
    percentage, amount = value.get("percentage"), value.get("discountAmount")
    if (percentage is None) == (amount is None):
        errors.append(
            _error(
                ["customerGets", "value"],
                "Specify exactly one of percentage or discountAmount",
                "TOO_MANY_ARGUMENTS" if percentage is not None else "MISSING_ARGUMENT",
            )
        )
    elif percentage is not None and not 0 < percentage <= 1:
        errors.append(
            _error(
                ["customerGets", "value", "percentage"],
                "Value must be between 0.0 and 1.0",
                "VALUE_OUTSIDE_RANGE",
            )
        )
    elif amount is not None and (amount.get("amount") is None or amount["amount"] <= 0):
        errors.append(
            _error(
                ["customerGets", "value", "discountAmount", "amount"],
                "Value must be greater than 0",
                "GREATER_THAN",
            )
        )
    items = gets.get("items") or {}
    chosen = [k for k in ("all", "products", "collections") if items.get(k)]
    if len(chosen) != 1:
        errors.append(
            _error(
                ["customerGets", "items"],
                "Specify exactly one of all, products or collections",
                "INVALID",
            )
        )
    elif chosen[0] == "products":
        for product_id in items["products"].get("productsToAdd") or ():
            if number_or_none(product_id, "Product") not in ctx.store.products:
                errors.append(
                    _error(
                        ["customerGets", "items", "products", "productsToAdd"],
                        f"Product with id {product_id} does not exist",
                        "INVALID",
                    )
                )
    return errors


@mutation("discountCodeBasicCreate")
def discount_code_basic_create(ctx: RequestContext, basicCodeDiscount: dict[str, Any]) -> Payload:
    shop = ctx.store
    data = basicCodeDiscount
    errors = _validate(ctx, data) + _validate_code(ctx, data)
    if errors:
        return {"codeDiscountNode": None, "userErrors": errors}
    discount = Discount(
        number=shop.next_number("DiscountCodeNode"),
        code_number=shop.next_number("DiscountRedeemCode"),
        code=data["code"].strip(),
        usage_limit=data.get("usageLimit"),
        applies_once_per_customer=bool(data.get("appliesOncePerCustomer")),
        **_basic_fields(ctx, data),
    )
    shop.discounts[discount.number] = discount
    return {"codeDiscountNode": discount, "userErrors": []}


@mutation("discountAutomaticBasicCreate")
def discount_automatic_basic_create(
    ctx: RequestContext, automaticBasicDiscount: dict[str, Any]
) -> Payload:
    shop = ctx.store
    data = automaticBasicDiscount
    errors = [_rooted(e, AUTOMATIC_ROOT) for e in _validate(ctx, data)]
    if errors:
        return {"automaticDiscountNode": None, "userErrors": errors}
    discount = AutomaticDiscount(
        number=shop.next_number("DiscountAutomaticNode"),
        code_number=0,
        code="",
        usage_limit=None,
        applies_once_per_customer=False,
        **_basic_fields(ctx, data),
    )
    shop.automatic_discounts[discount.number] = discount
    return {"automaticDiscountNode": discount, "userErrors": []}


def _rooted(error: dict[str, Any], root: str) -> dict[str, Any]:
    field = error.get("field") or []
    return error | {"field": [root, *field[1:]]}


def _basic_fields(ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
    """What code and automatic basic discounts share, from a validated input."""
    shop = ctx.store
    gets = data["customerGets"]
    value, items = gets["value"], gets["items"]
    amount = value.get("discountAmount") or {}
    minimum = data.get("minimumRequirement") or {}
    combines = data.get("combinesWith") or {}
    context = data.get("context") or {}
    products = [
        number
        for product_id in (items.get("products") or {}).get("productsToAdd") or ()
        if (number := number_or_none(product_id, "Product")) is not None
    ]
    return {
        "title": data["title"].strip(),
        "starts_at": data["startsAt"],
        "ends_at": data.get("endsAt"),
        "created_at": shop.now(),
        "percentage": value.get("percentage"),
        "amount": amount.get("amount"),
        "applies_on_each_item": bool(amount.get("appliesOnEachItem")),
        "all_items": bool(items.get("all")),
        "product_numbers": products,
        "minimum_subtotal": (minimum.get("subtotal") or {}).get("greaterThanOrEqualToSubtotal"),
        "minimum_quantity": (minimum.get("quantity") or {}).get("greaterThanOrEqualToQuantity"),
        "combines_with_order": bool(combines.get("orderDiscounts")),
        "combines_with_product": bool(combines.get("productDiscounts")),
        "combines_with_shipping": bool(combines.get("shippingDiscounts")),
        "customer_numbers": [
            number
            for customer_id in (context.get("customers") or {}).get("add") or ()
            if (number := number_or_none(customer_id, "Customer")) is not None
        ],
    }
