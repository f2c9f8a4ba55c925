"""productSet: create or update a product with its options and variants replaced as a whole."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tools.sandbox.shopify.ids import parse_gid
from tools.sandbox.shopify.models import Product, ProductVariant, VariantSpec
from tools.sandbox.shopify.resolvers.common import (
    Info,
    RequestContext,
    number_or_none,
    resolves,
    store,
    user_error,
)
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation
from tools.sandbox.shopify.resolvers.online_store import set_files
from tools.sandbox.shopify.resolvers.product_input import (
    MAX_VARIANTS,
    FieldPath,
    apply_common,
    blank,
    option_spec,
    update_variant,
    upsert_metafields,
    validate_metafields,
    validate_options,
)
from tools.sandbox.shopify.store import ShopifyStore, slugify


def _set_error(path: FieldPath, message: str, code: str) -> dict[str, Any]:
    return user_error(path, message, code)


def _variant_combination(
    variant: dict[str, Any], options: list[tuple[str, list[str]]], index: int
) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The (option, value) pairs a ProductVariantSetInput selects, in option order."""
    errors = []
    chosen: dict[str, str] = {}
    names = {name.casefold(): name for name, _ in options}
    for j, value in enumerate(variant["optionValues"]):
        path: FieldPath = ["input", "variants", index, "optionValues", j]
        option_name = value.get("optionName")
        if option_name is None or option_name.strip().casefold() not in names:
            errors.append(_set_error(path, "Option does not exist", "OPTION_DOES_NOT_EXIST"))
            continue
        name = names[option_name.strip().casefold()]
        allowed = dict(options)[name]
        value_name = (value.get("name") or "").strip()
        if value_name not in allowed:
            errors.append(
                _set_error(path, "Option value does not exist", "OPTION_VALUE_DOES_NOT_EXIST")
            )
            continue
        chosen[name] = value_name
    if not errors and len(chosen) != len(options):
        errors.append(
            _set_error(
                ["input", "variants", index, "optionValues"],
                "Variant must have a value for every product option",
                "INVALID_VARIANT",
            )
        )
    return [(name, chosen[name]) for name, _ in options if name in chosen], errors


def _validate_set_variants(
    shop: ShopifyStore,
    target: Product | None,
    variants: list[dict[str, Any]],
    options: list[tuple[str, list[str]]],
) -> tuple[list[list[tuple[str, str]]], list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    combos: list[list[tuple[str, str]]] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    if len(variants) > MAX_VARIANTS:
        errors.append(
            _set_error(
                ["input", "variants"],
                "Number of product variants exceeds shop limit.",
                "VARIANTS_OVER_LIMIT",
            )
        )
    for index, variant in enumerate(variants):
        prefix: FieldPath = ["input", "variants", index]
        combo, combo_errors = _variant_combination(variant, options, index)
        errors.extend(combo_errors)
        combos.append(combo)
        if not combo_errors:
            if tuple(combo) in seen:
                title = " / ".join(v for _, v in combo)
                errors.append(
                    _set_error(prefix, f"The variant '{title}' already exists.", "INVALID_VARIANT")
                )
            seen.add(tuple(combo))
        if variant.get("id") is not None:
            number = number_or_none(variant["id"], "ProductVariant")
            if target is None or number not in {v.number for v in target.variants}:
                errors.append(
                    _set_error(
                        [*prefix, "id"],
                        "Product variant does not exist",
                        "PRODUCT_VARIANT_DOES_NOT_EXIST",
                    )
                )
        for field in ("price", "compareAtPrice"):
            if variant.get(field) is not None and variant[field] < 0:
                label = "Price" if field == "price" else "Compare at price"
                errors.append(
                    _set_error(
                        [*prefix, field],
                        f"{label} must be greater than or equal to 0",
                        "INVALID_VARIANT",
                    )
                )
        for k, quantity in enumerate(variant.get("inventoryQuantities") or ()):
            path: FieldPath = [*prefix, "inventoryQuantities", k]
            location = number_or_none(quantity["locationId"], "Location")
            if location not in shop.locations:
                errors.append(
                    _set_error([*path, "locationId"], "Location does not exist", "INVALID_VARIANT")
                )
            if quantity["name"] not in ("available", "on_hand"):
                errors.append(
                    _set_error(
                        [*path, "name"],
                        "Inventory quantity name must be either 'available' or 'on_hand'.",
                        "INVALID_INPUT",
                    )
                )
            if quantity["quantity"] < 0 and quantity["name"] == "on_hand":
                errors.append(
                    _set_error(
                        [*path, "quantity"], "The quantity can't be negative.", "INVALID_INPUT"
                    )
                )
    return combos, errors


def _given(data: dict[str, Any], key: str, default: Any) -> Any:
    value = data.get(key)
    return default if value is None else value


def _spec_from_input(variant: dict[str, Any], combo: list[tuple[str, str]]) -> VariantSpec:
    item: dict[str, Any] = variant.get("inventoryItem") or {}
    return VariantSpec(
        option_values=combo,
        price=_given(variant, "price", Decimal("0.00")),
        compare_at_price=variant.get("compareAtPrice"),
        sku=_given(variant, "sku", item.get("sku")),
        cost=item.get("cost"),
        barcode=variant.get("barcode"),
        inventory_policy=_given(variant, "inventoryPolicy", "DENY"),
        taxable=_given(variant, "taxable", True),
        tracked=_given(item, "tracked", True),
        requires_shipping=_given(item, "requiresShipping", True),
    )


def _set_quantities(shop: ShopifyStore, variant: ProductVariant, data: dict[str, Any]) -> None:
    item = variant.inventory_item
    for quantity in data.get("inventoryQuantities") or ():
        _, location = parse_gid(quantity["locationId"])
        level = item.levels.get(location)
        if level is None:
            level = item.levels[location] = shop.new_level(item, location, 0, shop.now())
        shop.set_quantity(level, quantity["name"], quantity["quantity"])


def _replace_variants(
    shop: ShopifyStore,
    product: Product,
    variants: list[dict[str, Any]],
    combos: list[list[tuple[str, str]]],
) -> None:
    """Make the product's variants exactly the given list, keeping ids where they match."""
    at = shop.now()
    by_id = {v.id: v for v in product.variants}
    by_combo = {tuple(v.selected_options): v for v in product.variants}
    kept: list[ProductVariant] = []
    for data, combo in zip(variants, combos, strict=True):
        existing = by_id.get(data["id"]) if data.get("id") else by_combo.get(tuple(combo))
        if existing is not None and existing not in kept:
            existing.selected_options = combo
            update_variant(existing, data, at)
            variant = existing
        else:
            variant = shop.add_variant(product, _spec_from_input(data, combo), at)
        _set_quantities(shop, variant, data)
        kept.append(variant)
    for variant in list(product.variants):
        if variant not in kept:
            shop.remove_variant(product, variant)
    product.variants = kept
    for position, variant in enumerate(kept, start=1):
        variant.position = position


@mutation("productSet")
def product_set(
    ctx: RequestContext,
    input: dict[str, Any],
    synchronous: bool = True,
    identifier: dict[str, Any] | None = None,
) -> Payload:
    shop = ctx.store
    data = input
    ident = identifier or {}
    errors: list[dict[str, Any]] = []

    def failed() -> Payload:
        return {"product": None, "productSetOperation": None, "userErrors": errors}

    target: Product | None = None
    handle = slugify(data["handle"]) if data.get("handle") is not None else None
    if ident.get("id") is not None:
        number = number_or_none(ident["id"], "Product")
        target = shop.products.get(number) if number is not None else None
        if target is None:
            errors.append(
                _set_error(
                    ["identifier", "id"],
                    "Resource matching the identifier was not found.",
                    "NOT_FOUND",
                )
            )
            return failed()
    elif ident.get("handle") is not None:
        target = shop.handle_owner(ident["handle"])
        if target is None:
            handle = handle or slugify(ident["handle"])
    if handle is not None:
        owner = shop.handle_owner(handle)
        if owner is not None and owner is not target:
            errors.append(
                _set_error(
                    ["input", "handle"],
                    "Handle already in use. Please provide a new handle.",
                    "HANDLE_NOT_UNIQUE",
                )
            )
    creating = target is None
    if (creating or "title" in data) and blank(data.get("title")):
        errors.append(_set_error(["input", "title"], "Title can't be blank", "INVALID_PRODUCT"))
    options_in, variants_in = data.get("productOptions"), data.get("variants")
    if variants_in is not None and options_in is None:
        errors.append(
            _set_error(
                ["input", "productOptions"],
                "Must specify product options when updating variants.",
                "PRODUCT_OPTIONS_INPUT_MISSING",
            )
        )
    if options_in is not None and variants_in is None:
        errors.append(
            _set_error(
                ["input", "variants"],
                "Must specify variants when updating options.",
                "VARIANTS_INPUT_MISSING",
            )
        )
    combos: list[list[tuple[str, str]]] = []
    if options_in is not None and variants_in is not None:
        option_errors = validate_options(options_in, ["input", "productOptions"], code=True)
        errors.extend(option_errors)
        if not option_errors:
            combos, variant_errors = _validate_set_variants(
                shop, target, variants_in, option_spec(options_in)
            )
            errors.extend(variant_errors)
    errors.extend(validate_metafields(data.get("metafields"), ["input"], "INVALID_METAFIELD"))
    if errors:
        return failed()

    if target is None:
        title = data["title"].strip()
        target = shop.create_product(
            title=title,
            handle=handle or shop.unique_handle(slugify(title)),
            status=data.get("status") or "ACTIVE",
        )
    elif handle is not None:
        target.handle = handle
    apply_common(target, data)
    if options_in is not None and variants_in is not None:
        shop.set_options(target, option_spec(options_in))
        _replace_variants(shop, target, variants_in, combos)
    if data.get("collections") is not None:
        target.collections = list(data["collections"])
    if data.get("files") is not None:
        set_files(shop, target, data["files"])
    if data.get("metafields") is not None:
        target.metafields = []
        upsert_metafields(shop, target, data["metafields"])
    target.updated_at = shop.now()
    if synchronous:
        return {"product": target, "productSetOperation": None, "userErrors": []}
    operation_id = f"gid://shopify/ProductSetOperation/{shop.next_number('ProductSetOperation')}"
    operation: dict[str, Any] = {
        "id": operation_id,
        "status": "COMPLETE",
        "product": target,
        "userErrors": [],
        "__typename": "ProductSetOperation",
    }
    shop.product_operations[operation_id] = operation
    return {"product": None, "productSetOperation": operation, "userErrors": []}


@resolves("Query", "productOperation")
def resolve_product_operation(_root: Any, info: Info, id: str) -> Any:
    parse_gid(id)
    return store(info).product_operations.get(id)
