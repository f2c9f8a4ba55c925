"""The product cluster's listing: found by the effect tag its key puts on the product."""

from __future__ import annotations

from collections.abc import Mapping

from host.effect_resolvers.base import Resolution, Resolver
from nodes.product.listing import PUBLISH_TOOL
from nodes.product.shopify_listing import find_listing
from nodes.services import Services
from storage.effects import EffectRecord


async def _listing(record: EffectRecord, services: Services) -> Resolution:
    found = await find_listing(services.shopify, record.idempotency_key)
    if found.product_id is None:
        return Resolution(applied=False, note="not applied: no Shopify product carries its tag")
    if not found.published:
        return Resolution(
            applied=False,
            note=f"partly applied: product {found.handle} ({found.product_id}) exists but is "
            "not published; re-running its thread completes it",
        )
    return Resolution(
        applied=True, result=found.result(), note=f"applied: {found.handle} is published"
    )


RESOLVERS: Mapping[str, Resolver] = {PUBLISH_TOOL: _listing}
