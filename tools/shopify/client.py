"""``ShopifyClient``: the typed operations over one reliable GraphQL transport."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from settings import Settings, get_settings
from storage.credentials import CredentialStore
from tools.shopify.auth import TokenProvider, token_provider
from tools.shopify.config import ShopifyConfig
from tools.shopify.operations import (
    CollectionOperations,
    OrderOperations,
    ProductOperations,
    StoreOperations,
)
from tools.shopify.redis_bucket import RedisCostBucket
from tools.shopify.throttle import Clock, CostBucket, LocalCostBucket, QueryCost, ThrottleStatus
from tools.shopify.transport import GraphQLTransport, Sleep, TransportStats

USER_AGENT = "royal-orchestrator-shopify/0.1 (httpx)"


class ShopifyClient(StoreOperations, ProductOperations, CollectionOperations, OrderOperations):
    """An async Shopify Admin GraphQL client for one shop.

    Use it as an async context manager (or call :meth:`aclose`). ``clock`` and ``sleep`` are
    injectable so tests can check every computed wait without waiting. ``credentials`` shares a
    granted (client-credentials) token with the other processes on the database.
    """

    def __init__(
        self,
        config: ShopifyConfig,
        *,
        http: httpx.AsyncClient | None = None,
        bucket: CostBucket | None = None,
        tokens: TokenProvider | None = None,
        credentials: CredentialStore | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=config.timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self._owns_bucket = bucket is None
        if bucket is not None:
            self.bucket = bucket
        elif config.redis_url is not None:
            self.bucket = RedisCostBucket.from_url(
                config.redis_url.get_secret_value(), config.bucket_key
            )
        else:
            self.bucket = LocalCostBucket(clock)
        self.tokens = tokens or token_provider(config, self._http, clock, credentials=credentials)
        self._transport = GraphQLTransport(
            config, self._http, self.tokens, self.bucket, clock=clock, sleep=sleep, rng=rng
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs: Any) -> ShopifyClient:
        """A client for the configured shop, or the sandbox store when none is configured."""
        return cls(ShopifyConfig.from_settings(settings or get_settings()), **kwargs)

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Run any GraphQL document and return its ``data``.

        With ``idempotency_key`` the (single-field) mutation gets ``@idempotent(key: …)``.
        Raises a :class:`~tools.shopify.errors.ShopifyError` subclass on every failure.
        """
        return await self._transport.execute(query, variables, idempotency_key=idempotency_key)

    @property
    def stats(self) -> TransportStats:
        return self._transport.stats

    @property
    def last_cost(self) -> QueryCost | None:
        """``extensions.cost`` of the latest response."""
        return self._transport.last_cost

    async def throttle_status(self) -> ThrottleStatus | None:
        """The client's current estimate of the shop's cost bucket."""
        return await self.bucket.snapshot()

    async def aclose(self) -> None:
        if self._owns_bucket:
            await self.bucket.aclose()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> ShopifyClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"ShopifyClient(shop={self.config.shop_label!r}, version={self.config.api_version})"
