"""HMAC verification for Shopify webhooks, Shopify OAuth callbacks and GitHub webhooks.

Every comparison is ``hmac.compare_digest`` on the raw bytes that were signed; callers verify
before they parse a body, so a forged payload never reaches a JSON parser or a graph.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import parse_qsl

_SHOP_DOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$")
OAUTH_MAX_AGE_SECONDS = 24 * 3600


class SignatureError(ValueError):
    """A signature or signed parameter did not check out; the message says which, not why."""


def _secrets(secret: str | Iterable[str]) -> list[bytes]:
    """One secret, or several while a rotated secret is still in use (Shopify: up to 1 hour)."""
    values = [secret] if isinstance(secret, str) else list(secret)
    keys = [value.encode() for value in values if value]
    if not keys:
        raise SignatureError("no signing secret is configured")
    return keys


def verify_shopify_webhook(body: bytes, header: str | None, secret: str | Iterable[str]) -> None:
    """Check ``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the raw body."""
    if not header:
        raise SignatureError("missing X-Shopify-Hmac-Sha256 header")
    given = header.strip().encode()
    for key in _secrets(secret):
        expected = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest())
        if hmac.compare_digest(expected, given):
            return
    raise SignatureError("Shopify webhook signature does not match")


def verify_github_signature(body: bytes, header: str | None, secret: str | Iterable[str]) -> None:
    """Check ``X-Hub-Signature-256``: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    if not header or not header.startswith("sha256="):
        raise SignatureError("missing or malformed X-Hub-Signature-256 header")
    given = header.strip().encode()
    for key in _secrets(secret):
        expected = b"sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest().encode()
        if hmac.compare_digest(expected, given):
            return
    raise SignatureError("GitHub webhook signature does not match")


def verify_shopify_oauth_query(
    query: str | Mapping[str, str],
    secret: str | Iterable[str],
    *,
    expected_state: str | None = None,
    max_age_seconds: int = OAUTH_MAX_AGE_SECONDS,
    now: Callable[[], float] = time.time,
) -> dict[str, str]:
    """Check an OAuth callback's query: hex HMAC, shop domain, timestamp age and state.

    Returns the verified parameters (without ``hmac``) so the caller uses only checked values.
    """
    pairs = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else query.items()
    params = dict(pairs)
    given = params.pop("hmac", "")
    if not given:
        raise SignatureError("missing hmac parameter")
    message = "&".join(f"{key}={value}" for key, value in sorted(params.items())).encode()
    if not any(
        hmac.compare_digest(hmac.new(key, message, hashlib.sha256).hexdigest(), given.lower())
        for key in _secrets(secret)
    ):
        raise SignatureError("OAuth callback hmac does not match")
    if not _SHOP_DOMAIN.match(params.get("shop", "")):
        raise SignatureError("shop is not a *.myshopify.com domain")
    try:
        timestamp = int(params["timestamp"])
    except (KeyError, ValueError):
        raise SignatureError("missing or malformed timestamp") from None
    if not 0 <= now() - timestamp <= max_age_seconds:
        raise SignatureError("OAuth callback timestamp is outside the accepted window")
    if expected_state is not None and not hmac.compare_digest(
        params.get("state", "").encode(), expected_state.encode()
    ):
        raise SignatureError("OAuth state does not match")
    return params


def verify_zendesk_webhook(
    body: bytes, header: str | None, timestamp: str | None, secret: str | Iterable[str]
) -> None:
    """Check ``X-Zendesk-Webhook-Signature``: base64 HMAC-SHA256 of the timestamp header's value
    followed by the raw body."""
    if not header or not timestamp:
        raise SignatureError("missing X-Zendesk-Webhook-Signature or its timestamp header")
    given = header.strip().encode()
    signed = timestamp.strip().encode() + body
    for key in _secrets(secret):
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
        if hmac.compare_digest(expected, given):
            return
    raise SignatureError("Zendesk webhook signature does not match")
