"""Validation and application of the product input fields the product mutations share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tools.sandbox.shopify.models import MediaImage, Metafield, Product, ProductVariant
from tools.sandbox.shopify.resolvers.common import user_error
from tools.sandbox.shopify.store import ShopifyStore

MAX_OPTIONS = 3
MAX_VARIANTS = 2048
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)

FieldPath = list[str | int]


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def validate_media(media: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    errors = []
    for index, item in enumerate(media or ()):
        if not _URL.match(item["originalSource"]):
            errors.append(user_error(["media", index, "originalSource"], "Image URL is invalid"))
    return errors


def validate_metafields(
    metafields: Sequence[dict[str, Any]] | None, prefix: FieldPath, code: str | None = None
) -> list[dict[str, Any]]:
    errors = []
    for index, metafield in enumerate(metafields or ()):
        for name in ("namespace", "key", "type", "value"):
            if metafield.get(name) is None and metafield.get("id") is None:
                errors.append(
                    user_error(
                        [*prefix, "metafields", index, name],
                        f"{name.capitalize()} can't be blank",
                        code,
                    )
                )
    return errors


def apply_common(product: Product, data: dict[str, Any]) -> None:
    """Scalar and simple list fields shared by the product inputs; absent keys stay as they are."""
    simple = {
        "title": "title",
        "descriptionHtml": "description_html",
        "vendor": "vendor",
        "productType": "product_type",
        "status": "status",
        "templateSuffix": "template_suffix",
        "category": "category",
    }
    for key, attribute in simple.items():
        if data.get(key) is not None:
            setattr(product, attribute, data[key].strip() if key == "title" else data[key])
    if data.get("tags") is not None:
        product.tags = sorted(
            {t.strip() for tag in data["tags"] for t in tag.split(",") if t.strip()}
        )
    if data.get("seo") is not None:
        product.seo_title = data["seo"].get("title", product.seo_title)
        product.seo_description = data["seo"].get("description", product.seo_description)


def upsert_metafields(
    shop: ShopifyStore, product: Product, items: Sequence[dict[str, Any]]
) -> None:
    for item in items:
        existing = next(
            (
                m
                for m in product.metafields
                if m.namespace == item.get("namespace") and m.key == item.get("key")
            ),
            None,
        )
        if existing is not None:
            existing.value = item.get("value") or existing.value
            existing.type = item.get("type") or existing.type
        else:
            product.metafields.append(
                Metafield(
                    shop.next_number("Metafield"),
                    item.get("namespace") or "custom",
                    item.get("key") or "",
                    item.get("value") or "",
                    item.get("type") or "single_line_text_field",
                )
            )


def add_media(shop: ShopifyStore, product: Product, media: Sequence[dict[str, Any]] | None) -> None:
    for item in media or ():
        product.media.append(
            MediaImage(
                shop.next_number("MediaImage"),
                item["originalSource"],
                item.get("alt"),
                item["mediaContentType"],
            )
        )


def option_spec(options: Sequence[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [
        (o["name"].strip(), [v["name"].strip() for v in o.get("values") or ()]) for o in options
    ]


def validate_options(
    options: Sequence[dict[str, Any]], prefix: FieldPath, code: bool
) -> list[dict[str, Any]]:
    def err(path: FieldPath, message: str, error_code: str) -> dict[str, Any]:
        return user_error(path, message, error_code if code else None)

    errors = []
    if len(options) > MAX_OPTIONS:
        errors.append(
            err([*prefix], "Can only specify a maximum of 3 options", "OPTIONS_OVER_LIMIT")
        )
    seen: set[str] = set()
    for index, option in enumerate(options):
        name = (option.get("name") or "").strip()
        if not name:
            errors.append(
                err([*prefix, index, "name"], "Option name can't be blank", "INVALID_INPUT")
            )
            continue
        if name.casefold() in seen:
            errors.append(
                err(
                    [*prefix, index, "name"],
                    f"Duplicated option name '{name}'.",
                    "DUPLICATED_OPTION_NAME",
                )
            )
        seen.add(name.casefold())
        values = [(v.get("name") or "").strip() for v in option.get("values") or ()]
        if not values or any(not v for v in values):
            errors.append(
                err(
                    [*prefix, index, "values"],
                    "Each option must have at least one option value specified.",
                    "OPTION_VALUES_MISSING",
                )
            )
        elif len({v.casefold() for v in values}) != len(values):
            errors.append(
                err(
                    [*prefix, index, "values"],
                    "Duplicated option value.",
                    "DUPLICATED_OPTION_VALUE",
                )
            )
    return errors


def update_variant(variant: ProductVariant, data: dict[str, Any], at: datetime) -> None:
    """Apply the fields present in a variant input to an existing variant."""
    if data.get("price") is not None:
        variant.price = data["price"]
    if "compareAtPrice" in data:
        variant.compare_at_price = data["compareAtPrice"]
    if data.get("barcode") is not None:
        variant.barcode = data["barcode"]
    if data.get("inventoryPolicy") is not None:
        variant.inventory_policy = data["inventoryPolicy"]
    if data.get("taxable") is not None:
        variant.taxable = data["taxable"]
    item = variant.inventory_item
    if data.get("sku") is not None:
        item.sku = data["sku"]
    item_data = data.get("inventoryItem") or {}
    if item_data.get("sku") is not None:
        item.sku = item_data["sku"]
    if "cost" in item_data:
        item.unit_cost = item_data["cost"]
    if item_data.get("tracked") is not None:
        item.tracked = item_data["tracked"]
    if item_data.get("requiresShipping") is not None:
        item.requires_shipping = item_data["requiresShipping"]
    if item_data.get("countryCodeOfOrigin") is not None:
        item.country_code_of_origin = item_data["countryCodeOfOrigin"]
    if item_data.get("harmonizedSystemCode") is not None:
        item.harmonized_system_code = item_data["harmonizedSystemCode"]
    item.updated_at = at
    variant.updated_at = at
