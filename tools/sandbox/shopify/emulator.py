"""The Shopify Admin API emulator: store, tokens, throttle bucket and idempotency in one place."""

from __future__ import annotations

from fastapi import APIRouter

from tools.sandbox.emulator import SandboxContext
from tools.sandbox.shopify.auth import TokenRegistry
from tools.sandbox.shopify.cost import (
    DEFAULT_MAX_QUERY_COST,
    DEFAULT_MAXIMUM_AVAILABLE,
    DEFAULT_RESTORE_RATE,
    LeakyBucket,
)
from tools.sandbox.shopify.executor import GraphQLExecutor
from tools.sandbox.shopify.idempotency import IdempotencyCache
from tools.sandbox.shopify.routes import build_admin_router, build_router
from tools.sandbox.shopify.schema import build_shopify_schema
from tools.sandbox.shopify.store import ShopifyStore


class ShopifyEmulator:
    """Serves ``/shopify/admin/api/{version}/graphql.json`` and ``/shopify/admin/oauth/...``."""

    name = "shopify"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.store = ShopifyStore(context.seed)
        self.tokens = TokenRegistry()
        self.bucket = LeakyBucket(DEFAULT_MAXIMUM_AVAILABLE, DEFAULT_RESTORE_RATE)
        self.idempotency = IdempotencyCache()
        self.max_query_cost = DEFAULT_MAX_QUERY_COST
        self.executor = GraphQLExecutor(
            build_shopify_schema(),
            self.store,
            context.ledger,
            self.idempotency,
            self.bucket,
            lambda: self.max_query_cost,
        )
        self._router = build_router(self)
        self._admin_router = build_admin_router(self)

    @property
    def router(self) -> APIRouter:
        return self._router

    @property
    def admin_router(self) -> APIRouter:
        return self._admin_router

    def set_limits(
        self,
        *,
        maximum_available: float | None = None,
        restore_rate: float | None = None,
        currently_available: float | None = None,
        max_query_cost: int | None = None,
    ) -> None:
        """Change the throttle; a new maximum refills the bucket to it."""
        self.bucket.configure(maximum_available, restore_rate, currently_available)
        if max_query_cost is not None:
            self.max_query_cost = max_query_cost

    def reset(self) -> None:
        """Seeded store, default limits, no issued tokens, no remembered idempotency keys."""
        self.store.reset()
        self.tokens.reset()
        self.idempotency.reset()
        self.bucket.configure(DEFAULT_MAXIMUM_AVAILABLE, DEFAULT_RESTORE_RATE)
        self.max_query_cost = DEFAULT_MAX_QUERY_COST
