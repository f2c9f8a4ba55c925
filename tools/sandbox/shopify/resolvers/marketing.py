"""Customers' ``emailMarketingConsent`` and the ``abandonedCheckouts`` connection."""

from __future__ import annotations

from typing import Any

from tools.sandbox.shopify.models import AbandonedCheckout, AbandonedCheckoutLine, Customer
from tools.sandbox.shopify.pagination import Connection, SortKey
from tools.sandbox.shopify.resolvers.common import (
    Info,
    connection,
    money_bag,
    resolves,
    shop_currency,
    store,
)
from tools.sandbox.shopify.search import FieldSpec, Kind, search


@resolves("Customer", "emailMarketingConsent")
def customer_email_marketing_consent(customer: Customer, _info: Info) -> dict[str, Any]:
    return {
        "marketingState": customer.email_marketing_state,
        "marketingOptInLevel": customer.email_marketing_opt_in_level,
        "consentUpdatedAt": customer.updated_at,
    }


def _checkout_fields() -> dict[str, FieldSpec[AbandonedCheckout]]:
    return {
        "id": FieldSpec(Kind.NUMBER, lambda c: [c.number]),
        "status": FieldSpec(
            Kind.EXACT, lambda c: ["closed" if c.completed_at is not None else "open"]
        ),
        "created_at": FieldSpec(Kind.DATE, lambda c: [c.created_at]),
        "updated_at": FieldSpec(Kind.DATE, lambda c: [c.updated_at]),
        "_text": FieldSpec(Kind.TEXT, lambda c: [c.name]),
    }


def _checkout_sort(sort_key: str) -> Any:
    keys: dict[str, Any] = {
        "CREATED_AT": lambda c: (c.created_at.isoformat(), c.number),
        "TOTAL_PRICE": lambda c: (c.total, c.number),
    }

    def by_number(checkout: AbandonedCheckout) -> SortKey:
        return checkout.number, checkout.number

    return keys.get(sort_key, by_number)


@resolves("Query", "abandonedCheckouts")
def resolve_abandoned_checkouts(
    _root: Any, info: Info, **args: Any
) -> Connection[AbandonedCheckout]:
    checkouts = list(store(info).abandoned_checkouts.values())
    found = search(checkouts, args.get("query"), _checkout_fields(), ["_text"])
    return connection(found, args, _checkout_sort(args.get("sortKey", "ID")))


@resolves("AbandonedCheckout", "abandonedCheckoutUrl")
def checkout_url(checkout: AbandonedCheckout, info: Info) -> str:
    domain = store(info).shop.myshopify_domain
    return f"https://{domain}/checkouts/ac/{checkout.number}/recover"


@resolves("AbandonedCheckout", "customer")
def checkout_customer(checkout: AbandonedCheckout, info: Info) -> Customer | None:
    return store(info).customers.get(checkout.customer_number or 0)


@resolves("AbandonedCheckout", "lineItemsQuantity")
def checkout_quantity(checkout: AbandonedCheckout, _info: Info) -> int:
    return sum(line.quantity for line in checkout.lines)


@resolves("AbandonedCheckout", "totalPriceSet")
def checkout_total(checkout: AbandonedCheckout, info: Info) -> dict[str, Any]:
    return money_bag(checkout.total, shop_currency(info))


@resolves("AbandonedCheckout", "lineItems")
def checkout_lines(
    checkout: AbandonedCheckout, _info: Info, **args: Any
) -> Connection[AbandonedCheckoutLine]:
    return connection(checkout.lines, args)


@resolves("AbandonedCheckoutLineItem", "originalUnitPriceSet")
def checkout_line_price(line: AbandonedCheckoutLine, info: Info) -> dict[str, Any]:
    return money_bag(line.unit_price, shop_currency(info))
