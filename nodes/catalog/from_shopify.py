"""Shopify -> repository: the whole catalog (export) or one product a webhook named, rendered
as files and proposed on the sync branch.

A product whose file on the default branch changed too since the last agreed base is merged
field by field; fields changed on both sides become conflicts and the file keeps its value, so
the pull request never overwrites a reviewed edit silently.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.catalog.common import parameter, parse, record_conflicts, sync_repository
from nodes.catalog.models import Conflict, Operation, RepoProposal
from nodes.catalog.report_text import change_lines
from nodes.catalog.state import CatalogState
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.services import Services
from storage.sync import SyncRepository
from storage.sync_schema import ChangeStatus, SyncDirection, SyncStatus
from tools.catalog import repository, shopify
from tools.catalog.codec import dump, handle_of, path_for
from tools.catalog.merge import diff, three_way
from tools.catalog.model import CatalogProduct
from tools.github import GitHubError
from tools.shopify.errors import ShopifyError


async def from_shopify(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    sync_id, task = state["sync_id"], state["task"]
    full = state["operation"] == Operation.EXPORT.value
    trigger = "full export" if full else f"Shopify {parameter(task, 'topic', 'product change')}"
    await sync.start(sync_id, SyncDirection.SHOPIFY_TO_GITHUB, trigger, thread_id=None)
    try:
        products, deleted = await _products(services, sync, state, full)
        pull = await repository.open_pull_request(
            services.github, repository.SYNC_BRANCH, repository.BASE_BRANCH
        )
        ref = repository.SYNC_BRANCH if pull is not None else repository.BASE_BRANCH
        on_ref = await repository.read_files(services.github, ref)
        on_main = (
            on_ref
            if ref == repository.BASE_BRANCH
            else await repository.read_files(services.github, repository.BASE_BRANCH)
        )
    except (ShopifyError, GitHubError) as exc:
        service = "Shopify" if isinstance(exc, ShopifyError) else "GitHub"
        await sync.finish(sync_id, SyncStatus.FAILED, f"{service} failed: {exc}")
        return {
            "failures": [
                ServiceFailure.of(service, "read the catalog", exc, "nothing was proposed")
            ]
        }
    files: dict[str, str | None] = {}
    lines: list[str] = []
    conflicts: list[Conflict] = []
    for handle, item in sorted(products.items()):
        proposed, found = await _proposed(sync, sync_id, item, on_main)
        conflicts.extend(found)
        path = path_for(handle)
        text = dump(proposed)
        if on_main.get(path) == text:
            await sync.set_base(handle, text, sync_id, product_id=item.id)
        if on_ref.get(path) == text:
            continue
        files[path] = text
        before = parse(on_ref.get(path), path)
        changes = diff(before, proposed)
        recorded = (
            [("product", None, "added")]
            if before is None
            else [(c.field, c.before, c.after) for c in changes]
        )
        await sync.record_changes(sync_id, handle, recorded, ChangeStatus.PROPOSED)
        lines.append(f"- `{handle}`: " + change_lines(changes, added=before is None))
    for handle in deleted:
        path = path_for(handle)
        if on_ref.get(path) is not None:
            files[path] = None
            lines.append(f"- `{handle}`: removed from Shopify")
            await sync.record_changes(
                sync_id, handle, [("product", "present", None)], ChangeStatus.PROPOSED
            )
    notes = [
        f"Conflict on {c.handle} {c.field}: both Shopify and the repository changed it; kept "
        "the repository's value, see the Conflicts page"
        for c in conflicts
    ]
    if not files:
        summary = "The repository already matches Shopify: nothing to propose."
        await sync.finish(sync_id, SyncStatus.NOTHING, summary)
        return {"notes": [summary, *notes]}
    count = sum(1 for text in files.values() if text is not None)
    title = "Catalog sync from Shopify"
    section = (
        f"### {'Full export' if full else trigger} ({count} file(s))\n\n"
        "Changes made on Shopify, rendered as catalog files so they are reviewed and versioned "
        "like code. Merging records them as the agreed state.\n\n" + "\n".join(lines)
    )
    proposal = RepoProposal(
        branch=repository.SYNC_BRANCH,
        files=files,
        message=f"{'Export' if full else 'Sync'} {len(files)} product file(s) from Shopify",
        title=title,
        section=section,
        handles=sorted({h for p in files if (h := handle_of(p))}),
    )
    return {"proposal": proposal, "notes": notes}


async def _products(
    services: Services, sync: SyncRepository, state: CatalogState, full: bool
) -> tuple[dict[str, shopify.ShopProduct], list[str]]:
    """The products to render, and the handles Shopify no longer has."""
    if full:
        found = {p.product.handle: p async for p in shopify.iter_products(services.shopify)}
        return found, []
    product_id = str(parameter(state["task"], "product_id", ""))
    gid = product_id if product_id.startswith("gid://") else f"gid://shopify/Product/{product_id}"
    item = await shopify.get_product(services.shopify, gid)
    if item is None or parameter(state["task"], "topic") == "products/delete":
        handle = await sync.handle_of_product(gid)
        return {}, [handle] if handle else []
    if shopify.is_staging(item.product.handle):
        return {}, []
    return {item.product.handle: item}, []


async def _proposed(
    sync: SyncRepository, sync_id: str, item: shopify.ShopProduct, on_main: dict[str, str]
) -> tuple[CatalogProduct, list[Conflict]]:
    """Shopify's version, merged with the repository's when both changed since the base."""
    handle = item.product.handle
    path = path_for(handle)
    base = parse(await sync.base(handle), path)
    theirs = parse(on_main.get(path), path)
    ours = item.product
    if base is None or theirs is None or theirs == base or ours == base:
        return ours, []
    merge = three_way(base, ours, theirs, keep="theirs")
    conflicts = await record_conflicts(sync, sync_id, handle, merge)
    return merge.product or ours, conflicts
