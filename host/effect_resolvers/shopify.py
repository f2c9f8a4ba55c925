"""Resolvers for Shopify writes: whether a write left STARTED shows in the shop.

Shopify keeps no record of the idempotency key a write carried, so each write is found by
what it left: a discount by its code (or its title and start), a refund or a fulfilment on its
order by its amount, note, items or tracking (made no earlier than the ledger claimed the
write), and a write that sets a state (prices, stock, product fields, SEO, publication) by
whether the shop's state now equals what the write set. Every resolver only reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, JsonValue

from host.effect_resolvers.base import Resolution, Resolver
from nodes.customer_service.actions import REFUND_TOOL
from nodes.customer_service.actions import RefundArgs as SupportRefundArgs
from nodes.marketing.seo import TOOL as BULK_SEO_TOOL
from nodes.marketing.seo import SeoBulkArgs
from nodes.marketing.seo_collections import applied as collection_reads_as
from nodes.marketing.seo_copy import SeoChange
from nodes.services import Services
from storage.effects import EffectRecord
from tools.agent_tools.definition import to_json
from tools.agent_tools.shopify_automatic_discounts import (
    CREATE_AUTOMATIC_DISCOUNT,
    AutomaticDiscountArgs,
)
from tools.agent_tools.shopify_discounts import CREATE_DISCOUNT, DiscountArgs
from tools.agent_tools.shopify_inventory import SET_INVENTORY, SetInventoryArgs
from tools.agent_tools.shopify_orders import (
    CREATE_FULFILLMENT,
    CREATE_REFUND,
    FulfillmentArgs,
    RefundArgs,
)
from tools.agent_tools.shopify_pricing import UPDATE_PRICES, UpdatePricesArgs
from tools.agent_tools.shopify_products import (
    PUBLISH_PRODUCT,
    SET_PRODUCT,
    UPDATE_PRODUCT,
    PublishArgs,
    SetProductArgs,
    UpdateProductArgs,
    option_key,
)
from tools.shopify import ShopifyClient
from tools.shopify.models import OrderFulfillment, OrderRefund, Product, ProductVariant

#: How far Shopify's clock may be behind ours: a refund, fulfilment or discount made by the
#: write is never older than the ledger's claim of it by more than this.
CLOCK_SKEW = timedelta(minutes=5)

A = TypeVar("A", bound=BaseModel)


def _args(record: EffectRecord, model: type[A]) -> A:
    """The write's arguments; a row from before the ledger kept them cannot be checked."""
    if record.args is None:
        raise LookupError(
            f"effect {record.idempotency_key} ({record.tool}) has no recorded arguments: "
            "check Shopify by hand"
        )
    return model.model_validate(record.args)


def _same_instant(a: datetime | None, b: datetime | None) -> bool:
    """Equal to the second (Shopify keeps timestamps to the second)."""
    if a is None or b is None:
        return a is b
    return a.replace(microsecond=0) == b.replace(microsecond=0)


def _not_older(made: datetime | None, record: EffectRecord) -> bool:
    return made is None or made >= record.created_at - CLOCK_SKEW


def _differences(pairs: Iterable[tuple[str, object, object]]) -> list[str]:
    """``name: shop has X, the write set Y`` for each pair that differs."""
    return [f"{name}: shop has {have!r}, the write set {want!r}" for name, have, want in pairs]


def _state(applied: bool, what: str, differences: list[str], result: JsonValue) -> Resolution:
    if applied:
        return Resolution(applied=True, result=result, note=f"applied: {what} reads as written")
    return Resolution(
        applied=False, note=f"not applied: {what} differs ({'; '.join(differences[:3])})"
    )


async def _product(shopify: ShopifyClient, product_id: str) -> Product:
    product = await shopify.get_product(product_id)
    if product is None:
        raise LookupError(f"product {product_id} is no longer in the store: check by hand")
    return product


# --- discounts ------------------------------------------------------------------------------


async def _discount_code(record: EffectRecord, services: Services) -> Resolution:
    """The code discount holding the write's code (codes are unique in a shop)."""
    args = _args(record, DiscountArgs)
    found = await services.shopify.get_discount_code(args.code)
    if found is None:
        return Resolution(applied=False, note=f"not applied: no discount with code {args.code}")
    pairs: list[tuple[str, object, object]] = [
        ("title", found.title, args.title or args.code),
        ("usage limit", found.usage_limit, args.usage_limit),
    ]
    differences = _differences(p for p in pairs if p[1] != p[2])
    if not _same_instant(found.ends_at, args.ends_at):
        differences.append(f"ends {found.ends_at}, the write set {args.ends_at}")
    if args.starts_at is not None and not _same_instant(found.starts_at, args.starts_at):
        differences.append(f"starts {found.starts_at}, the write set {args.starts_at}")
    if args.starts_at is None and not _not_older(found.created_at, record):
        # The write starts it "now": a code made before the write started is someone else's.
        differences.append(f"made {found.created_at}, before the write was started")
    if differences:
        return Resolution(
            applied=False,
            note=f"not applied: code {args.code} belongs to another discount "
            f"({'; '.join(differences)})",
        )
    return Resolution(
        applied=True,
        result=to_json(found),
        note=f"applied: discount {found.id} with code {args.code} ({found.status})",
    )


async def _automatic_discount(record: EffectRecord, services: Services) -> Resolution:
    """An automatic discount has no code: found by title and start, as the write looks."""
    args = _args(record, AutomaticDiscountArgs)
    for found in await services.shopify.recent_automatic_discounts():
        if found.title == args.title and _same_instant(found.starts_at, args.starts_at):
            return Resolution(
                applied=True,
                result=to_json(found),
                note=f"applied: automatic discount {found.id} {args.title!r} ({found.status})",
            )
    return Resolution(
        applied=False,
        note=f"not applied: no automatic discount {args.title!r} starting {args.starts_at}",
    )


# --- orders ---------------------------------------------------------------------------------


def _items(pairs: Iterable[tuple[str, int]]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for line_item_id, quantity in pairs:
        counted[line_item_id] += quantity
    return counted


def _tracked_as(fulfillment: OrderFulfillment, args: FulfillmentArgs) -> bool:
    """Carries the write's tracking: its number and carrier (its URL only when it gave neither,
    as Shopify may rewrite a URL)."""
    wanted = {"number": args.tracking_number, "company": args.tracking_company}
    if not any(wanted.values()):
        wanted = {"url": args.tracking_url}
    given = {name: value for name, value in wanted.items() if value is not None}
    if not given:
        return True
    return any(
        all(getattr(info, name) == value for name, value in given.items())
        for info in fulfillment.tracking_info
    )


def _fulfils(fulfillment: OrderFulfillment, args: FulfillmentArgs, record: EffectRecord) -> bool:
    if not _not_older(fulfillment.created_at, record) or not _tracked_as(fulfillment, args):
        return False
    if args.line_items is None:  # "everything left": no item list to compare
        return True
    shipped = _items((i.line_item_id, i.quantity) for i in fulfillment.line_items)
    return shipped == _items((i.line_item_id, i.quantity) for i in args.line_items)


async def _fulfillment(record: EffectRecord, services: Services) -> Resolution:
    """A fulfilment of the order made since the write started, with its tracking and items."""
    args = _args(record, FulfillmentArgs)
    fulfillments = await services.shopify.order_fulfillments(args.order_id)
    if fulfillments is None:
        raise LookupError(f"order {args.order_id} is not in the store: check by hand")
    matching = [f for f in fulfillments if _fulfils(f, args, record)]
    if not matching:
        tracking = args.tracking_number or "no tracking"
        return Resolution(
            applied=False,
            note=f"not applied: no fulfilment of {args.order_id} ({tracking}) since the write "
            "started",
        )
    found = matching[-1]
    numbers = ", ".join(filter(None, (t.number for t in found.tracking_info))) or "no tracking"
    return Resolution(
        applied=True,
        result=to_json(found),
        note=f"applied: fulfilment {found.name or found.id} ({found.status}, {numbers})",
    )


#: The fields ``refundCreate`` answers with (the agent tool's result).
_REFUND_FIELDS = frozenset({"id", "note", "created_at", "total_refunded"})


def _refunded(refund: OrderRefund) -> Decimal:
    money = [t.amount.shop_money.amount for t in refund.transactions if t.kind == "REFUND"]
    return sum(money, Decimal(0)) if money else refund.total_refunded.shop_money.amount


async def _refund_on(
    services: Services,
    record: EffectRecord,
    order_id: str,
    amount: Decimal,
    note: str | None,
    items: Counter[str],
) -> OrderRefund | None:
    """The newest refund on the order since the write started with its amount, note, items."""
    refunds = await services.shopify.order_refunds(order_id)
    if refunds is None:
        raise LookupError(f"order {order_id} is not in the store: check by hand")
    matching = [
        r
        for r in refunds
        if _not_older(r.created_at, record)
        and _refunded(r) == amount
        and (r.note or None) == (note or None)
        and _items((i.line_item_id, i.quantity) for i in r.line_items) == items
    ]
    return matching[-1] if matching else None


def _refund_resolution(
    found: OrderRefund | None, order: str, amount: Decimal, result: JsonValue
) -> Resolution:
    if found is None:
        return Resolution(
            applied=False,
            note=f"not applied: no refund of {amount} on {order} since the write started",
        )
    return Resolution(
        applied=True, result=result, note=f"applied: refund {found.id} of {amount} on {order}"
    )


async def _agent_refund(record: EffectRecord, services: Services) -> Resolution:
    args = _args(record, RefundArgs)
    items = _items((i.line_item_id, i.quantity) for i in args.line_items)
    found = await _refund_on(services, record, args.order_id, args.amount, args.note, items)
    # What the tool returns: the refund as ``refundCreate`` answers it.
    shown = to_json(found) if found is not None else None
    result: JsonValue = (
        {k: v for k, v in shown.items() if k in _REFUND_FIELDS} if isinstance(shown, dict) else None
    )
    return _refund_resolution(found, args.order_id, args.amount, result)


async def _support_refund(record: EffectRecord, services: Services) -> Resolution:
    args = _args(record, SupportRefundArgs)
    found = await _refund_on(services, record, args.order_id, args.amount, args.reason, Counter())
    result: JsonValue = (
        {"refund_id": found.id, "amount": str(args.amount)} if found is not None else None
    )
    return _refund_resolution(found, args.order_name, args.amount, result)


# --- states: prices, stock ------------------------------------------------------------------


def _variant(product: Product, variant_id: str) -> ProductVariant | None:
    return next((v for v in product.variants if v.id == variant_id), None)


async def _prices(record: EffectRecord, services: Services) -> Resolution:
    """Every variant's price (and compare-at price, when set or cleared) as written."""
    args = _args(record, UpdatePricesArgs)
    product = await _product(services.shopify, args.product_id)
    differences: list[str] = []
    variants: list[JsonValue] = []
    for new in args.variants:
        variant = _variant(product, new.variant_id)
        if variant is None:
            differences.append(f"{new.variant_id} is no longer a variant of the product")
            continue
        pairs: list[tuple[str, object, object]] = [
            (f"{variant.title} price", variant.price, new.price)
        ]
        if new.clear_compare_at_price or new.compare_at_price is not None:
            pairs.append(
                (f"{variant.title} compare-at", variant.compare_at_price, new.compare_at_price)
            )
        differences += _differences(p for p in pairs if p[1] != p[2])
        variants.append(to_json(variant))
    result: JsonValue = {"product_id": product.id, "variants": variants}
    return _state(not differences, f"the prices of {product.title!r}", differences, result)


async def _inventory(record: EffectRecord, services: Services) -> Resolution:
    """Every quantity the write set, at its location, as written."""
    args = _args(record, SetInventoryArgs)
    product = await _product(services.shopify, args.product_id)
    differences: list[str] = []
    levels: list[JsonValue] = []
    for entry in args.quantities:
        variant = _variant(product, entry.variant_id)
        item = variant.inventory_item if variant is not None else None
        if variant is None or item is None:
            differences.append(f"{entry.variant_id} no longer tracks stock on the product")
            continue
        at = [
            lv
            for lv in item.inventory_levels
            if entry.location_id is None or lv.location_id == entry.location_id
        ]
        if len(at) != 1:
            raise LookupError(
                f"{variant.title!r}: the stock level the write set is not among those read"
            )
        have = at[0].quantities.get(args.name)
        if have != entry.quantity:
            differences += _differences([(f"{variant.title} {args.name}", have, entry.quantity)])
        levels.append({"variant_id": variant.id, "location_id": at[0].location_id, args.name: have})
    result: JsonValue = {"product_id": product.id, "levels": levels}
    return _state(not differences, f"the stock of {product.title!r}", differences, result)


# --- states: products -----------------------------------------------------------------------


def _product_fields(product: Product, wanted: Mapping[str, Any]) -> list[str]:
    """Differences between the product and the fields the write gave (None: not given)."""
    seo_title = product.seo.title if product.seo else None
    seo_description = product.seo.description if product.seo else None
    have: dict[str, object] = {
        "title": product.title,
        "handle": product.handle,
        "description_html": product.description_html,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "tags": sorted(product.tags),
        "status": str(product.status),
        "seo_title": seo_title,
        "seo_description": seo_description,
    }
    pairs: list[tuple[str, object, object]] = []
    for name, want in wanted.items():
        if want is None:
            continue
        if name == "tags":
            want = sorted(want)
        pairs.append((name, have[name], str(want) if name == "status" else want))
    return _differences(p for p in pairs if p[1] != p[2])


def _variant_differences(args: SetProductArgs, product: Product) -> list[str]:
    by_key = {
        option_key({o.name: o.value for o in v.selected_options}): v for v in product.variants
    }
    differences: list[str] = []
    if len(product.variants) != len(args.variants):
        differences.append(f"{len(product.variants)} variants, the write set {len(args.variants)}")
    for new in args.variants:
        label = " / ".join(new.options.values()) or "Default"
        old = by_key.get(option_key(new.options))
        if old is None:
            differences.append(f"no variant {label}")
            continue
        pairs: list[tuple[str, object, object]] = [(f"{label} price", old.price, new.price)]
        if new.compare_at_price is not None:
            pairs.append((f"{label} compare-at", old.compare_at_price, new.compare_at_price))
        if new.sku is not None:
            pairs.append((f"{label} sku", old.sku, new.sku))
        differences += _differences(p for p in pairs if p[1] != p[2])
    return differences


async def _set_product(record: EffectRecord, services: Services) -> Resolution:
    """The product at the write's handle, with its fields and every variant as written."""
    args = _args(record, SetProductArgs)
    product = await services.shopify.get_product_by_handle(args.handle)
    if product is None:
        return Resolution(applied=False, note=f"not applied: no product with handle {args.handle}")
    fields = args.model_dump(
        include={
            "title",
            "description_html",
            "vendor",
            "product_type",
            "tags",
            "status",
            "seo_title",
            "seo_description",
        }
    )
    differences = _product_fields(product, fields) + _variant_differences(args, product)
    return _state(not differences, f"product {args.handle}", differences, to_json(product))


async def _update_product(record: EffectRecord, services: Services) -> Resolution:
    """Every field the write gave, as written."""
    args = _args(record, UpdateProductArgs)
    product = await _product(services.shopify, args.product_id)
    fields = args.model_dump(exclude={"product_id", "reasoning"})
    differences = _product_fields(product, fields)
    return _state(not differences, f"product {product.handle}", differences, to_json(product))


async def _publish(record: EffectRecord, services: Services) -> Resolution:
    """Published on every sales channel the write named."""
    args = _args(record, PublishArgs)
    publications = await services.shopify.list_publications()
    chosen: list[str] = []
    missing: list[str] = []
    for wanted in args.publications:
        match = next(
            (
                p
                for p in publications
                if p.id == wanted or p.name.casefold() == wanted.strip().casefold()
            ),
            None,
        )
        if match is None:
            raise LookupError(f"no sales channel {wanted!r} any more: check by hand")
        published = await services.shopify.published_on(args.product_id, match.id)
        if published is None:
            raise LookupError(f"product {args.product_id} is no longer in the store")
        if match.id not in chosen:
            chosen.append(match.id)
        if not published:
            missing.append(match.name)
    if missing:
        return Resolution(
            applied=False,
            note=f"not applied: {args.product_id} is not published on {', '.join(missing)}",
        )
    result: JsonValue = {"publishable_id": args.product_id, "publication_ids": list(chosen)}
    return Resolution(
        applied=True,
        result=result,
        note=f"applied: {args.product_id} is published on {', '.join(args.publications)}",
    )


# --- bulk SEO -------------------------------------------------------------------------------


def _seo_reads_as(change: SeoChange, product: Product) -> bool:
    """As ``nodes.marketing.seo`` checks before writing: SEO, and title and handle if given."""
    seo = product.seo
    return (
        seo is not None
        and seo.title == change.seo_title
        and seo.description == change.seo_description
        and (change.title is None or product.title == change.title)
        and (change.handle is None or product.handle == change.handle)
    )


async def _bulk_seo(record: EffectRecord, services: Services) -> Resolution:
    """Each product and collection of the change reads as its new SEO.

    One that is gone from the store is listed as failed, as the write itself would list it.
    Some written and some not: the write stopped half-way ("partly applied"), FAILED, so the
    thread's next run writes only the rest (the write skips what already reads as changed).
    """
    args = _args(record, SeoBulkArgs)
    done: list[JsonValue] = []
    pending: list[str] = []
    failed: list[JsonValue] = []
    for change in args.changes:
        product = await services.shopify.get_product(change.product_id)
        if product is None:
            failed.append({"product_id": change.product_id, "error": "no longer in the store"})
        elif _seo_reads_as(change, product):
            done.append(change.product_id)
        else:
            pending.append(change.product)
    for item in args.collections or []:
        collection = await services.shopify.get_collection(item.collection_id)
        if collection is None:
            failed.append({"collection_id": item.collection_id, "error": "no longer in the store"})
        elif collection_reads_as(item, collection):
            done.append(item.collection_id)
        else:
            pending.append(item.collection)
    if not done:
        return Resolution(
            applied=False, note=f"not applied: none of the {args.count()} reads as its new SEO"
        )
    if pending:
        return Resolution(
            applied=False,
            note=f"partly applied: {len(done)} of the {args.count()} read as their new SEO, "
            f"not {', '.join(pending[:5])}; re-running its thread writes the rest",
        )
    return Resolution(
        applied=True,
        result={"updated": done, "failed": failed},
        note=f"applied: {len(done)} of the {args.count()} read as their new SEO",
    )


RESOLVERS: Mapping[str, Resolver] = {
    CREATE_DISCOUNT.spec.name: _discount_code,
    CREATE_AUTOMATIC_DISCOUNT.spec.name: _automatic_discount,
    SET_INVENTORY.spec.name: _inventory,
    CREATE_FULFILLMENT.spec.name: _fulfillment,
    CREATE_REFUND.spec.name: _agent_refund,
    UPDATE_PRICES.spec.name: _prices,
    PUBLISH_PRODUCT.spec.name: _publish,
    SET_PRODUCT.spec.name: _set_product,
    UPDATE_PRODUCT.spec.name: _update_product,
    REFUND_TOOL: _support_refund,
    BULK_SEO_TOOL: _bulk_seo,
}
"""Tool name (as the ledger records it: the agent tools' spec names, which the marketing,
support, finance and pricing nodes reuse, and the support refund and bulk SEO tools)."""
