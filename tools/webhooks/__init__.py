"""Signature checks for inbound webhooks and OAuth callbacks (constant time, before parsing)."""

from tools.webhooks.verify import (
    SignatureError,
    verify_github_signature,
    verify_shopify_oauth_query,
    verify_shopify_webhook,
    verify_zendesk_webhook,
)

__all__ = [
    "SignatureError",
    "verify_github_signature",
    "verify_shopify_oauth_query",
    "verify_shopify_webhook",
    "verify_zendesk_webhook",
]
