"""Typed Shopify operations, grouped by resource; the client combines them."""

from tools.shopify.operations.base import OperationsBase
from tools.shopify.operations.collections import CollectionOperations
from tools.shopify.operations.orders import OrderOperations
from tools.shopify.operations.products import ProductOperations
from tools.shopify.operations.store import StoreOperations

__all__ = [
    "CollectionOperations",
    "OperationsBase",
    "OrderOperations",
    "ProductOperations",
    "StoreOperations",
]
