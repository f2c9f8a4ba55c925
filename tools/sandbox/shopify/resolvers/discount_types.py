"""Derived fields of code and automatic discounts: status, summary and their unions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tools.sandbox.shopify.models import Discount, Product
from tools.sandbox.shopify.pagination import Connection
from tools.sandbox.shopify.resolvers.common import (
    ZERO,
    Info,
    connection,
    count,
    money,
    resolves,
    shop_currency,
    store,
)

# --- Discounts ------------------------------------------------------------------------------------


@resolves("DiscountCodeNode", "codeDiscount")
def discount_node_code_discount(discount: Discount, _info: Info) -> Discount:
    return discount


@resolves("DiscountAutomaticNode", "automaticDiscount")
def discount_node_automatic_discount(discount: Discount, _info: Info) -> Discount:
    return discount


def discount_status(discount: Discount, info: Info) -> str:
    now = store(info).now()
    if discount.starts_at > now:
        return "SCHEDULED"
    if discount.ends_at is not None and discount.ends_at <= now:
        return "EXPIRED"
    return "ACTIVE"


@resolves("DiscountCodeBasic", "status")
@resolves("DiscountAutomaticBasic", "status")
def discount_status_field(discount: Discount, info: Info) -> str:
    return discount_status(discount, info)


@resolves("DiscountCodeBasic", "summary")
@resolves("DiscountAutomaticBasic", "summary")
def discount_summary(discount: Discount, info: Info) -> str:
    if discount.percentage is not None:
        value = f"{Decimal(str(discount.percentage * 100)).normalize():f}% off"
    else:
        value = f"€{discount.amount or ZERO:.2f} off"
    target = (
        "entire order"
        if discount.all_items
        else f"{len(discount.product_numbers)} product"
        + ("s" if len(discount.product_numbers) != 1 else "")
    )
    summary = f"{value} {target}"
    if discount.minimum_subtotal is not None:
        summary += f" • Minimum purchase of €{discount.minimum_subtotal:.2f}"
    elif discount.minimum_quantity is not None:
        summary += f" • Minimum quantity of {discount.minimum_quantity}"
    if discount.applies_once_per_customer:
        summary += " • One use per customer"
    return summary


@resolves("DiscountCodeBasic", "asyncUsageCount")
@resolves("DiscountAutomaticBasic", "asyncUsageCount")
def discount_usage(_discount: Discount, _info: Info) -> int:
    return 0


@resolves("DiscountCodeBasic", "codesCount")
def discount_codes_count(_discount: Discount, _info: Info) -> dict[str, Any]:
    return count(1)


@resolves("DiscountCodeBasic", "codes")
def discount_codes(discount: Discount, _info: Info, **args: Any) -> Connection[Any]:
    code = {
        "id": f"gid://shopify/DiscountRedeemCode/{discount.code_number}",
        "code": discount.code,
        "asyncUsageCount": 0,
    }
    return connection([code], args)


@resolves("DiscountCodeBasic", "context")
@resolves("DiscountAutomaticBasic", "context")
def discount_context(_discount: Discount, _info: Info) -> dict[str, Any]:
    return {"__typename": "DiscountBuyerSelectionAll", "all": "ALL"}


@resolves("DiscountCodeBasic", "customerGets")
@resolves("DiscountAutomaticBasic", "customerGets")
def discount_customer_gets(discount: Discount, info: Info) -> dict[str, Any]:
    if discount.percentage is not None:
        value: dict[str, Any] = {
            "__typename": "DiscountPercentage",
            "percentage": discount.percentage,
        }
    else:
        value = {
            "__typename": "DiscountAmount",
            "amount": money(discount.amount or ZERO, shop_currency(info)),
            "appliesOnEachItem": discount.applies_on_each_item,
        }
    if discount.all_items:
        items: dict[str, Any] = {"__typename": "AllDiscountItems", "allItems": True}
    else:
        items = {"__typename": "DiscountProducts", "productNumbers": discount.product_numbers}
    return {
        "items": items,
        "value": value,
        "appliesOnOneTimePurchase": True,
        "appliesOnSubscription": False,
    }


@resolves("DiscountProducts", "products")
def discount_products(items: dict[str, Any], info: Info, **args: Any) -> Connection[Product]:
    shop = store(info)
    products = [shop.products[n] for n in items["productNumbers"] if n in shop.products]
    return connection(products, args, lambda p: (p.number, p.number))


@resolves("DiscountCodeBasic", "minimumRequirement")
@resolves("DiscountAutomaticBasic", "minimumRequirement")
def discount_minimum(discount: Discount, info: Info) -> dict[str, Any] | None:
    if discount.minimum_subtotal is not None:
        return {
            "__typename": "DiscountMinimumSubtotal",
            "greaterThanOrEqualToSubtotal": money(discount.minimum_subtotal, shop_currency(info)),
        }
    if discount.minimum_quantity is not None:
        return {
            "__typename": "DiscountMinimumQuantity",
            "greaterThanOrEqualToQuantity": discount.minimum_quantity,
        }
    return None


@resolves("DiscountCodeBasic", "combinesWith")
@resolves("DiscountAutomaticBasic", "combinesWith")
def discount_combines_with(discount: Discount, _info: Info) -> dict[str, bool]:
    return {
        "orderDiscounts": discount.combines_with_order,
        "productDiscounts": discount.combines_with_product,
        "shippingDiscounts": discount.combines_with_shipping,
    }
