"""The catalog on Shopify: products read as catalog files, and catalog files written back.

Reading maps a product to ``CatalogProduct`` (options, variants keyed by SKU, images by URL,
collections by handle, metafields) and keeps what the file does not hold but a write needs:
variant ids (so a write keeps the variants and their inventory), unit costs (for margin
checks), media that Shopify could not fetch, and the badge metafields the inventory guard owns.
Writing is one ``productSet`` with the product's whole state, which makes it repeatable: the
same file written twice leaves the product as the first write did.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.catalog.model import CatalogProduct
from tools.shopify import ShopifyClient
from tools.shopify.errors import ShopifyUserError, UserErrorDetail

STAGING_SUFFIX = "-royal-staging"
STAGING_PREFIX = "[staging] "
BADGE_NAMESPACE = "royal_badges"
"""Metafields the inventory guard writes for the staging theme; not part of the catalog."""
PAGE_SIZE = 3
MAX_VARIANTS = 25
DEFAULT_VARIANT = ("Title", "Default Title")

_FIELDS = """
fragment CatalogProductFields on Product {
  id
  handle
  title
  status
  vendor
  productType
  descriptionHtml
  tags
  hasOnlyDefaultVariant
  seo { title description }
  options { name values }
  variants(first: 25) {
    pageInfo { hasNextPage }
    nodes {
      id
      sku
      barcode
      price
      compareAtPrice
      inventoryPolicy
      inventoryQuantity
      selectedOptions { name value }
      inventoryItem { unitCost { amount } }
    }
  }
  media(first: 10) { nodes { ... on MediaImage { status alt image { url } } } }
  collections(first: 10) { nodes { handle } }
  metafields(first: 25) { nodes { namespace key type value } }
}
"""

PRODUCTS = (
    """
query CatalogProducts($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    nodes { ...CatalogProductFields }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + _FIELDS
)

PRODUCT = (
    """
query CatalogProduct($id: ID!) {
  product(id: $id) { ...CatalogProductFields }
}
"""
    + _FIELDS
)

PRODUCT_BY_HANDLE = (
    """
query CatalogProductByHandle($handle: String!) {
  productByIdentifier(identifier: {handle: $handle}) { ...CatalogProductFields }
}
"""
    + _FIELDS
)

COLLECTIONS = """
query CatalogCollections {
  collections(first: 250) { nodes { id handle } }
}
"""

PRODUCT_SET = """
mutation CatalogProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id handle updatedAt }
    userErrors { field message code }
  }
}
"""

BADGE = """
mutation CatalogBadge($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product { id }
    userErrors { field message }
  }
}
"""

DOCUMENTS = {
    "CatalogBadge": BADGE,
    "CatalogProducts": PRODUCTS,
    "CatalogProduct": PRODUCT,
    "CatalogProductByHandle": PRODUCT_BY_HANDLE,
    "CatalogCollections": COLLECTIONS,
    "CatalogProductSet": PRODUCT_SET,
}


class CatalogTooLargeError(ValueError):
    """A product beyond what one catalog file holds."""


class ShopProduct(BaseModel):
    """A Shopify product as a catalog file, with what a write and the checks need besides."""

    model_config = ConfigDict(frozen=True)

    id: str
    product: CatalogProduct
    variant_ids: dict[str, str] = Field(default_factory=dict)
    unit_costs: dict[str, Decimal] = Field(default_factory=dict)
    available: dict[str, int] = Field(default_factory=dict)
    failed_images: list[str] = Field(default_factory=list)
    badges: list[dict[str, str]] = Field(default_factory=list)


def is_staging(handle: str) -> bool:
    return handle.endswith(STAGING_SUFFIX)


def staging_handle(handle: str) -> str:
    return f"{handle}{STAGING_SUFFIX}"


def to_catalog(raw: Mapping[str, Any]) -> ShopProduct:
    """The GraphQL product as a catalog file plus the write-side details."""
    if raw["variants"]["pageInfo"]["hasNextPage"]:
        raise CatalogTooLargeError(
            f"{raw['handle']} has more than {MAX_VARIANTS} variants; the catalog file format "
            "holds at most that many per product"
        )
    variants = raw["variants"]["nodes"]
    default_only = bool(raw.get("hasOnlyDefaultVariant"))
    options = (
        [] if default_only else [{"name": o["name"], "values": o["values"]} for o in raw["options"]]
    )
    names = [o["name"] for o in options]
    catalog_variants: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    costs: dict[str, Decimal] = {}
    available: dict[str, int] = {}
    for node in variants:
        chosen = {s["name"]: s["value"] for s in node["selectedOptions"]}
        entry = {
            "sku": node.get("sku") or None,
            "options": {} if default_only else {name: chosen[name] for name in names},
            "price": node["price"],
            "compare_at_price": node.get("compareAtPrice"),
            "inventory_policy": node["inventoryPolicy"],
            "barcode": node.get("barcode") or None,
        }
        catalog_variants.append(entry)
    metafields = [m for m in raw["metafields"]["nodes"] if m["namespace"] != BADGE_NAMESPACE]
    product = CatalogProduct.model_validate(
        {
            "title": raw["title"],
            "handle": raw["handle"],
            "status": raw["status"],
            "vendor": raw.get("vendor") or "",
            "product_type": raw.get("productType") or "",
            "description": raw.get("descriptionHtml") or "",
            "seo": raw.get("seo") or {},
            "options": options,
            "variants": catalog_variants,
            "images": [
                {"url": m["image"]["url"], "alt": m.get("alt")}
                for m in raw["media"]["nodes"]
                if m.get("image")
            ],
            "tags": raw.get("tags") or [],
            "collections": [c["handle"] for c in raw["collections"]["nodes"]],
            "metafields": metafields,
        }
    )
    for variant, node in zip(product.variants, variants, strict=True):
        ids[variant.key] = node["id"]
        cost = (node.get("inventoryItem") or {}).get("unitCost")
        if cost is not None:
            costs[variant.key] = Decimal(str(cost["amount"]))
        if node.get("inventoryQuantity") is not None:
            available[variant.key] = int(node["inventoryQuantity"])
    return ShopProduct(
        id=raw["id"],
        product=product,
        variant_ids=ids,
        unit_costs=costs,
        available=available,
        failed_images=[
            m["image"]["url"]
            for m in raw["media"]["nodes"]
            if m.get("image") and m.get("status") == "FAILED"
        ],
        badges=[
            {k: m[k] for k in ("namespace", "key", "type", "value")}
            for m in raw["metafields"]["nodes"]
            if m["namespace"] == BADGE_NAMESPACE
        ],
    )


async def iter_products(shopify: ShopifyClient) -> AsyncIterator[ShopProduct]:
    """Every product of the store except staging copies, a page at a time."""
    cursor: str | None = None
    while True:
        data = await shopify.execute(PRODUCTS, {"first": PAGE_SIZE, "after": cursor})
        page = data["products"]
        for node in page["nodes"]:
            if not is_staging(node["handle"]):
                yield to_catalog(node)
        if not page["pageInfo"]["hasNextPage"]:
            return
        cursor = page["pageInfo"]["endCursor"]


async def get_product(shopify: ShopifyClient, product_id: str) -> ShopProduct | None:
    data = await shopify.execute(PRODUCT, {"id": product_id})
    raw = data.get("product")
    return None if raw is None else to_catalog(raw)


async def get_by_handle(shopify: ShopifyClient, handle: str) -> ShopProduct | None:
    data = await shopify.execute(PRODUCT_BY_HANDLE, {"handle": handle})
    raw = data.get("productByIdentifier")
    return None if raw is None else to_catalog(raw)


async def collection_ids(shopify: ShopifyClient) -> dict[str, str]:
    """Collection handle -> global id."""
    data = await shopify.execute(COLLECTIONS)
    return {c["handle"]: c["id"] for c in data["collections"]["nodes"]}


def set_input(
    product: CatalogProduct,
    *,
    collections: Mapping[str, str],
    variant_ids: Mapping[str, str] | None = None,
    badges: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """``ProductSetInput`` for the whole product; existing variants keep their ids."""
    options = product.options or []
    option_input = [
        {"name": o.name, "values": [{"name": v} for v in o.values]} for o in options
    ] or [{"name": DEFAULT_VARIANT[0], "values": [{"name": DEFAULT_VARIANT[1]}]}]
    variants = []
    for variant in product.variants:
        chosen = variant.options.items() if options else [DEFAULT_VARIANT]
        entry: dict[str, Any] = {
            "optionValues": [{"optionName": n, "name": v} for n, v in chosen],
            "price": f"{variant.price:.2f}",
            "compareAtPrice": None
            if variant.compare_at_price is None
            else f"{variant.compare_at_price:.2f}",
            "inventoryPolicy": variant.inventory_policy,
            "barcode": variant.barcode,
            "sku": variant.sku,
        }
        known = (variant_ids or {}).get(variant.key)
        if known is not None:
            entry["id"] = known
        variants.append(entry)
    return {
        "title": product.title,
        "handle": product.handle,
        "status": product.status,
        "vendor": product.vendor,
        "productType": product.product_type,
        "descriptionHtml": product.description,
        "tags": product.tags,
        "seo": {"title": product.seo.title, "description": product.seo.description},
        "productOptions": option_input,
        "variants": variants,
        "files": [
            {"originalSource": i.url, "alt": i.alt, "contentType": "IMAGE"} for i in product.images
        ],
        "collections": [collections[h] for h in product.collections if h in collections],
        "metafields": [
            *(m.model_dump() for m in product.metafields),
            *(dict(b) for b in badges),
        ],
    }


def staging_copy(product: CatalogProduct) -> CatalogProduct:
    """The unpublished draft a change is tried on first: own handle, marked title, no
    collections (a draft is on no sales channel and in no storefront list)."""
    return product.model_copy(
        update={
            "handle": staging_handle(product.handle),
            "title": f"{STAGING_PREFIX}{product.title}",
            "status": "DRAFT",
            "collections": [],
        }
    )


async def set_product(
    shopify: ShopifyClient, set_data: dict[str, Any], *, product_id: str | None
) -> str:
    """``productSet`` by id (an existing product) or by handle; returns the product id."""
    identifier = {"id": product_id} if product_id else {"handle": set_data["handle"]}
    data = await shopify.execute(PRODUCT_SET, {"input": set_data, "identifier": identifier})
    payload = data["productSet"]
    errors = payload.get("userErrors") or []
    if errors:
        raise ShopifyUserError("productSet", [UserErrorDetail.model_validate(e) for e in errors])
    return str(payload["product"]["id"])


async def set_low_stock_badge(shopify: ShopifyClient, product_id: str, variants: list[str]) -> None:
    """The badge metafield the staging theme's snippet reads (``royal_badges.low_stock``)."""
    metafield = {
        "namespace": BADGE_NAMESPACE,
        "key": "low_stock",
        "type": "single_line_text_field",
        "value": ", ".join(variants),
    }
    data = await shopify.execute(BADGE, {"product": {"id": product_id, "metafields": [metafield]}})
    errors = data["productUpdate"].get("userErrors") or []
    if errors:
        raise ShopifyUserError("productUpdate", [UserErrorDetail.model_validate(e) for e in errors])
