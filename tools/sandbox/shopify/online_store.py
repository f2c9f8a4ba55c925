"""The shop's online store beyond products: collections and themes with their files.

The seeded live theme (role MAIN) is a small Dawn-like theme whose files parse as Liquid;
themes are duplicated, written to (``themeFilesUpsert``) and published through the GraphQL API
as on Shopify, and only one theme is MAIN at a time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from tools.sandbox.shopify.models import MediaImage, gid

if TYPE_CHECKING:
    from tools.sandbox.shopify.store import ShopifyStore

LIVE_THEME = "Dawn"
IMAGE_CDN = "https://cdn.shopify.com/s/files/1/0000/0001/files"
MAX_UPSERT_FILES = 50


@dataclass
class Collection:
    number: int
    handle: str
    title: str
    description_html: str = ""
    seo_title: str | None = None
    seo_description: str | None = None

    @property
    def id(self) -> str:
        return gid("Collection", self.number)


@dataclass
class OnlineStoreThemeFile:
    filename: str
    content: str
    created_at: datetime
    updated_at: datetime

    @property
    def size(self) -> int:
        return len(self.content.encode())

    @property
    def checksum_md5(self) -> str:
        return hashlib.md5(self.content.encode(), usedforsecurity=False).hexdigest()

    @property
    def content_type(self) -> str:
        if self.filename.endswith(".json"):
            return "application/json"
        if self.filename.endswith(".css"):
            return "text/css"
        return "text/x-liquid" if self.filename.endswith(".liquid") else "text/plain"


@dataclass
class OnlineStoreTheme:
    """Named like the GraphQL type, so the ``Node`` interface resolves it."""

    number: int
    name: str
    role: str
    created_at: datetime
    updated_at: datetime
    files: dict[str, OnlineStoreThemeFile] = field(default_factory=dict)
    processing: bool = False

    @property
    def id(self) -> str:
        return gid("OnlineStoreTheme", self.number)

    @property
    def prefix(self) -> str:
        return f"/t/{self.number % 1000}"


LIVE_THEME_FILES: dict[str, str] = {
    "layout/theme.liquid": (
        '<!doctype html>\n<html lang="{{ request.locale.iso_code }}">\n<head>\n'
        "  <title>{{ page_title }}"
        "{% if current_page != 1 %} - {{ current_page }}{% endif %}</title>\n"
        "  {{ 'base.css' | asset_url | stylesheet_tag }}\n  {{ content_for_header }}\n</head>\n"
        "<body>\n  {% section 'header' %}\n  <main>{{ content_for_layout }}</main>\n"
        "</body>\n</html>\n"
    ),
    "sections/header.liquid": (
        '<header><a href="/">{{ shop.name }}</a></header>\n'
        '{% schema %}\n{"name": "Header", "settings": []}\n{% endschema %}\n'
    ),
    "sections/main-product.liquid": (
        "<h1>{{ product.title }}</h1>\n{% render 'price', product: product %}\n"
        "<div>{{ product.description }}</div>\n"
        "{% form 'product', product %}\n  <button type=\"submit\">Add to cart</button>\n"
        '{% endform %}\n{% schema %}\n{"name": "Product", "settings": []}\n{% endschema %}\n'
    ),
    "snippets/price.liquid": (
        '<span class="price">{{ product.price | money }}</span>\n'
        "{% if product.compare_at_price > product.price %}"
        "<s>{{ product.compare_at_price | money }}</s>{% endif %}\n"
    ),
    "templates/index.json": json.dumps({"sections": {}, "order": []}, indent=2) + "\n",
    "templates/product.json": json.dumps(
        {"sections": {"main": {"type": "main-product"}}, "order": ["main"]}, indent=2
    )
    + "\n",
    "templates/collection.json": json.dumps({"sections": {}, "order": []}, indent=2) + "\n",
    "config/settings_schema.json": json.dumps([{"name": "theme_info"}], indent=2) + "\n",
    "config/settings_data.json": json.dumps({"current": {}}, indent=2) + "\n",
    "locales/en.default.json": json.dumps({"general": {"cart": "Cart"}}, indent=2) + "\n",
    "assets/base.css": "body { font-family: Inter, sans-serif; }\n",
}

SEEDED_COLLECTIONS = (("fitness", "Fitness"), ("outdoor", "Outdoor"), ("home", "Home"))
BESTSELLERS = ("bestsellers", "Bestsellers")


def seed_online_store(store: ShopifyStore, now: datetime) -> None:
    """The live theme and the collections (by product type, plus best sellers by tag)."""
    theme = OnlineStoreTheme(store.next_number("OnlineStoreTheme"), LIVE_THEME, "MAIN", now, now)
    for filename, content in LIVE_THEME_FILES.items():
        theme.files[filename] = OnlineStoreThemeFile(filename, content, now, now)
    store.themes[theme.number] = theme
    for handle, title in (*SEEDED_COLLECTIONS, BESTSELLERS):
        collection = Collection(store.next_number("Collection"), handle, title)
        store.collections[collection.number] = collection
    by_handle = {c.handle: c for c in store.collections.values()}
    for product in store.products.values():
        product.media = [
            MediaImage(
                store.next_number("MediaImage"),
                f"{IMAGE_CDN}/{product.handle}.jpg",
                product.title,
                "IMAGE",
            )
        ]
        members = [product.product_type.lower()]
        if "bestseller" in product.tags:
            members.append(BESTSELLERS[0])
        product.collections = [by_handle[h].id for h in members if h in by_handle]
