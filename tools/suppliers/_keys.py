"""Idempotency keys as the order reference each supplier stores and de-duplicates on."""

from __future__ import annotations

import hashlib
import re

_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def order_reference(idempotency_key: str, *, max_length: int, prefix: str = "ro-") -> str:
    """The supplier-side order reference for ``idempotency_key``; the same key, the same reference.

    Short keys made of safe characters pass through unchanged (readable in the supplier's
    dashboard); anything longer or with other characters becomes a stable hash, because CJ's
    ``orderNumber`` and Printful's ``external_id`` are length-limited.
    """
    if not idempotency_key:
        raise ValueError("an idempotency key is required to place an order")
    if len(idempotency_key) <= max_length and _SAFE.match(idempotency_key):
        return idempotency_key
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
    return prefix + digest[: max_length - len(prefix)]
