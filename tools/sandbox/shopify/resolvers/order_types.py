"""Derived fields of customers, orders, fulfillments and refunds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tools.sandbox.shopify.models import (
    Customer,
    Fulfillment,
    FulfillmentLineItem,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Location,
    Order,
    OrderTransaction,
    Product,
    ProductVariant,
    Refund,
    RefundLineItem,
)
from tools.sandbox.shopify.pagination import Connection
from tools.sandbox.shopify.resolvers.common import (
    ZERO,
    Info,
    connection,
    first_n,
    money,
    money_bag,
    resolves,
    shop_currency,
    store,
)
from tools.sandbox.shopify.resolvers.queries import orders_connection

# --- Customers ------------------------------------------------------------------------------------


@resolves("Customer", "defaultEmailAddress")
def customer_email(customer: Customer, _info: Info) -> dict[str, Any]:
    return {"emailAddress": customer.email}


@resolves("Customer", "numberOfOrders")
def customer_number_of_orders(customer: Customer, info: Info) -> int:
    return len(store(info).orders_of(customer))


@resolves("Customer", "amountSpent")
def customer_amount_spent(customer: Customer, info: Info) -> dict[str, Any]:
    spent = sum((o.net_payment for o in store(info).orders_of(customer)), Decimal("0"))
    return money(spent, shop_currency(info))


@resolves("Customer", "orders")
def customer_orders(customer: Customer, info: Info, **args: Any) -> Connection[Order]:
    shop = store(info)
    return orders_connection(shop, shop.orders_of(customer), {"sortKey": "ID", **args})


# --- Orders ---------------------------------------------------------------------------------------


@resolves("Order", "displayFinancialStatus")
def order_financial_status(order: Order, _info: Info) -> str:
    return order.financial_status


@resolves("Order", "totalPriceSet")
def order_total(order: Order, _info: Info) -> dict[str, Any]:
    return money_bag(order.total_price, order.currency_code)


@resolves("Order", "subtotalPriceSet")
def order_subtotal(order: Order, _info: Info) -> dict[str, Any]:
    return money_bag(order.subtotal, order.currency_code)


@resolves("Order", "totalShippingPriceSet")
def order_shipping(order: Order, _info: Info) -> dict[str, Any]:
    return money_bag(order.shipping_price, order.currency_code)


@resolves("Order", "totalTaxSet")
def order_tax(order: Order, _info: Info) -> dict[str, Any]:
    return money_bag(ZERO, order.currency_code)


@resolves("Order", "totalRefundedSet")
def order_refunded(order: Order, _info: Info) -> dict[str, Any]:
    return money_bag(order.total_refunded, order.currency_code)


@resolves("Order", "currentTotalPriceSet")
def order_current_total(order: Order, _info: Info) -> dict[str, Any]:
    return money_bag(order.total_price - order.total_refunded, order.currency_code)


@resolves("Order", "customer")
def order_customer(order: Order, info: Info) -> Customer | None:
    return store(info).customers.get(order.customer_number or 0)


@resolves("Order", "lineItems")
def order_line_items(order: Order, _info: Info, **args: Any) -> Connection[Any]:
    return connection(order.line_items, args)


@resolves("Order", "fulfillmentOrders")
def order_fulfillment_orders(order: Order, _info: Info, **args: Any) -> Connection[Any]:
    items = order.fulfillment_orders
    if args.get("displayable"):
        items = [fo for fo in items if fo.status not in ("CANCELLED", "INCOMPLETE")]
    return connection(items, args)


@resolves("Order", "fulfillments")
def order_fulfillments(order: Order, _info: Info, first: int | None = None) -> list[Fulfillment]:
    return first_n(order.fulfillments, first)


@resolves("Order", "refunds")
def order_refunds(order: Order, _info: Info, first: int | None = None) -> list[Refund]:
    return first_n(order.refunds, first)


@resolves("Order", "transactions")
def order_transactions(
    order: Order, _info: Info, first: int | None = None, **_filters: Any
) -> list[OrderTransaction]:
    return first_n(order.transactions, first)


def _order_of(info: Info, number: int) -> Order:
    return store(info).orders[number]


@resolves("LineItem", "currentQuantity", "refundableQuantity")
def line_item_current_quantity(item: LineItem, info: Info) -> int:
    return item.quantity - _order_of(info, item.order_number).refunded_quantity(item.number)


@resolves("LineItem", "unfulfilledQuantity")
def line_item_unfulfilled(item: LineItem, info: Info) -> int:
    return _order_of(info, item.order_number).unfulfilled_quantity(item.number)


@resolves("LineItem", "variant")
def line_item_variant(item: LineItem, info: Info) -> ProductVariant | None:
    return store(info).variants.get(item.variant_number or 0)


@resolves("LineItem", "product")
def line_item_product(item: LineItem, info: Info) -> Product | None:
    return store(info).products.get(item.product_number or 0)


@resolves("LineItem", "originalUnitPriceSet", "discountedUnitPriceSet")
def line_item_unit_price(item: LineItem, info: Info) -> dict[str, Any]:
    return money_bag(item.unit_price, _order_of(info, item.order_number).currency_code)


@resolves("LineItem", "originalTotalSet")
def line_item_total(item: LineItem, info: Info) -> dict[str, Any]:
    currency = _order_of(info, item.order_number).currency_code
    return money_bag(item.unit_price * item.quantity, currency)


@resolves("OrderTransaction", "amountSet")
def transaction_amount(transaction: OrderTransaction, info: Info) -> Any:
    return money_bag(transaction.amount, _order_of(info, transaction.order_number).currency_code)


@resolves("OrderTransaction", "parentTransaction")
def transaction_parent(transaction: OrderTransaction, info: Info) -> Any:
    if transaction.parent_number is None:
        return None
    return store(info).transactions.get(transaction.parent_number)


# --- Fulfillment orders and fulfillments ---------------------------------------------------------


@resolves("FulfillmentOrder", "orderId")
def fulfillment_order_order_id(fo: FulfillmentOrder, info: Info) -> str:
    return _order_of(info, fo.order_number).id


@resolves("FulfillmentOrder", "orderName")
def fulfillment_order_order_name(fo: FulfillmentOrder, info: Info) -> str:
    return _order_of(info, fo.order_number).name


@resolves("FulfillmentOrder", "order")
def fulfillment_order_order(fo: FulfillmentOrder, info: Info) -> Order:
    return _order_of(info, fo.order_number)


@resolves("FulfillmentOrder", "assignedLocation")
def fulfillment_order_location(fo: FulfillmentOrder, info: Info) -> dict[str, Any]:
    location = store(info).locations[fo.location_number]
    return {"name": location.name, "location": location}


@resolves("FulfillmentOrder", "lineItems")
def fulfillment_order_line_items(fo: FulfillmentOrder, _info: Info, **args: Any) -> Connection[Any]:
    return connection(fo.line_items, args)


@resolves("FulfillmentOrder", "fulfillments")
def fulfillment_order_fulfillments(
    fo: FulfillmentOrder, info: Info, **args: Any
) -> Connection[Any]:
    shop = store(info)
    return connection([shop.fulfillments[n] for n in fo.fulfillment_numbers], args)


def _line_item(info: Info, number: int) -> LineItem:
    return store(info).line_items[number]


@resolves("FulfillmentOrderLineItem", "lineItem")
def fo_line_line_item(line: FulfillmentOrderLineItem, info: Info) -> LineItem:
    return _line_item(info, line.line_item_number)


@resolves("FulfillmentOrderLineItem", "sku")
def fo_line_sku(line: FulfillmentOrderLineItem, info: Info) -> str | None:
    return _line_item(info, line.line_item_number).sku


@resolves("FulfillmentOrderLineItem", "productTitle")
def fo_line_product_title(line: FulfillmentOrderLineItem, info: Info) -> str:
    return _line_item(info, line.line_item_number).title


@resolves("FulfillmentOrderLineItem", "variantTitle")
def fo_line_variant_title(line: FulfillmentOrderLineItem, info: Info) -> Any:
    return _line_item(info, line.line_item_number).variant_title


@resolves("FulfillmentOrderLineItem", "variant")
def fo_line_variant(line: FulfillmentOrderLineItem, info: Info) -> Any:
    return store(info).variants.get(_line_item(info, line.line_item_number).variant_number or 0)


@resolves("Fulfillment", "order")
def fulfillment_order_field(fulfillment: Fulfillment, info: Info) -> Order:
    return _order_of(info, fulfillment.order_number)


@resolves("Fulfillment", "location")
def fulfillment_location(fulfillment: Fulfillment, info: Info) -> Location | None:
    return store(info).locations.get(fulfillment.location_number)


@resolves("Fulfillment", "trackingInfo")
def fulfillment_tracking(
    fulfillment: Fulfillment, _info: Info, first: int | None = None
) -> list[Any]:
    return first_n(fulfillment.tracking, first)


@resolves("Fulfillment", "fulfillmentLineItems")
def fulfillment_line_items(fulfillment: Fulfillment, _info: Info, **args: Any) -> Connection[Any]:
    return connection(fulfillment.line_items, args)


@resolves("Fulfillment", "totalQuantity")
def fulfillment_total_quantity(fulfillment: Fulfillment, _info: Info) -> int:
    return sum(line.quantity for line in fulfillment.line_items)


@resolves("FulfillmentLineItem", "lineItem")
def fulfillment_line_line_item(line: FulfillmentLineItem, info: Info) -> LineItem:
    return _line_item(info, line.line_item_number)


# --- Refunds --------------------------------------------------------------------------------------


@resolves("Refund", "order")
def refund_order(refund: Refund, info: Info) -> Order:
    return _order_of(info, refund.order_number)


@resolves("Refund", "totalRefundedSet")
def refund_total(refund: Refund, info: Info) -> dict[str, Any]:
    return money_bag(refund.total_refunded, _order_of(info, refund.order_number).currency_code)


@resolves("Refund", "refundLineItems")
def refund_line_items(refund: Refund, _info: Info, **args: Any) -> Connection[Any]:
    return connection(refund.line_items, args)


@resolves("Refund", "transactions")
def refund_transactions(refund: Refund, _info: Info, **args: Any) -> Connection[Any]:
    return connection(refund.transactions, args)


@resolves("RefundLineItem", "lineItem")
def refund_line_line_item(line: RefundLineItem, info: Info) -> LineItem:
    return _line_item(info, line.line_item_number)


@resolves("RefundLineItem", "location")
def refund_line_location(line: RefundLineItem, info: Info) -> Location | None:
    return None if line.location_number is None else store(info).locations[line.location_number]


@resolves("RefundLineItem", "priceSet")
def refund_line_price(line: RefundLineItem, info: Info) -> dict[str, Any]:
    return money_bag(line.unit_price, shop_currency(info))


@resolves("RefundLineItem", "subtotalSet")
def refund_line_subtotal(line: RefundLineItem, info: Info) -> dict[str, Any]:
    return money_bag(line.unit_price * line.quantity, shop_currency(info))
