"""Emulator of the Shopify Admin GraphQL API (2026-01 names and shapes) for the sandbox.

The schema it executes is ``schema.graphql`` in this package; the demo shop it serves is
seeded in ``seed.py``; tests inspect and shape its state through ``ShopifyEmulator.store``.
"""

from tools.sandbox.shopify.auth import CLIENT_ID, CLIENT_SECRET, STATIC_TOKEN
from tools.sandbox.shopify.emulator import ShopifyEmulator
from tools.sandbox.shopify.schema import SDL_PATH, build_shopify_schema
from tools.sandbox.shopify.store import ShopifyStore

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "SDL_PATH",
    "STATIC_TOKEN",
    "ShopifyEmulator",
    "ShopifyStore",
    "build_shopify_schema",
]
