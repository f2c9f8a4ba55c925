"""Admin API access tokens: one static sandbox token, client-credentials grants, and the
authorization-code (OAuth install) flow.

Issued tokens expire after a configurable lifetime (Shopify's are about 24 hours) and can all be
revoked at once, so tests can drive a client through "401, fetch a new token, retry". Tokens of
an OAuth install are offline tokens: they do not expire. Every accepted request is counted per
kind of token, so a test can see which credential a client used.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

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


CODE_LIFETIME = 600.0
"""Seconds an authorization code stays exchangeable (once)."""


class TokenRegistry:
    """Which access tokens the sandbox accepts right now."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._issued: dict[str, float] = {}
        self._offline: set[str] = set()
        self._codes: dict[str, tuple[float, str]] = {}
        self.uses: Counter[str] = Counter()
        self.lifetime: float = DEFAULT_TOKEN_LIFETIME

    def reset(self) -> None:
        with self._lock:
            self._issued.clear()
            self._offline.clear()
            self._codes.clear()
            self.uses.clear()
            self.lifetime = DEFAULT_TOKEN_LIFETIME

    def new_code(self, scope: str) -> str:
        """An authorization code for an approved install, exchangeable once."""
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = (self._clock() + CODE_LIFETIME, scope)
        return code

    def exchange(self, code: str) -> tuple[str, str] | None:
        """An offline token and its scope for ``code``; None when unknown, used or expired."""
        with self._lock:
            found = self._codes.pop(code, None)
            if found is None or self._clock() >= found[0]:
                return None
            token = f"shpat_oauth_{secrets.token_hex(16)}"
            self._offline.add(token)
            return token, found[1]

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
            self.uses["static"] += 1
            return True
        with self._lock:
            if token in self._offline:
                self.uses["oauth"] += 1
                return True
            expires = self._issued.get(token)
            if expires is None:
                return False
            if self._clock() >= expires:
                del self._issued[token]
                return False
            self.uses["client_credentials"] += 1
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


def signed_callback_query(params: Mapping[str, str], secret: str = CLIENT_SECRET) -> str:
    """A callback query string signed as Shopify signs it: hex HMAC-SHA256 of the sorted
    ``key=value`` pairs joined by ``&``, under the app's client secret."""
    message = "&".join(f"{key}={value}" for key, value in sorted(params.items()))
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode({**params, "hmac": digest})
