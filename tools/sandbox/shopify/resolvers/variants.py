"""productVariantsBulkUpdate: price and attribute changes, all-or-nothing unless partial."""

from __future__ import annotations

from typing import Any

from tools.sandbox.shopify.models import Product, ProductVariant
from tools.sandbox.shopify.resolvers.common import RequestContext, number_or_none, user_error
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation
from tools.sandbox.shopify.resolvers.product_input import update_variant

_PRICE_LABELS = {"price": "Price", "compareAtPrice": "Compare at price"}


def _validate_entry(
    product: Product, index: int, data: dict[str, Any], claimed: set[int]
) -> tuple[ProductVariant | None, list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    if data.get("id") is None:
        return None, [
            user_error(
                ["variants", index, "id"],
                "Product variant is missing ID attribute",
                "PRODUCT_VARIANT_ID_MISSING",
            )
        ]
    number = number_or_none(data["id"], "ProductVariant")
    variant = next((v for v in product.variants if v.number == number), None)
    if variant is None:
        return None, [
            user_error(
                ["variants", index, "id"],
                "Product variant does not exist",
                "PRODUCT_VARIANT_DOES_NOT_EXIST",
            )
        ]
    if variant.number in claimed:
        errors.append(
            user_error(
                ["variants", index, "id"],
                "The variant is specified more than once.",
                "INVALID_INPUT",
            )
        )
    for field, label in _PRICE_LABELS.items():
        if data.get(field) is not None and data[field] < 0:
            errors.append(
                user_error(
                    ["variants", index, field],
                    f"{label} must be greater than or equal to 0",
                    "GREATER_THAN_OR_EQUAL_TO",
                )
            )
    if data.get("optionValues"):
        errors.extend(_validate_option_values(product, variant, index, data["optionValues"]))
    return variant, errors


def _validate_option_values(
    product: Product, variant: ProductVariant, index: int, values: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    errors = []
    names = {o.name.casefold(): o.name for o in product.options}
    selected = dict(variant.selected_options)
    for j, value in enumerate(values):
        option = (value.get("optionName") or "").strip().casefold()
        if option not in names:
            errors.append(
                user_error(
                    ["variants", index, "optionValues", j, "optionName"],
                    "Option does not exist",
                    "OPTION_DOES_NOT_EXIST",
                )
            )
            continue
        selected[names[option]] = (value.get("name") or "").strip()
    combo = [(o.name, selected[o.name]) for o in product.options if o.name in selected]
    if not errors and any(
        other is not variant and other.selected_options == combo for other in product.variants
    ):
        title = " / ".join(v for _, v in combo)
        errors.append(
            user_error(
                ["variants", index, "optionValues"],
                f"The variant '{title}' already exists.",
                "VARIANT_ALREADY_EXISTS",
            )
        )
    return errors


def _apply_option_values(
    ctx: RequestContext, product: Product, variant: ProductVariant, values: list[dict[str, Any]]
) -> None:
    selected = dict(variant.selected_options)
    for value in values:
        option = next(
            o
            for o in product.options
            if o.name.casefold() == value["optionName"].strip().casefold()
        )
        name = value["name"].strip()
        selected[option.name] = name
        if name not in {v.name for v in option.values}:
            specs = [(o.name, [v.name for v in o.values]) for o in product.options]
            ctx.store.set_options(
                product, [(n, [*vs, name] if n == option.name else vs) for n, vs in specs]
            )
    variant.selected_options = [(o.name, selected[o.name]) for o in product.options]


@mutation("productVariantsBulkUpdate")
def product_variants_bulk_update(
    ctx: RequestContext,
    productId: str,
    variants: list[dict[str, Any]],
    allowPartialUpdates: bool = False,
    media: list[dict[str, Any]] | None = None,
) -> Payload:
    shop = ctx.store
    number = number_or_none(productId, "Product")
    product = shop.products.get(number) if number is not None else None
    if product is None:
        error = user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
        return {"product": None, "productVariants": None, "userErrors": [error]}
    errors: list[dict[str, Any]] = []
    valid: list[tuple[ProductVariant, dict[str, Any]]] = []
    claimed: set[int] = set()
    for index, data in enumerate(variants):
        variant, entry_errors = _validate_entry(product, index, data, claimed)
        errors.extend(entry_errors)
        if variant is not None:
            claimed.add(variant.number)
            if not entry_errors:
                valid.append((variant, data))
    if errors and not allowPartialUpdates:
        return {"product": product, "productVariants": None, "userErrors": errors}
    at = shop.now()
    for variant, data in valid:
        update_variant(variant, data, at)
        if data.get("optionValues"):
            _apply_option_values(ctx, product, variant, data["optionValues"])
    if valid:
        product.updated_at = at
    return {
        "product": product,
        "productVariants": [variant for variant, _ in valid] or None,
        "userErrors": errors,
        "_applied": bool(valid),
    }
