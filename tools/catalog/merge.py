"""Field-level changes and the three-way merge of a product between Shopify and the repository.

A product flattens into fields a person can name: ``title``, ``seo.title``,
``variants[SKU].price``, ``metafields[custom.material]``, and whole-value fields for lists
whose items have no identity of their own (``options``, ``images``, ``tags``, ``collections``)
plus ``variants`` for which variants exist in which order. Both sides are compared with the
base (the last state both agreed on): a field changed on one side takes that side's value; a
field changed on both sides to different values is a conflict and keeps the base value, so
nothing is overwritten silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import JsonValue

from tools.catalog.model import CatalogProduct

_VARIANT_FIELDS = ("options", "price", "compare_at_price", "inventory_policy", "barcode", "sku")
_WHOLE = ("options", "images", "tags", "collections")
_SCALARS = ("title", "status", "vendor", "product_type", "description")

Fields = dict[str, JsonValue]


def flatten(product: CatalogProduct | None) -> Fields:
    """The product as named fields (an absent product has none)."""
    if product is None:
        return {}
    data = product.model_dump(mode="json")
    fields: Fields = {name: data[name] for name in (*_SCALARS, "handle")}
    fields["seo.title"] = data["seo"]["title"]
    fields["seo.description"] = data["seo"]["description"]
    for name in _WHOLE:
        fields[name] = data[name]
    fields["variants"] = [variant.key for variant in product.variants]
    for variant, dumped in zip(product.variants, data["variants"], strict=True):
        for name in _VARIANT_FIELDS:
            fields[f"variants[{variant.key}].{name}"] = dumped[name]
    for metafield in data["metafields"]:
        ref = f"{metafield['namespace']}.{metafield['key']}"
        fields[f"metafields[{ref}]"] = {"type": metafield["type"], "value": metafield["value"]}
    return fields


def unflatten(fields: Mapping[str, JsonValue]) -> CatalogProduct | None:
    """The product the fields describe; None when they describe no product."""
    if not fields:
        return None
    data: dict[str, Any] = {name: fields.get(name) for name in (*_SCALARS, "handle")}
    data["seo"] = {"title": fields.get("seo.title"), "description": fields.get("seo.description")}
    for name in _WHOLE:
        data[name] = fields.get(name) or []
    keys = fields.get("variants") or []
    data["variants"] = [
        {
            name: fields.get(f"variants[{key}].{name}")
            for name in _VARIANT_FIELDS
            if f"variants[{key}].{name}" in fields
        }
        for key in (keys if isinstance(keys, list) else [])
    ]
    data["metafields"] = [
        {"namespace": ref.rpartition(".")[0], "key": ref.rpartition(".")[2], **value}
        for name, value in sorted(fields.items())
        if name.startswith("metafields[") and isinstance(value, dict)
        for ref in [name.removeprefix("metafields[").removesuffix("]")]
    ]
    return CatalogProduct.model_validate(data)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: JsonValue
    after: JsonValue


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: JsonValue
    ours: JsonValue
    theirs: JsonValue


@dataclass(frozen=True)
class Merge:
    """The outcome for one product. ``ours`` is Shopify, ``theirs`` the repository."""

    merged: Fields
    conflicts: list[FieldConflict] = field(default_factory=list)
    from_ours: list[FieldChange] = field(default_factory=list)
    from_theirs: list[FieldChange] = field(default_factory=list)

    @property
    def product(self) -> CatalogProduct | None:
        return unflatten(self.merged)


def diff(before: CatalogProduct | None, after: CatalogProduct | None) -> list[FieldChange]:
    """Every field whose value differs, in a stable order."""
    old, new = flatten(before), flatten(after)
    return [
        FieldChange(name, old.get(name), new.get(name))
        for name in _ordered(old, new)
        if old.get(name) != new.get(name)
    ]


def three_way(
    base: CatalogProduct | None,
    ours: CatalogProduct | None,
    theirs: CatalogProduct | None,
    *,
    keep: Literal["base", "ours", "theirs"] = "base",
) -> Merge:
    """Merge field by field; fields changed on both sides to different values conflict and
    keep ``keep``'s value (the side being written keeps what it has)."""
    b, o, t = flatten(base), flatten(ours), flatten(theirs)
    merged: Fields = {}
    conflicts: list[FieldConflict] = []
    from_ours: list[FieldChange] = []
    from_theirs: list[FieldChange] = []
    for name in _ordered(b, o, t):
        was, mine, other = b.get(name), o.get(name), t.get(name)
        if mine == other:
            value = mine
        elif mine == was:
            value = other
            from_theirs.append(FieldChange(name, was, other))
        elif other == was:
            value = mine
            from_ours.append(FieldChange(name, was, mine))
        else:
            conflicts.append(FieldConflict(name, was, mine, other))
            value = {"base": was, "ours": mine, "theirs": other}[keep]
        if value is not None or name in b or name in o or name in t:
            merged[name] = value
    present = {k: v for k, v in merged.items() if v is not None or not k.startswith("variants[")}
    if all(present.get(name) is None for name in ("title", "handle")):
        present = {}
    return Merge(present, conflicts, from_ours, from_theirs)


def _ordered(*sides: Mapping[str, JsonValue]) -> list[str]:
    seen: dict[str, None] = {}
    for side in sides:
        seen.update(dict.fromkeys(side))
    return list(seen)
