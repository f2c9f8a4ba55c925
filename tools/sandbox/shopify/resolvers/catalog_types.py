"""Derived fields of the shop, products, variants, inventory and publications."""

from __future__ import annotations

import html
import re
from typing import Any

from tools.sandbox.shopify.errors import ShopifyError
from tools.sandbox.shopify.ids import parse_gid
from tools.sandbox.shopify.models import (
    DEFAULT_VARIANT_TITLE,
    QUANTITY_NAMES,
    InventoryItem,
    InventoryLevel,
    Location,
    MediaImage,
    Product,
    ProductVariant,
    Publication,
    Shop,
)
from tools.sandbox.shopify.pagination import Connection
from tools.sandbox.shopify.resolvers.common import (
    ZERO,
    Info,
    connection,
    count,
    first_n,
    money,
    resolves,
    shop_currency,
    store,
)
from tools.sandbox.shopify.resolvers.queries import total_inventory

# --- Shop -----------------------------------------------------------------------------------------


@resolves("Shop", "primaryDomain")
def shop_primary_domain(shop: Shop, _info: Info) -> dict[str, Any]:
    return {
        "id": "gid://shopify/Domain/1",
        "host": shop.myshopify_domain,
        "url": f"https://{shop.myshopify_domain}",
    }


@resolves("Shop", "plan")
def shop_plan(_shop: Shop, _info: Info) -> dict[str, Any]:
    return {"publicDisplayName": "Development", "partnerDevelopment": True, "shopifyPlus": False}


# --- Product --------------------------------------------------------------------------------------


def plain_text(description_html: str, truncate_at: int | None = None) -> str:
    """A ``descriptionHtml`` as the plain-text ``description`` Shopify derives from it."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", description_html))
    text = re.sub(r"\s+", " ", text).strip()
    if truncate_at is not None and len(text) > truncate_at:
        return text[: max(truncate_at - 3, 0)] + "..."
    return text


@resolves("Product", "description")
def product_description(product: Product, _info: Info, truncateAt: int | None = None) -> str:
    return plain_text(product.description_html, truncateAt)


@resolves("Product", "totalInventory")
def product_total_inventory(product: Product, _info: Info) -> int:
    return total_inventory(product)


@resolves("Product", "tracksInventory")
def product_tracks_inventory(product: Product, _info: Info) -> bool:
    return any(v.inventory_item.tracked for v in product.variants)


@resolves("Product", "hasOnlyDefaultVariant")
def product_has_only_default_variant(product: Product, _info: Info) -> bool:
    return len(product.variants) == 1 and product.variants[0].selected_options == [
        ("Title", DEFAULT_VARIANT_TITLE)
    ]


@resolves("Product", "publishedAt")
def product_published_at(product: Product, info: Info) -> Any:
    return product.publications.get(store(info).online_store.number)


@resolves("Product", "onlineStoreUrl")
def product_online_store_url(product: Product, info: Info) -> str | None:
    shop = store(info)
    if product.status != "ACTIVE" or shop.online_store.number not in product.publications:
        return None
    return f"https://{shop.shop.myshopify_domain}/products/{product.handle}"


@resolves("Product", "seo")
def product_seo(product: Product, _info: Info) -> dict[str, Any]:
    return {"title": product.seo_title, "description": product.seo_description}


@resolves("Product", "options")
def product_options(
    product: Product, _info: Info, first: int | None = None
) -> list[dict[str, Any]]:
    used = {pair for v in product.variants for pair in v.selected_options}
    return [
        {
            "id": option.id,
            "name": option.name,
            "position": option.position,
            "values": [v.name for v in option.values if (option.name, v.name) in used],
            "optionValues": [
                {"id": v.id, "name": v.name, "hasVariants": (option.name, v.name) in used}
                for v in option.values
            ],
        }
        for option in first_n(product.options, first)
    ]


@resolves("Product", "priceRangeV2")
def product_price_range(product: Product, info: Info) -> dict[str, Any]:
    prices = [v.price for v in product.variants] or [ZERO]
    currency = shop_currency(info)
    return {
        "minVariantPrice": money(min(prices), currency),
        "maxVariantPrice": money(max(prices), currency),
    }


@resolves("Product", "variants")
def product_variants(product: Product, _info: Info, **args: Any) -> Connection[ProductVariant]:
    sort = args.get("sortKey", "POSITION")
    if sort in ("ID",):
        return connection(product.variants, args, lambda v: (v.number, v.number))
    if sort in ("SKU",):
        return connection(product.variants, args, lambda v: (v.sku or "", v.number))
    if sort in ("TITLE", "FULL_TITLE", "NAME"):
        return connection(product.variants, args, lambda v: (variant_title(v), v.number))
    return connection(product.variants, args, lambda v: (v.position, v.number))


@resolves("Product", "variantsCount")
def product_variants_count(product: Product, _info: Info) -> dict[str, Any]:
    return count(len(product.variants))


@resolves("Product", "media")
def product_media(product: Product, _info: Info, **args: Any) -> Connection[Any]:
    return connection(product.media, args)


@resolves("Product", "metafields")
def product_metafields(product: Product, _info: Info, **args: Any) -> Connection[Any]:
    items = [
        m
        for m in product.metafields
        if (args.get("namespace") in (None, m.namespace))
        and (not args.get("keys") or f"{m.namespace}.{m.key}" in args["keys"])
    ]
    return connection(items, args)


@resolves("Product", "availablePublicationsCount")
def product_available_publications(product: Product, info: Info) -> dict[str, Any]:
    return count(len(store(info).publications))


@resolves("Product", "publishedOnCurrentPublication")
def product_published_on_current(product: Product, info: Info) -> bool:
    return store(info).online_store.number in product.publications


@resolves("Product", "publishedOnPublication")
def product_published_on(product: Product, _info: Info, publicationId: str) -> bool:
    kind, number = parse_gid(publicationId)
    return kind == "Publication" and number in product.publications


def _resource_publications(
    product: Product, info: Info, only_published: bool
) -> list[dict[str, Any]]:
    shop = store(info)
    items = []
    for publication in shop.publications.values():
        published = publication.number in product.publications
        if only_published and not published:
            continue
        items.append(
            {
                "isPublished": published and product.status == "ACTIVE",
                "publishDate": product.publications.get(publication.number, product.created_at),
                "publication": publication,
                "publishable": product,
            }
        )
    return items


@resolves("Product", "resourcePublications")
def product_resource_publications(product: Product, info: Info, **args: Any) -> Connection[Any]:
    return connection(_resource_publications(product, info, args.get("onlyPublished", True)), args)


@resolves("Product", "resourcePublicationsCount")
def product_resource_publications_count(
    product: Product, info: Info, onlyPublished: bool = True
) -> dict[str, Any]:
    return count(len(_resource_publications(product, info, onlyPublished)))


# --- ProductVariant and inventory -----------------------------------------------------------------


def variant_title(variant: ProductVariant) -> str:
    return " / ".join(value for _, value in variant.selected_options) or DEFAULT_VARIANT_TITLE


def variant_available(variant: ProductVariant) -> int:
    return sum(level.quantities["available"] for level in variant.inventory_item.levels.values())


@resolves("ProductVariant", "title")
def variant_title_field(variant: ProductVariant, _info: Info) -> str:
    return variant_title(variant)


@resolves("ProductVariant", "displayName")
def variant_display_name(variant: ProductVariant, info: Info) -> str:
    return f"{store(info).product_of(variant).title} - {variant_title(variant)}"


@resolves("ProductVariant", "availableForSale")
def variant_available_for_sale(variant: ProductVariant, info: Info) -> bool:
    if store(info).product_of(variant).status != "ACTIVE":
        return False
    return variant.inventory_policy == "CONTINUE" or variant_available(variant) > 0


@resolves("ProductVariant", "inventoryQuantity")
def variant_inventory_quantity(variant: ProductVariant, _info: Info) -> int:
    return variant_available(variant)


@resolves("ProductVariant", "selectedOptions")
def variant_selected_options(variant: ProductVariant, _info: Info) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in variant.selected_options]


@resolves("ProductVariant", "product")
def variant_product(variant: ProductVariant, info: Info) -> Product:
    return store(info).product_of(variant)


@resolves("InventoryItem", "unitCost")
def item_unit_cost(item: InventoryItem, info: Info) -> dict[str, Any] | None:
    return None if item.unit_cost is None else money(item.unit_cost, shop_currency(info))


@resolves("InventoryItem", "variant")
def item_variant(item: InventoryItem, info: Info) -> ProductVariant:
    return store(info).variants[item.variant_number]


def _location_number(location_id: str) -> int | None:
    kind, number = parse_gid(location_id)
    return number if kind == "Location" else None


@resolves("InventoryItem", "inventoryLevel")
def item_inventory_level(
    item: InventoryItem, _info: Info, locationId: str
) -> InventoryLevel | None:
    return item.levels.get(_location_number(locationId) or 0)


@resolves("InventoryItem", "inventoryLevels")
def item_inventory_levels(
    item: InventoryItem, _info: Info, **args: Any
) -> Connection[InventoryLevel]:
    levels = sorted(item.levels.values(), key=lambda level: level.location_number)
    return connection(levels, args, lambda level: (level.location_number, level.location_number))


@resolves("InventoryLevel", "item")
def level_item(level: InventoryLevel, info: Info) -> InventoryItem:
    return store(info).inventory_items[level.item_number]


@resolves("InventoryLevel", "location")
def level_location(level: InventoryLevel, info: Info) -> Location:
    return store(info).locations[level.location_number]


@resolves("InventoryLevel", "quantities")
def level_quantities(level: InventoryLevel, _info: Info, names: list[str]) -> list[dict[str, Any]]:
    unknown = [n for n in names if n not in QUANTITY_NAMES]
    if unknown:
        raise ShopifyError(
            f"The quantity name '{unknown[0]}' is not valid. Valid names are: "
            + ", ".join(QUANTITY_NAMES)
            + ".",
            "BAD_REQUEST",
        )
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{level.location_number}"
            f"?inventory_item_id={level.item_number}&name={name}",
            "name": name,
            "quantity": level.quantities[name],
            "updatedAt": level.updated_at,
        }
        for name in names
    ]


@resolves("Location", "address")
def location_address(location: Location, _info: Info) -> dict[str, Any]:
    return {
        "address1": location.address1,
        "city": location.city,
        "zip": location.zip,
        "countryCode": location.country_code,
        "formatted": [location.address1, f"{location.zip} {location.city}", location.country_code],
    }


@resolves("Location", "inventoryLevel")
def location_inventory_level(
    location: Location, info: Info, inventoryItemId: str
) -> InventoryLevel | None:
    kind, number = parse_gid(inventoryItemId)
    item = store(info).inventory_items.get(number) if kind == "InventoryItem" else None
    return None if item is None else item.levels.get(location.number)


@resolves("Publication", "publishedProductsCount")
def publication_products_count(publication: Publication, info: Info) -> Any:
    return count(sum(publication.number in p.publications for p in store(info).products.values()))


@resolves("Product", "featuredMedia")
def product_featured_media(product: Product, _info: Info) -> MediaImage | None:
    return product.media[0] if product.media else None


@resolves("MediaImage", "image")
def media_image(media: MediaImage, _info: Info) -> dict[str, Any]:
    return {"id": None, "url": media.url, "altText": media.alt, "width": None, "height": None}


# --- payload helpers ------------------------------------------------------------------------------


@resolves("InventoryAdjustmentGroup", "changes")
def adjustment_group_changes(
    group: dict[str, Any],
    _info: Info,
    inventoryItemIds: list[str] | None = None,
    locationIds: list[str] | None = None,
    quantityNames: list[str] | None = None,
) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = group["_changes"]
    return [
        change
        for change in changes
        if (inventoryItemIds is None or change["item"].id in inventoryItemIds)
        and (locationIds is None or change["location"].id in locationIds)
        and (quantityNames is None or change["name"] in quantityNames)
    ]
