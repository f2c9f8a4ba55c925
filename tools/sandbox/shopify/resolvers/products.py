"""productCreate and productUpdate, with Shopify's validation and handle rules."""

from __future__ import annotations

from typing import Any

from tools.sandbox.shopify.resolvers.common import (
    RequestContext,
    number_or_none,
    user_error,
)
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation
from tools.sandbox.shopify.resolvers.product_input import (
    add_media,
    apply_common,
    blank,
    option_spec,
    upsert_metafields,
    validate_media,
    validate_metafields,
    validate_options,
)
from tools.sandbox.shopify.store import slugify


@mutation("productCreate")
def product_create(
    ctx: RequestContext,
    product: dict[str, Any] | None = None,
    media: list[dict[str, Any]] | None = None,
) -> Payload:
    shop = ctx.store
    data = product or {}
    errors: list[dict[str, Any]] = []
    if blank(data.get("title")):
        errors.append(user_error(["title"], "Title can't be blank"))
    handle = data.get("handle")
    if handle is not None:
        handle = slugify(handle)
        if shop.handle_owner(handle) is not None:
            errors.append(
                user_error(
                    ["handle"], f"Handle '{handle}' already in use. Please provide a new handle."
                )
            )
    if data.get("productOptions"):
        errors.extend(validate_options(data["productOptions"], ["productOptions"], code=False))
    errors.extend(validate_metafields(data.get("metafields"), []))
    errors.extend(validate_media(media))
    if errors:
        return {"product": None, "shop": shop.shop, "userErrors": errors}
    title = data["title"].strip()
    created = shop.create_product(
        title=title,
        handle=handle or shop.unique_handle(slugify(title)),
        status=data.get("status") or "ACTIVE",
        options=option_spec(data["productOptions"]) if data.get("productOptions") else None,
    )
    apply_common(created, data)
    created.collections = list(data.get("collectionsToJoin") or [])
    upsert_metafields(shop, created, data.get("metafields") or [])
    add_media(shop, created, media)
    return {"product": created, "shop": shop.shop, "userErrors": []}


# --- productUpdate --------------------------------------------------------------------------------


@mutation("productUpdate")
def product_update(
    ctx: RequestContext,
    product: dict[str, Any] | None = None,
    media: list[dict[str, Any]] | None = None,
) -> Payload:
    shop = ctx.store
    data = product or {}
    if data.get("id") is None:
        return {"product": None, "userErrors": [user_error(["id"], "Product id is required")]}
    number = number_or_none(data["id"], "Product")
    target = shop.products.get(number) if number is not None else None
    if target is None:
        return {"product": None, "userErrors": [user_error(["id"], "Product does not exist")]}
    errors: list[dict[str, Any]] = []
    if "title" in data and blank(data["title"]):
        errors.append(user_error(["title"], "Title can't be blank"))
    handle = data.get("handle")
    if handle is not None:
        handle = slugify(handle)
        owner = shop.handle_owner(handle)
        if owner is not None and owner is not target:
            errors.append(
                user_error(
                    ["handle"], f"Handle '{handle}' already in use. Please provide a new handle."
                )
            )
    errors.extend(validate_metafields(data.get("metafields"), []))
    errors.extend(validate_media(media))
    if errors:
        return {"product": None, "userErrors": errors}
    apply_common(target, data)
    if handle is not None:
        target.handle = handle
    join = [c for c in data.get("collectionsToJoin") or [] if c not in target.collections]
    leave = set(data.get("collectionsToLeave") or [])
    target.collections = [c for c in [*target.collections, *join] if c not in leave]
    upsert_metafields(shop, target, data.get("metafields") or [])
    add_media(shop, target, media)
    target.updated_at = shop.now()
    return {"product": target, "userErrors": []}
