"""Root query fields: lookups by id or handle, and the searchable, sortable connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.sandbox.shopify.errors import ShopifyError
from tools.sandbox.shopify.ids import parse_gid
from tools.sandbox.shopify.models import Customer, Order, Product
from tools.sandbox.shopify.pagination import Connection, SortKey
from tools.sandbox.shopify.resolvers.common import Info, connection, resolves, store
from tools.sandbox.shopify.search import FieldSpec, Kind, search
from tools.sandbox.shopify.store import ShopifyStore


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


# --- search fields --------------------------------------------------------------------------------


def _product_fields(shop: ShopifyStore) -> dict[str, FieldSpec[Product]]:
    online = shop.online_store.number
    return {
        "title": FieldSpec(Kind.TEXT, lambda p: [p.title]),
        "status": FieldSpec(Kind.EXACT, lambda p: [p.status]),
        "vendor": FieldSpec(Kind.EXACT, lambda p: [p.vendor]),
        "product_type": FieldSpec(Kind.EXACT, lambda p: [p.product_type]),
        "tag": FieldSpec(Kind.EXACT, lambda p: p.tags),
        "handle": FieldSpec(Kind.EXACT, lambda p: [p.handle]),
        "sku": FieldSpec(Kind.EXACT, lambda p: [v.sku for v in p.variants if v.sku]),
        "barcode": FieldSpec(Kind.EXACT, lambda p: [v.barcode for v in p.variants if v.barcode]),
        "id": FieldSpec(Kind.NUMBER, lambda p: [p.number]),
        "created_at": FieldSpec(Kind.DATE, lambda p: [p.created_at]),
        "updated_at": FieldSpec(Kind.DATE, lambda p: [p.updated_at]),
        "inventory_total": FieldSpec(Kind.NUMBER, lambda p: [total_inventory(p)]),
        "published_status": FieldSpec(
            Kind.EXACT,
            lambda p: ["published", "any"] if online in p.publications else ["unpublished", "any"],
        ),
        "_text": FieldSpec(
            Kind.TEXT,
            lambda p: [
                p.title,
                p.vendor,
                p.product_type,
                *p.tags,
                *[v.sku for v in p.variants if v.sku],
            ],
        ),
    }


def total_inventory(product: Product) -> int:
    return sum(
        level.quantities["available"]
        for variant in product.variants
        for level in variant.inventory_item.levels.values()
    )


_FINANCIAL = {
    "paid": "PAID",
    "pending": "PENDING",
    "authorized": "AUTHORIZED",
    "partially_paid": "PARTIALLY_PAID",
    "partially_refunded": "PARTIALLY_REFUNDED",
    "refunded": "REFUNDED",
    "voided": "VOIDED",
    "expired": "EXPIRED",
}


def _fulfillment_terms(order: Order) -> list[str]:
    status = order.display_fulfillment_status
    terms = {
        "FULFILLED": ["fulfilled", "shipped"],
        "UNFULFILLED": ["unfulfilled", "unshipped"],
        "PARTIALLY_FULFILLED": ["partial", "partially_fulfilled", "unfulfilled"],
    }[status]
    return [*terms, "any"]


def _order_fields(shop: ShopifyStore) -> dict[str, FieldSpec[Order]]:
    def customer_name(order: Order) -> list[str]:
        customer = shop.customers.get(order.customer_number or 0)
        return [customer.display_name] if customer else []

    return {
        "name": FieldSpec(Kind.EXACT, lambda o: [o.name, str(o.order_number)]),
        "email": FieldSpec(Kind.EXACT, lambda o: [o.email] if o.email else []),
        "financial_status": FieldSpec(
            Kind.EXACT,
            lambda o: [k for k, v in _FINANCIAL.items() if v == o.financial_status] + ["any"],
        ),
        "fulfillment_status": FieldSpec(Kind.EXACT, _fulfillment_terms),
        "status": FieldSpec(
            Kind.EXACT,
            lambda o: ["cancelled" if o.cancelled_at else ("closed" if o.closed else "open")],
        ),
        "created_at": FieldSpec(Kind.DATE, lambda o: [o.created_at]),
        "processed_at": FieldSpec(Kind.DATE, lambda o: [o.created_at]),
        "updated_at": FieldSpec(Kind.DATE, lambda o: [o.updated_at]),
        "id": FieldSpec(Kind.NUMBER, lambda o: [o.number]),
        "customer_id": FieldSpec(Kind.NUMBER, lambda o: [o.customer_number or 0]),
        "sku": FieldSpec(Kind.EXACT, lambda o: [li.sku for li in o.line_items if li.sku]),
        "tag": FieldSpec(Kind.EXACT, lambda o: o.tags),
        "test": FieldSpec(Kind.EXACT, lambda o: [str(o.test).lower()]),
        "_text": FieldSpec(Kind.TEXT, lambda o: [o.name, o.email or "", *customer_name(o)]),
    }


def _customer_fields() -> dict[str, FieldSpec[Customer]]:
    return {
        "email": FieldSpec(Kind.EXACT, lambda c: [c.email]),
        "first_name": FieldSpec(Kind.EXACT, lambda c: [c.first_name]),
        "last_name": FieldSpec(Kind.EXACT, lambda c: [c.last_name]),
        "phone": FieldSpec(Kind.EXACT, lambda c: [c.phone] if c.phone else []),
        "state": FieldSpec(Kind.EXACT, lambda c: [c.state]),
        "tag": FieldSpec(Kind.EXACT, lambda c: c.tags),
        "id": FieldSpec(Kind.NUMBER, lambda c: [c.number]),
        "created_at": FieldSpec(Kind.DATE, lambda c: [c.created_at]),
        "updated_at": FieldSpec(Kind.DATE, lambda c: [c.updated_at]),
        "_text": FieldSpec(Kind.TEXT, lambda c: [c.display_name, c.email]),
    }


# --- sort keys ------------------------------------------------------------------------------------


def product_sort(sort_key: str) -> Callable[[Product], SortKey]:
    keys: dict[str, Callable[[Product], SortKey]] = {
        "TITLE": lambda p: (p.title.casefold(), p.number),
        "CREATED_AT": lambda p: (_iso(p.created_at), p.number),
        "UPDATED_AT": lambda p: (_iso(p.updated_at), p.number),
        "VENDOR": lambda p: (p.vendor.casefold(), p.number),
        "PRODUCT_TYPE": lambda p: (p.product_type.casefold(), p.number),
        "INVENTORY_TOTAL": lambda p: (total_inventory(p), p.number),
        "PUBLISHED_AT": lambda p: (_iso(min(p.publications.values(), default=None)), p.number),
    }
    return keys.get(sort_key, lambda p: (p.number, p.number))


def order_sort(sort_key: str) -> Callable[[Order], SortKey]:
    keys: dict[str, Callable[[Order], SortKey]] = {
        "CREATED_AT": lambda o: (_iso(o.created_at), o.number),
        "PROCESSED_AT": lambda o: (_iso(o.created_at), o.number),
        "UPDATED_AT": lambda o: (_iso(o.updated_at), o.number),
        "ORDER_NUMBER": lambda o: (o.order_number, o.number),
        "TOTAL_PRICE": lambda o: (int(o.total_price * 100), o.number),
        "FINANCIAL_STATUS": lambda o: (o.financial_status, o.number),
        "FULFILLMENT_STATUS": lambda o: (o.display_fulfillment_status, o.number),
        "CUSTOMER_NAME": lambda o: (o.shipping_address.get("name") or "", o.number),
    }
    return keys.get(sort_key, lambda o: (o.number, o.number))


def customer_sort(sort_key: str) -> Callable[[Customer], SortKey]:
    keys: dict[str, Callable[[Customer], SortKey]] = {
        "NAME": lambda c: (c.display_name.casefold(), c.number),
        "CREATED_AT": lambda c: (_iso(c.created_at), c.number),
        "UPDATED_AT": lambda c: (_iso(c.updated_at), c.number),
    }
    return keys.get(sort_key, lambda c: (c.number, c.number))


# --- root fields ----------------------------------------------------------------------------------


@resolves("Query", "shop")
def resolve_shop(_root: Any, info: Info) -> Any:
    return store(info).shop


def find_node(shop: ShopifyStore, global_id: str) -> Any:
    """The record a global id names, or ``None``."""
    kind, number = parse_gid(global_id)
    tables: dict[str, dict[int, Any]] = {
        "Product": shop.products,
        "ProductVariant": shop.variants,
        "InventoryItem": shop.inventory_items,
        "Location": shop.locations,
        "Publication": shop.publications,
        "Customer": shop.customers,
        "Order": shop.orders,
        "LineItem": shop.line_items,
        "FulfillmentOrder": shop.fulfillment_orders,
        "Fulfillment": shop.fulfillments,
        "Refund": shop.refunds,
        "OrderTransaction": shop.transactions,
        "DiscountCodeNode": shop.discounts,
        "AbandonedCheckout": shop.abandoned_checkouts,
        "DiscountAutomaticNode": shop.automatic_discounts,
    }
    if kind == "Shop":
        return shop.shop if number == shop.shop.number else None
    table = tables.get(kind)
    return table.get(number) if table is not None else None


@resolves("Query", "node")
def resolve_node(_root: Any, info: Info, id: str) -> Any:
    return find_node(store(info), id)


@resolves("Query", "nodes")
def resolve_nodes(_root: Any, info: Info, ids: list[str]) -> list[Any]:
    if len(ids) > 250:
        raise ShopifyError("The ids argument accepts at most 250 ids.", "BAD_REQUEST")
    return [find_node(store(info), i) for i in ids]


def _lookup(table: dict[int, Any], global_id: str, kind: str) -> Any:
    found, number = parse_gid(global_id)
    return table.get(number) if found == kind else None


@resolves("Query", "product")
def resolve_product(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).products, id, "Product")


@resolves("Query", "productByIdentifier")
def resolve_product_by_identifier(_root: Any, info: Info, identifier: dict[str, Any]) -> Any:
    given = [k for k, v in identifier.items() if v is not None]
    if len(given) != 1:
        raise ShopifyError(
            "ProductIdentifierInput requires exactly one of id or handle.", "BAD_REQUEST"
        )
    if given[0] == "id":
        return _lookup(store(info).products, identifier["id"], "Product")
    return store(info).handle_owner(identifier["handle"])


@resolves("Query", "productVariant")
def resolve_product_variant(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).variants, id, "ProductVariant")


@resolves("Query", "inventoryItem")
def resolve_inventory_item(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).inventory_items, id, "InventoryItem")


@resolves("Query", "order")
def resolve_order(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).orders, id, "Order")


@resolves("Query", "fulfillmentOrder")
def resolve_fulfillment_order(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).fulfillment_orders, id, "FulfillmentOrder")


@resolves("Query", "customer")
def resolve_customer(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).customers, id, "Customer")


@resolves("Query", "location")
def resolve_location(_root: Any, info: Info, id: str | None = None) -> Any:
    shop = store(info)
    if id is None:
        return shop.primary_location
    return _lookup(shop.locations, id, "Location")


@resolves("Query", "publication")
def resolve_publication(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).publications, id, "Publication")


@resolves("Query", "codeDiscountNode")
def resolve_code_discount_node(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).discounts, id, "DiscountCodeNode")


@resolves("Query", "automaticDiscountNode")
def resolve_automatic_discount_node(_root: Any, info: Info, id: str) -> Any:
    return _lookup(store(info).automatic_discounts, id, "DiscountAutomaticNode")


@resolves("Query", "automaticDiscountNodes")
def resolve_automatic_discount_nodes(_root: Any, info: Info, **args: Any) -> Connection[Any]:
    discounts = list(store(info).automatic_discounts.values())
    return connection(discounts, args, lambda d: (d.number, d.number))


@resolves("Query", "codeDiscountNodeByCode")
def resolve_code_discount_node_by_code(_root: Any, info: Info, code: str) -> Any:
    return store(info).discount_by_code(code)


@resolves("Query", "products")
def resolve_products(_root: Any, info: Info, **args: Any) -> Connection[Product]:
    shop = store(info)
    found = search(shop.products.values(), args.get("query"), _product_fields(shop), ["_text"])
    return connection(found, args, product_sort(args.get("sortKey", "ID")))


def orders_connection(
    shop: ShopifyStore, orders: list[Order], args: dict[str, Any]
) -> Connection[Order]:
    found = search(orders, args.get("query"), _order_fields(shop), ["_text"])
    return connection(found, args, order_sort(args.get("sortKey", "PROCESSED_AT")))


@resolves("Query", "orders")
def resolve_orders(_root: Any, info: Info, **args: Any) -> Connection[Order]:
    shop = store(info)
    return orders_connection(shop, list(shop.orders.values()), args)


@resolves("Query", "customers")
def resolve_customers(_root: Any, info: Info, **args: Any) -> Connection[Customer]:
    shop = store(info)
    found = search(shop.customers.values(), args.get("query"), _customer_fields(), ["_text"])
    return connection(found, args, customer_sort(args.get("sortKey", "ID")))


@resolves("Query", "locations")
def resolve_locations(_root: Any, info: Info, **args: Any) -> Connection[Any]:
    shop = store(info)
    locations = [
        loc for loc in shop.locations.values() if loc.is_active or args.get("includeInactive")
    ]
    if args.get("query"):
        locations = [loc for loc in locations if args["query"].casefold() in loc.name.casefold()]
    if args.get("sortKey", "NAME") == "NAME":
        return connection(locations, args, lambda loc: (loc.name.casefold(), loc.number))
    return connection(locations, args, lambda loc: (loc.number, loc.number))


@resolves("Query", "publications")
def resolve_publications(_root: Any, info: Info, **args: Any) -> Connection[Any]:
    shop = store(info)
    return connection(list(shop.publications.values()), args, lambda p: (p.number, p.number))
