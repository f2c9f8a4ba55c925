"""Where to download a Shopify CDN file from: Shopify's CDN, or the sandbox standing in for it.

The sandbox keeps Shopify's media URLs (``https://cdn.shopify.com/s/files/…``) so what the API
returns reads like Shopify's; a client pointed at the sandbox downloads them from the
sandbox's ``/_sandbox/shopify/cdn/`` instead, over loopback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tools.shopify.config import ShopifyConfig

CDN_HOST = "cdn.shopify.com"


def download_url(config: ShopifyConfig, url: str) -> str:
    """``url``, or its sandbox copy when ``config`` points at the sandbox."""
    parts = urlsplit(url)
    if not config.sandbox or parts.hostname != CDN_HOST:
        return url
    root = config.shop_url.rstrip("/").removesuffix("/shopify")
    return f"{root}/_sandbox/shopify/cdn/{parts.path.lstrip('/')}"
