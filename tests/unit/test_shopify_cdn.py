"""Shopify CDN files are downloaded from the CDN, or from the sandbox when the client points
at it — and only CDN files are redirected."""

from __future__ import annotations

from tools.shopify.cdn import download_url
from tools.shopify.config import ShopifyConfig

PHOTO = "https://cdn.shopify.com/s/files/1/0000/0001/files/smart-jump-rope.jpg"


def test_a_real_store_downloads_from_shopifys_cdn() -> None:
    config = ShopifyConfig(shop_url="https://royal.myshopify.com", access_token="shpat_test")
    assert download_url(config, PHOTO) == PHOTO


def test_the_sandbox_serves_cdn_files_itself_and_nothing_else_is_redirected() -> None:
    config = ShopifyConfig(
        shop_url="http://127.0.0.1:8123/shopify", access_token="shpat_test", sandbox=True
    )
    assert download_url(config, PHOTO) == (
        "http://127.0.0.1:8123/_sandbox/shopify/cdn/s/files/1/0000/0001/files/smart-jump-rope.jpg"
    )
    other = "https://images.example.com/mug.png"
    assert download_url(config, other) == other
