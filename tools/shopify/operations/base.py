"""What every group of typed operations needs: ``execute`` and the mutation payload check."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from tools.shopify.config import ShopifyConfig
from tools.shopify.errors import (
    GraphQLErrorDetail,
    ShopifyGraphQLError,
    ShopifyUserError,
    UserErrorDetail,
)
from tools.shopify.idempotency import IDEMPOTENT_MUTATIONS

#: First API version whose refund and inventory mutations accept ``@idempotent``.
IDEMPOTENCY_SINCE = "2026-01"


class OperationsBase:
    """Base of the operation mixins; :class:`~tools.shopify.client.ShopifyClient` fills it in."""

    config: ShopifyConfig

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        raise NotImplementedError

    async def _mutate(
        self,
        document: str,
        field: str,
        variables: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Run a mutation and return its payload; ``userErrors`` raise :class:`ShopifyUserError`.

        Mutations that accept ``@idempotent`` always carry a key: the caller's (derived from the
        run, so a re-executed step is applied once) or else a fresh one for this call (so at
        least the client's own retries are); 2026-04 makes the key mandatory for them.
        """
        if field in IDEMPOTENT_MUTATIONS and self.config.api_version >= IDEMPOTENCY_SINCE:
            idempotency_key = idempotency_key or f"royal-{uuid.uuid4()}"
        else:
            idempotency_key = None  # not supported by this mutation in the pinned version
        data = await self.execute(document, variables, idempotency_key=idempotency_key)
        payload = data.get(field)
        if not isinstance(payload, dict):
            raise ShopifyGraphQLError([GraphQLErrorDetail(message=f"{field} returned no payload")])
        errors = payload.get("userErrors") or []
        if errors:
            raise ShopifyUserError(field, [UserErrorDetail.model_validate(e) for e in errors])
        return payload


def without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """Variables minus unset ones, so Shopify applies the argument's default."""
    return {k: v for k, v in values.items() if v is not None}


def required(payload: dict[str, Any], key: str, mutation: str) -> dict[str, Any]:
    """``payload[key]``, which a mutation without userErrors must have returned."""
    value = payload.get(key)
    if not isinstance(value, dict):
        raise ShopifyGraphQLError(
            [GraphQLErrorDetail(message=f"{mutation} returned no {key} and no userErrors")]
        )
    return value
