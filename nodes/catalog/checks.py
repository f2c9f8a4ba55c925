"""The checks a product change must pass on its staging copy before it is promoted."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from nodes.catalog.models import Check
from tools.catalog.model import CatalogProduct


def margin_pct(product: CatalogProduct, unit_costs: Mapping[str, Decimal]) -> Decimal | None:
    """The lowest margin over the variants whose unit cost is known (None: none known)."""
    margins = [
        (variant.price - unit_costs[variant.key]) * 100 / variant.price
        for variant in product.variants
        if variant.key in unit_costs and variant.price > 0
    ]
    return min(margins).quantize(Decimal("0.01")) if margins else None


def product_checks(
    product: CatalogProduct,
    *,
    unit_costs: Mapping[str, Decimal],
    failed_images: Sequence[str],
    collections: Collection[str],
) -> list[Check]:
    missing = []
    if product.status == "ACTIVE" and not product.images:
        missing.append("an active product needs at least one image")
    missing += [f"{v.key} has no price" for v in product.variants if v.price <= 0]
    below = [
        f"{v.key} sells at {v.price:.2f}, under its unit cost {unit_costs[v.key]:.2f}"
        for v in product.variants
        if v.key in unit_costs and v.price <= unit_costs[v.key]
    ]
    margin = margin_pct(product, unit_costs)
    unknown = [h for h in product.collections if h not in collections]
    return [
        Check(name="required fields", passed=not missing, detail="; ".join(missing) or "present"),
        Check(
            name="prices vs margins",
            passed=not below,
            detail="; ".join(below)
            or (
                "lowest margin "
                + (f"{margin}%" if margin is not None else "unknown (no unit cost)")
            ),
        ),
        Check(
            name="images reachable",
            passed=not failed_images,
            detail="Shopify could not fetch " + ", ".join(failed_images)
            if failed_images
            else f"{len(product.images)} image(s) fetched",
        ),
        Check(
            name="collections exist",
            passed=not unknown,
            detail="unknown: " + ", ".join(unknown) if unknown else "all known",
        ),
    ]
