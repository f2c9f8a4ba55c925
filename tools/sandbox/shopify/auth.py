"""Admin API access tokens: one static sandbox token plus client-credentials grants.

Issued tokens expire after a configurable lifetime (Shopify's are about 24 hours) and can all be
revoked at once, so tests can drive a client through "401, fetch a new token, retry".
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

STATIC_TOKEN = "shpat_sandbox_token"
CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
DEFAULT_TOKEN_LIFETIME = 86_399
ACCESS_SCOPES = (
    "read_products,write_products,read_inventory,write_inventory,read_orders,write_orders,"
    "read_fulfillments,write_fulfillments,read_merchant_managed_fulfillment_orders,"
    "write_merchant_managed_fulfillment_orders,read_customers,read_discounts,write_discounts,"
    "read_publications,write_publications,read_locations"
)
INVALID_TOKEN_MESSAGE = (
    "[API] Invalid API key or access token (unrecognized login or wrong password)"
)


class TokenRegistry:
    """Which access tokens the sandbox accepts right now."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._issued: dict[str, float] = {}
        self.lifetime: float = DEFAULT_TOKEN_LIFETIME

    def reset(self) -> None:
        with self._lock:
            self._issued.clear()
            self.lifetime = DEFAULT_TOKEN_LIFETIME

    def issue(self) -> tuple[str, float]:
        """A new token and its lifetime in seconds."""
        token = f"shpat_cc_{secrets.token_hex(16)}"
        with self._lock:
            self._issued[token] = self._clock() + self.lifetime
            return token, self.lifetime

    def is_valid(self, token: str | None) -> bool:
        if not token:
            return False
        if secrets.compare_digest(token, STATIC_TOKEN):
            return True
        with self._lock:
            expires = self._issued.get(token)
            if expires is None:
                return False
            if self._clock() >= expires:
                del self._issued[token]
                return False
            return True

    def revoke_all(self) -> int:
        """Forget every issued token (the static one stays valid); returns how many."""
        with self._lock:
            count = len(self._issued)
            self._issued.clear()
            return count

    @property
    def issued_count(self) -> int:
        with self._lock:
            return len(self._issued)


def check_client(client_id: str | None, client_secret: str | None) -> bool:
    """Whether the client-credentials pair is the sandbox app's, compared in constant time."""
    return secrets.compare_digest(client_id or "", CLIENT_ID) and secrets.compare_digest(
        client_secret or "", CLIENT_SECRET
    )
