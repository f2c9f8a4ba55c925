"""A resolved conflict applied: the chosen (or edited) value goes to Shopify through the gate
when Shopify does not have it, and to the repository as a pull request when the repository
does not. The decision itself was recorded, with who made it, before this run started."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.catalog.common import parameter, parse, plan_change, sync_repository
from nodes.catalog.models import ProductPlan, RepoProposal
from nodes.catalog.state import CatalogState
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from storage.sync_schema import ConflictStatus, SyncDirection, SyncStatus
from tools.catalog import repository, shopify
from tools.catalog.codec import dump, path_for
from tools.catalog.merge import flatten, unflatten
from tools.catalog.model import CatalogProduct
from tools.github import GitHubError
from tools.shopify.errors import ShopifyError


def _with(product: CatalogProduct, field: str, value: Any) -> CatalogProduct | None:
    fields = flatten(product)
    fields[field] = value
    return unflatten(fields)


async def resolve(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    sync_id = state["sync_id"]
    conflict_id = str(parameter(state["task"], "conflict_id", ""))
    conflict = await sync.get_conflict(conflict_id)
    await sync.start(
        sync_id, SyncDirection.RESOLUTION, f"conflict {conflict_id[:8]}", thread_id=None
    )
    if conflict is None or conflict.status is not ConflictStatus.RESOLVED:
        summary = f"Conflict {conflict_id!r} is not resolved; nothing applied."
        await sync.finish(sync_id, SyncStatus.FAILED, summary)
        return {"notes": [summary]}
    handle, field, value = conflict.handle, conflict.field, conflict.resolved_value
    path = path_for(handle)
    try:
        current = await shopify.get_by_handle(services.shopify, handle)
        on_main = await repository.read_files(services.github, repository.BASE_BRANCH)
    except (ShopifyError, GitHubError) as exc:
        service = "Shopify" if isinstance(exc, ShopifyError) else "GitHub"
        await sync.finish(sync_id, SyncStatus.FAILED, f"{service} failed: {exc}")
        return {
            "failures": [
                ServiceFailure.of(service, f"read {handle}", exc, "the resolution was not applied")
            ]
        }
    plans: list[ProductPlan] = []
    if current is not None:
        desired = _with(current.product, field, value)
        if desired is not None and desired != current.product:
            plans.append(await plan_change(sync, sync_id, handle, current, desired, stage=False))
    theirs = parse(on_main.get(path), path)
    proposal = None
    if theirs is not None:
        wanted = _with(theirs, field, value)
        if wanted is not None and wanted != theirs:
            proposal = RepoProposal(
                branch=repository.SYNC_BRANCH,
                files={path: dump(wanted)},
                message=f"Resolve the conflict on {handle} {field}",
                title="Catalog sync from Shopify",
                section=(
                    f"### Conflict resolved: `{handle}` {field}\n\n"
                    f"{conflict.resolved_by} chose {conflict.resolution}: {value!r}."
                ),
                handles=[handle],
            )
    if not plans and proposal is None:
        await sync.finish(sync_id, SyncStatus.NOTHING, "Both sides already have the chosen value.")
    return {"plans": plans, "proposal": proposal}
