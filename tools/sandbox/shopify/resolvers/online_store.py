"""Collections, themes and theme files: queries, ``collectionUpdate`` and the theme mutations.

``collectionUpdate`` writes a collection's title, ``descriptionHtml`` and ``seo``; a field left
out of the input stays as it is.

``themeDuplicate`` copies a theme as UNPUBLISHED, ``themeFilesUpsert`` writes up to 50 files
(TEXT or BASE64 bodies) to a theme that is not MAIN-locked, ``themePublish`` makes a theme MAIN
and the previous MAIN UNPUBLISHED. Products are in collections by global id; ``productSet``'s
``files`` replace a product's media, and an image whose host cannot resolve (the reserved
``.invalid`` top-level domain) ends FAILED as Shopify reports unreachable sources.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlsplit

from tools.sandbox.shopify.ids import parse_gid
from tools.sandbox.shopify.models import MediaImage, Product
from tools.sandbox.shopify.online_store import (
    MAX_UPSERT_FILES,
    Collection,
    OnlineStoreTheme,
    OnlineStoreThemeFile,
)
from tools.sandbox.shopify.pagination import Connection
from tools.sandbox.shopify.resolvers.catalog_types import plain_text
from tools.sandbox.shopify.resolvers.common import (
    Info,
    RequestContext,
    connection,
    number_or_none,
    resolves,
    store,
    user_error,
)
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation
from tools.sandbox.shopify.resolvers.product_input import blank
from tools.sandbox.shopify.store import ShopifyStore


def media_status(url: str) -> str:
    """READY when Shopify could fetch the source; FAILED for a host that cannot resolve."""
    host = urlsplit(url).hostname or ""
    return "FAILED" if not host or host.endswith(".invalid") else "READY"


def set_files(shop: ShopifyStore, product: Product, files: list[dict[str, Any]]) -> None:
    """``productSet(input: {files})``: the product's media become exactly these files."""
    existing = {m.url: m for m in product.media}
    media: list[MediaImage] = []
    for item in files:
        source = item.get("originalSource") or ""
        kept = existing.get(source)
        if kept is not None:
            kept.alt = item.get("alt", kept.alt)
            media.append(kept)
            continue
        image = MediaImage(shop.next_number("MediaImage"), source, item.get("alt"), "IMAGE")
        image.status = media_status(source)
        media.append(image)
    product.media = media


# --- collections ---------------------------------------------------------------------------


@resolves("Product", "collections")
def product_collections(product: Product, info: Info, **args: Any) -> Connection[Any]:
    shop = store(info)
    members = [
        shop.collections[number]
        for gid in product.collections
        if (number := number_or_none(gid, "Collection")) in shop.collections
    ]
    return connection(members, args, lambda c: (c.number, c.number))


@resolves("Query", "collections")
def resolve_collections(_root: Any, info: Info, **args: Any) -> Connection[Any]:
    query = (args.pop("query", None) or "").strip()
    items = list(store(info).collections.values())
    if query.startswith("handle:"):
        wanted = query.removeprefix("handle:").strip("'\" ")
        items = [c for c in items if c.handle == wanted]
    return connection(items, args, lambda c: (c.number, c.number))


@resolves("Query", "collection")
def resolve_collection(_root: Any, info: Info, id: str) -> Collection | None:
    number = number_or_none(id, "Collection")
    return store(info).collections.get(number) if number is not None else None


@resolves("Collection", "description")
def collection_description(
    collection: Collection, _info: Info, truncateAt: int | None = None
) -> str:
    return plain_text(collection.description_html, truncateAt)


@resolves("Collection", "seo")
def collection_seo(collection: Collection, _info: Info) -> dict[str, Any]:
    return {"title": collection.seo_title, "description": collection.seo_description}


@resolves("Collection", "products")
def collection_products(collection: Collection, info: Info, **args: Any) -> Connection[Any]:
    members = [p for p in store(info).products.values() if collection.id in p.collections]
    return connection(members, args, lambda p: (p.number, p.number))


@mutation("collectionUpdate")
def collection_update(ctx: RequestContext, input: dict[str, Any]) -> Payload:
    shop = ctx.store
    if input.get("id") is None:
        return {
            "collection": None,
            "job": None,
            "userErrors": [user_error(["id"], "id is required")],
        }
    number = number_or_none(input["id"], "Collection")
    target = shop.collections.get(number) if number is not None else None
    if target is None:
        error = user_error(["id"], "Collection does not exist")
        return {"collection": None, "job": None, "userErrors": [error]}
    if "title" in input and blank(input["title"]):
        error = user_error(["title"], "Title can't be blank")
        return {"collection": None, "job": None, "userErrors": [error]}
    if input.get("title") is not None:
        target.title = input["title"]
    if "descriptionHtml" in input:
        target.description_html = input["descriptionHtml"] or ""
    seo = input.get("seo")
    if seo is not None:
        target.seo_title = seo.get("title", target.seo_title)
        target.seo_description = seo.get("description", target.seo_description)
    return {"collection": target, "job": None, "userErrors": []}


# --- themes --------------------------------------------------------------------------------


def _theme(shop: ShopifyStore, theme_id: str) -> OnlineStoreTheme | None:
    kind, number = parse_gid(theme_id)
    return shop.themes.get(number) if kind == "OnlineStoreTheme" else None


@resolves("Query", "themes")
def resolve_themes(_root: Any, info: Info, **args: Any) -> Connection[Any]:
    roles, names = args.pop("roles", None), args.pop("names", None)
    items = [
        t
        for t in store(info).themes.values()
        if (not roles or t.role in roles) and (not names or t.name in names)
    ]
    return connection(items, args, lambda t: (t.number, t.number))


@resolves("Query", "theme")
def resolve_theme(_root: Any, info: Info, id: str) -> OnlineStoreTheme | None:
    return _theme(store(info), id)


@resolves("OnlineStoreTheme", "processingFailed")
def theme_processing_failed(_theme: OnlineStoreTheme, _info: Info) -> bool:
    return False


@resolves("OnlineStoreTheme", "themeStoreId")
def theme_store_id(_theme: OnlineStoreTheme, _info: Info) -> None:
    return None


@resolves("OnlineStoreTheme", "files")
def theme_files(theme: OnlineStoreTheme, _info: Info, **args: Any) -> dict[str, Any]:
    wanted = args.pop("filenames", None)
    missing: list[dict[str, str]] = []
    if wanted:
        files = [theme.files[name] for name in wanted if name in theme.files]
        missing = [{"filename": n, "code": "NOT_FOUND"} for n in wanted if n not in theme.files]
    else:
        files = list(theme.files.values())
    page = connection(sorted(files, key=lambda f: f.filename), args)
    return {
        "edges": page.edges,
        "nodes": page.nodes,
        "pageInfo": page.page_info,
        "userErrors": missing,
    }


@resolves("OnlineStoreThemeFile", "body")
def theme_file_body(file: OnlineStoreThemeFile, _info: Info) -> dict[str, Any]:
    return {"__typename": "OnlineStoreThemeFileBodyText", "content": file.content}


@mutation("themeDuplicate")
def theme_duplicate(ctx: RequestContext, id: str, name: str | None = None) -> Payload:
    shop = ctx.store
    source = _theme(shop, id)
    if source is None:
        return {"newTheme": None, "userErrors": [user_error(["id"], "Theme does not exist")]}
    now = shop.now()
    copy = OnlineStoreTheme(
        shop.next_number("OnlineStoreTheme"),
        name or f"Copy of {source.name}",
        "UNPUBLISHED",
        now,
        now,
    )
    copy.files = {
        filename: OnlineStoreThemeFile(filename, file.content, now, now)
        for filename, file in source.files.items()
    }
    shop.themes[copy.number] = copy
    return {"newTheme": copy, "userErrors": []}


def _body(body: dict[str, Any]) -> str | None:
    value = body.get("value") or ""
    if body.get("type") == "TEXT":
        return str(value)
    if body.get("type") == "BASE64":
        try:
            return base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None  # URL bodies need a fetch the sandbox does not make


@mutation("themeFilesUpsert")
def theme_files_upsert(ctx: RequestContext, themeId: str, files: list[dict[str, Any]]) -> Payload:
    shop = ctx.store
    theme = _theme(shop, themeId)
    if theme is None:
        error = {**user_error(["themeId"], "Theme does not exist"), "code": "NOT_FOUND"}
        return {"job": None, "upsertedThemeFiles": None, "userErrors": [error]}
    if len(files) > MAX_UPSERT_FILES:
        message = f"You can upsert a maximum of {MAX_UPSERT_FILES} files per request."
        error = {**user_error(["files"], message), "code": "TOO_MANY_UPDATES"}
        return {"job": None, "upsertedThemeFiles": None, "userErrors": [error]}
    errors: list[dict[str, Any]] = []
    now = shop.now()
    written: list[OnlineStoreThemeFile] = []
    for index, item in enumerate(files):
        content = _body(item["body"])
        if content is None:
            errors.append(
                {
                    **user_error(["files", index, "body"], "The file body could not be read"),
                    "code": "FILE_VALIDATION_ERROR",
                    "filename": item["filename"],
                }
            )
            continue
        previous = theme.files.get(item["filename"])
        file = OnlineStoreThemeFile(
            item["filename"], content, previous.created_at if previous else now, now
        )
        theme.files[file.filename] = file
        written.append(file)
    theme.updated_at = now
    job = {"id": f"gid://shopify/Job/{shop.next_number('Job')}", "done": True}
    return {
        "job": job,
        "upsertedThemeFiles": written,
        "userErrors": errors,
        "_applied": bool(written),
    }


@mutation("themePublish")
def theme_publish(ctx: RequestContext, id: str) -> Payload:
    shop = ctx.store
    theme = _theme(shop, id)
    if theme is None:
        error = {**user_error(["id"], "Theme does not exist"), "code": "NOT_FOUND"}
        return {"theme": None, "userErrors": [error]}
    if theme.role not in ("UNPUBLISHED", "DEVELOPMENT", "MAIN"):
        error = {
            **user_error(["id"], f"A {theme.role.lower()} theme cannot be published"),
            "code": "INVALID_THEME_ROLE_FOR_PUBLISHING",
        }
        return {"theme": None, "userErrors": [error]}
    now = shop.now()
    for other in shop.themes.values():
        if other.role == "MAIN" and other is not theme:
            other.role = "UNPUBLISHED"
            other.updated_at = now
    theme.role = "MAIN"
    theme.updated_at = now
    return {"theme": theme, "userErrors": []}
