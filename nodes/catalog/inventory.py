"""inventory_guard: stock that disagrees between the supplier, Shopify and the repository,
raised as alerts, with low-stock badges prepared on the staging theme only.

The repository says which supplier variant backs each SKU (the product metafield
``royal.supplier``, a JSON object ``{"SKU": "supplier:variant-id"}``). A variant Shopify sells
more of than its supplier holds, or that the supplier has run out of, is a critical alert; one
at or under the low-stock threshold gets a badge; a variant whose repository file disagrees
with Shopify (inventory policy, or missing on one side) is reported as repository drift.
"""

from __future__ import annotations

import json
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from nodes.catalog.common import parameter, parse, sync_repository
from nodes.catalog.models import Drift
from nodes.catalog.state import CatalogState
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.services import Services
from storage import NewNotification, NotificationLevel
from storage.sync_schema import SyncDirection, SyncStatus
from tools.catalog import repository, shopify
from tools.catalog.codec import handle_of
from tools.catalog.model import CatalogProduct
from tools.github import GitHubError
from tools.shopify.errors import ShopifyError
from tools.suppliers.errors import SupplierError

DEFAULT_LOW_STOCK = 5
SUPPLIER_METAFIELD = ("royal", "supplier")
_CRITICAL = frozenset({"oversell", "supplier_out"})


def supplier_map(product: CatalogProduct) -> dict[str, tuple[str, str]]:
    """SKU -> (supplier key, supplier variant id) from the ``royal.supplier`` metafield."""
    for metafield in product.metafields:
        if (metafield.namespace, metafield.key) == SUPPLIER_METAFIELD:
            try:
                raw = json.loads(metafield.value)
            except ValueError:
                return {}
            return {
                str(sku): (ref.partition(":")[0], ref.partition(":")[2])
                for sku, ref in raw.items()
                if isinstance(ref, str) and ":" in ref
            }
    return {}


async def inventory(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    sync_id = state["sync_id"]
    threshold = int(parameter(state["task"], "low_stock_threshold", DEFAULT_LOW_STOCK))
    await sync.start(sync_id, SyncDirection.INVENTORY, "inventory check", thread_id=None)
    try:
        files = await repository.read_files(services.github, repository.BASE_BRANCH)
        live = {p.product.handle: p async for p in shopify.iter_products(services.shopify)}
    except (ShopifyError, GitHubError) as exc:
        service = "Shopify" if isinstance(exc, ShopifyError) else "GitHub"
        await sync.finish(sync_id, SyncStatus.FAILED, f"{service} failed: {exc}")
        return {
            "failures": [ServiceFailure.of(service, "read stock", exc, "no stock was compared")]
        }
    if not files:
        summary = "The repository has no catalog files yet: export the catalog first."
        await sync.finish(sync_id, SyncStatus.NOTHING, summary)
        return {"notes": [summary]}
    drift: list[Drift] = []
    failures: list[ServiceFailure] = []
    for path, text in sorted(files.items()):
        handle = handle_of(path)
        declared = parse(text, path)
        if handle is None or declared is None:
            continue
        item = live.get(handle)
        if item is None:
            drift.append(
                Drift(
                    handle=handle,
                    variant="*",
                    kind="repository",
                    detail="in the repository, not on Shopify",
                )
            )
            continue
        drift.extend(_repository_drift(declared, item))
        for found, failure in [
            await _stock_drift(services, declared, item, threshold, v.key)
            for v in item.product.variants
        ]:
            drift.extend(found)
            failures.extend(failure)
    alerts = [f"{d.handle} {d.variant}: {d.detail}" for d in drift if d.kind in _CRITICAL]
    for alert in alerts:
        await services.notifications.create(
            NewNotification(
                level=NotificationLevel.CRITICAL, title="Stock drift", body=alert, cluster="catalog"
            )
        )
    low = sum(1 for d in drift if d.low_stock)
    summary = f"{len(drift)} drift(s): {len(alerts)} critical, {low} low-stock variant(s)"
    await sync.finish(sync_id, SyncStatus.DONE if not failures else SyncStatus.PARTIAL, summary)
    return {"drift": drift, "alerts": alerts, "failures": failures, "notes": [summary]}


def _repository_drift(declared: CatalogProduct, item: shopify.ShopProduct) -> list[Drift]:
    found = []
    for variant in item.product.variants:
        mine = declared.variant(variant.key)
        if mine is None:
            found.append(
                Drift(
                    handle=declared.handle,
                    variant=variant.key,
                    kind="repository",
                    detail="on Shopify, not in the repository file",
                )
            )
        elif mine.inventory_policy != variant.inventory_policy:
            found.append(
                Drift(
                    handle=declared.handle,
                    variant=variant.key,
                    kind="repository",
                    detail=f"inventory policy {variant.inventory_policy} on Shopify, "
                    f"{mine.inventory_policy} in the repository",
                )
            )
    return found


async def _stock_drift(
    services: Services,
    declared: CatalogProduct,
    item: shopify.ShopProduct,
    threshold: int,
    key: str,
) -> tuple[list[Drift], list[ServiceFailure]]:
    available = item.available.get(key)
    found: list[Drift] = []
    if available is not None and available <= threshold:
        found.append(
            Drift(
                handle=declared.handle,
                variant=key,
                kind="low_stock",
                detail=f"{available} left on Shopify (threshold {threshold})",
                shopify_available=available,
                low_stock=True,
            )
        )
    source = supplier_map(declared).get(key)
    if source is None or source[0] not in services.suppliers:
        return found, []
    try:
        stock = await services.suppliers[source[0]].get_stock(source[1])
    except SupplierError as exc:
        return found, [
            ServiceFailure.of(
                source[0],
                f"read stock of {source[1]}",
                exc,
                f"{declared.handle} {key} not compared",
            )
        ]
    held = stock.quantity
    if not stock.available or held == 0:
        if available:
            found.append(
                Drift(
                    handle=declared.handle,
                    variant=key,
                    kind="supplier_out",
                    detail=f"{source[0]} is out of stock; Shopify still sells {available}",
                    shopify_available=available,
                    supplier_available=0,
                    low_stock=True,
                )
            )
    elif held is not None and available is not None and available > held:
        found.append(
            Drift(
                handle=declared.handle,
                variant=key,
                kind="oversell",
                detail=f"Shopify sells {available}, {source[0]} holds {held}",
                shopify_available=available,
                supplier_available=held,
                low_stock=True,
            )
        )
    return found, []


def route_badges(state: CatalogState) -> list[Send] | str:
    low = [d for d in state.get("drift") or [] if d.low_stock]
    if not low:
        return "report"
    handles = sorted({d.handle for d in low})
    sends = [
        Send("badge", {"drift": [d for d in low if d.handle == h], "sync_id": state["sync_id"]})
        for h in handles
    ]
    sends.append(Send("badge_theme", {"drift": low, "sync_id": state["sync_id"]}))
    return sends
