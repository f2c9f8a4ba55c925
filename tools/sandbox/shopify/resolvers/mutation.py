"""Registration of mutation resolvers with the behaviour every mutation shares.

An applied mutation (no ``userErrors``, or a payload marked ``_applied``) is recorded in the
sandbox ledger once. With ``@idempotent(key:)`` a repeat of the same call returns the first
result without applying or recording again; the same key with other arguments is
``IDEMPOTENCY_KEY_PARAMETER_MISMATCH``. Failed attempts are not remembered, so a corrected
retry may reuse its key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.sandbox.shopify.idempotency import fingerprint, idempotency_key
from tools.sandbox.shopify.resolvers.common import RESOLVERS, Info, RequestContext, context

Payload = dict[str, Any]
MutationFunction = Callable[..., Payload]

SERVICE = "shopify"


def mutation(name: str) -> Callable[[MutationFunction], MutationFunction]:
    """Register ``function(ctx, **arguments) -> payload`` as the resolver of ``Mutation.name``."""

    def register(function: MutationFunction) -> MutationFunction:
        def resolve(_root: Any, info: Info, **args: Any) -> Payload:
            ctx: RequestContext = context(info)
            key = idempotency_key(info)
            call = fingerprint(name, args) if key is not None else ""
            if key is not None:
                replayed, previous = ctx.idempotency.replay(key, name, call)
                if replayed:
                    payload: Payload = previous
                    return payload
            payload = function(ctx, **args)
            # Partial updates apply some entries and still report userErrors for others.
            applied = payload.pop("_applied", not payload["userErrors"])
            if applied:
                ctx.ledger.record(SERVICE, name, key)
                if key is not None:
                    ctx.idempotency.remember(key, name, call, payload)
            return payload

        RESOLVERS[("Mutation", name)] = resolve
        return function

    return register
