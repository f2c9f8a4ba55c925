"""Signature checks against the published vectors (shared/reference, section 2 and 3)."""

from __future__ import annotations

import pytest

from tools.webhooks import (
    SignatureError,
    verify_github_signature,
    verify_shopify_oauth_query,
    verify_shopify_webhook,
)

SHOPIFY_BODY = b'{"id":820982911946154508,"email":"jon@example.com"}'
SHOPIFY_HMAC = "D0UMXmhjwBRi4y66TmhJrDlhQABD7zI2fm3p6/QLMo8="
OAUTH_QUERY = (
    "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173"
)
OAUTH_HMAC = "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
OAUTH_STATE_HMAC = "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_shopify_webhook_vector() -> None:
    verify_shopify_webhook(SHOPIFY_BODY, SHOPIFY_HMAC, "hush")


@pytest.mark.parametrize(
    ("body", "header", "secret"),
    [
        (SHOPIFY_BODY + b" ", SHOPIFY_HMAC, "hush"),  # body changed by one byte
        (SHOPIFY_BODY, SHOPIFY_HMAC, "hush2"),  # wrong secret
        (SHOPIFY_BODY, None, "hush"),
        (SHOPIFY_BODY, "", "hush"),
        (SHOPIFY_BODY, SHOPIFY_HMAC.lower(), "hush"),  # base64 is case-sensitive
    ],
)
def test_shopify_webhook_rejects(body: bytes, header: str | None, secret: str) -> None:
    with pytest.raises(SignatureError):
        verify_shopify_webhook(body, header, secret)


def test_shopify_webhook_accepts_rotated_secret() -> None:
    verify_shopify_webhook(SHOPIFY_BODY, SHOPIFY_HMAC, ["new-secret", "hush"])


def test_empty_secret_is_refused_not_matched() -> None:
    with pytest.raises(SignatureError, match="no signing secret"):
        verify_shopify_webhook(SHOPIFY_BODY, SHOPIFY_HMAC, "")


def test_github_vector() -> None:
    verify_github_signature(b"Hello, World!", GITHUB_SIGNATURE, GITHUB_SECRET)


@pytest.mark.parametrize(
    "header",
    [None, "", GITHUB_SIGNATURE.removeprefix("sha256="), "sha1=" + "0" * 40, GITHUB_SIGNATURE[:-1]],
)
def test_github_rejects(header: str | None) -> None:
    with pytest.raises(SignatureError):
        verify_github_signature(b"Hello, World!", header, GITHUB_SECRET)


def test_shopify_oauth_vector() -> None:
    params = verify_shopify_oauth_query(
        f"{OAUTH_QUERY}&hmac={OAUTH_HMAC}", "hush", now=lambda: 1337178173 + 60
    )
    assert params == {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "shop": "some-shop.myshopify.com",
        "timestamp": "1337178173",
    }


def test_shopify_oauth_vector_with_state() -> None:
    query = OAUTH_QUERY.replace("&timestamp", "&state=0.6784241404160823&timestamp")
    params = verify_shopify_oauth_query(
        {**dict(p.split("=") for p in query.split("&")), "hmac": OAUTH_STATE_HMAC},
        "hush",
        expected_state="0.6784241404160823",
        now=lambda: 1337178173,
    )
    assert params["state"] == "0.6784241404160823"


@pytest.mark.parametrize(
    ("query", "now", "state", "reason"),
    [
        (f"{OAUTH_QUERY}&hmac={'0' * 64}", 1337178173, None, "does not match"),
        (OAUTH_QUERY, 1337178173, None, "missing hmac"),
        (f"{OAUTH_QUERY}&hmac={OAUTH_HMAC}", 1337178173 + 25 * 3600, None, "window"),
        (f"{OAUTH_QUERY}&hmac={OAUTH_HMAC}", 1337178173 - 3600, None, "window"),
        (f"{OAUTH_QUERY}&hmac={OAUTH_HMAC}", 1337178173, "other", "state"),
    ],
)
def test_shopify_oauth_rejects(query: str, now: float, state: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_shopify_oauth_query(query, "hush", expected_state=state, now=lambda: now)


def test_shopify_oauth_rejects_foreign_shop_even_when_signed() -> None:
    import hashlib
    import hmac

    message = "code=abc&shop=evil.example.com&timestamp=1337178173"
    digest = hmac.new(b"hush", message.encode(), hashlib.sha256).hexdigest()
    with pytest.raises(SignatureError, match="myshopify"):
        verify_shopify_oauth_query(f"{message}&hmac={digest}", "hush", now=lambda: 1337178173)
