"""Per-tool resolvers for the effects sweeper (``host.effects_sweep``): each asks a write's
service whether a write left STARTED landed. One module per family of services."""

from __future__ import annotations

from collections.abc import Mapping

from host.effect_resolvers import github_catalog, product, services, shopify
from host.effect_resolvers.base import Resolution, Resolver

RESOLVERS: Mapping[str, Resolver] = {
    **product.RESOLVERS,
    **shopify.RESOLVERS,
    **services.RESOLVERS,
    **github_catalog.RESOLVERS,
}
"""Tool name (as the effects ledger records it) to the resolver that checks its service."""

__all__ = ["RESOLVERS", "Resolution", "Resolver"]
