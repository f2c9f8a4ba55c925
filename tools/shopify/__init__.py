"""Typed async client for the Shopify Admin GraphQL API (httpx, no SDK).

Cost-based throttling (optionally shared through Redis), retries with typed errors, cursor
pagination as async iterators, ``userErrors`` as exceptions, ``@idempotent`` keys, and pydantic
models for every input and output. ``ShopifyClient.from_settings()`` talks to the configured
shop, or to the local sandbox store when none is configured.
"""

from tools.shopify.auth import ClientCredentialsToken, StaticToken, TokenProvider
from tools.shopify.client import ShopifyClient
from tools.shopify.config import SANDBOX_ACCESS_TOKEN, ShopifyConfig
from tools.shopify.errors import (
    GraphQLErrorDetail,
    ShopifyAccessDeniedError,
    ShopifyAuthenticationError,
    ShopifyError,
    ShopifyGraphQLError,
    ShopifyRequestError,
    ShopifyServerError,
    ShopifyThrottledError,
    ShopifyUserError,
    UserErrorDetail,
)
from tools.shopify.filters import FinancialStatus, FulfillmentStatus, OrderFilter, OrderStatus
from tools.shopify.redis_bucket import RedisCostBucket
from tools.shopify.throttle import (
    CostBucket,
    LocalCostBucket,
    QueryCost,
    Reservation,
    ThrottleStatus,
    wait_for,
)
from tools.shopify.transport import TransportStats

__all__ = [
    "SANDBOX_ACCESS_TOKEN",
    "ClientCredentialsToken",
    "CostBucket",
    "FinancialStatus",
    "FulfillmentStatus",
    "GraphQLErrorDetail",
    "LocalCostBucket",
    "OrderFilter",
    "OrderStatus",
    "QueryCost",
    "RedisCostBucket",
    "Reservation",
    "ShopifyAccessDeniedError",
    "ShopifyAuthenticationError",
    "ShopifyClient",
    "ShopifyConfig",
    "ShopifyError",
    "ShopifyGraphQLError",
    "ShopifyRequestError",
    "ShopifyServerError",
    "ShopifyThrottledError",
    "ShopifyUserError",
    "StaticToken",
    "ThrottleStatus",
    "TokenProvider",
    "TransportStats",
    "UserErrorDetail",
    "wait_for",
]
