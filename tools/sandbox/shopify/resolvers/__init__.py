"""Resolvers of the emulated Admin API; importing this package registers all of them."""

from tools.sandbox.shopify.resolvers import (
    catalog_types,
    discount_types,
    discounts,
    fulfillments,
    inventory,
    marketing,
    online_store,
    order_finance,
    order_types,
    product_set,
    products,
    publications,
    queries,
    refunds,
    variants,
)
from tools.sandbox.shopify.resolvers.common import RESOLVERS, RequestContext, field_resolver

__all__ = [
    "RESOLVERS",
    "RequestContext",
    "catalog_types",
    "discount_types",
    "discounts",
    "field_resolver",
    "fulfillments",
    "inventory",
    "marketing",
    "online_store",
    "order_finance",
    "order_types",
    "product_set",
    "products",
    "publications",
    "queries",
    "refunds",
    "variants",
]
