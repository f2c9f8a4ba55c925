"""Rollback: the fields a sync applied go back to their previous values on Shopify, through
the gate, as a new sync recorded in the history. A field changed again since is left alone and
said so: a rollback never overwrites a later change."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from langgraph.runtime import Runtime
from pydantic import JsonValue

from nodes.catalog.common import parameter, plan_change, sync_repository
from nodes.catalog.models import ProductPlan
from nodes.catalog.state import CatalogState
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from storage.sync_schema import ChangeStatus, SyncDirection, SyncStatus
from tools.catalog import shopify
from tools.catalog.merge import flatten, unflatten
from tools.shopify.errors import ShopifyError


async def rollback(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    sync_id = state["sync_id"]
    original = str(parameter(state["task"], "sync_id", ""))
    record = await sync.get(original)
    await sync.start(
        sync_id,
        SyncDirection.ROLLBACK,
        f"rollback of sync {original[:8]}",
        thread_id=None,
        rollback_of=original or None,
    )
    if record is None:
        summary = f"There is no sync {original!r} to roll back."
        await sync.finish(sync_id, SyncStatus.FAILED, summary)
        return {"notes": [summary]}
    by_handle: dict[str, list[tuple[str, JsonValue, JsonValue]]] = defaultdict(list)
    for change in await sync.changes(original):
        if change.status is ChangeStatus.APPLIED:
            by_handle[change.handle].append((change.field, change.before, change.after))
    plans: list[ProductPlan] = []
    notes: list[str] = []
    try:
        for handle, changes in sorted(by_handle.items()):
            current = await shopify.get_by_handle(services.shopify, handle)
            if current is None:
                notes.append(f"{handle} no longer exists on Shopify; not rolled back")
                continue
            fields = flatten(current.product)
            for field, before, after in changes:
                if fields.get(field) != after:
                    notes.append(f"{handle} {field} changed again since; left as it is")
                    continue
                if before is None:
                    fields.pop(field, None)
                else:
                    fields[field] = before
            desired = unflatten(fields)
            if desired is None or desired == current.product:
                continue
            plans.append(await plan_change(sync, sync_id, handle, current, desired, stage=False))
    except ShopifyError as exc:
        await sync.finish(sync_id, SyncStatus.FAILED, f"Shopify failed: {exc}")
        failure = ServiceFailure.of(
            "Shopify", "read the products to restore", exc, "nothing was rolled back"
        )
        return {"failures": [failure]}
    if not plans:
        summary = f"Nothing to roll back from sync {original[:8]}."
        await sync.finish(sync_id, SyncStatus.NOTHING, summary)
        notes.append(summary)
    return {"plans": plans, "notes": notes}
