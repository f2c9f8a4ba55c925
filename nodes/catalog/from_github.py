"""Repository -> Shopify: a merged pull request's product files, validated, merged with what
Shopify has now, and planned as changes to stage, check and promote.

Files that do not validate are reported with file and line and change nothing. A pull request
from the sync branch only records its files as the agreed state: those changes came from
Shopify in the first place.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.catalog.common import parameter, parse, plan_change, record_conflicts, sync_repository
from nodes.catalog.models import Outcome, OutcomeStatus, ProductPlan
from nodes.catalog.state import CatalogState
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.services import Services
from storage.sync import SyncRepository
from storage.sync_schema import SyncDirection, SyncStatus
from tools.catalog import repository, shopify
from tools.catalog.codec import CatalogFormatError, handle_of, load
from tools.catalog.merge import three_way
from tools.github import GitHubError, GitHubNotFoundError
from tools.shopify.errors import ShopifyError


async def from_github(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    task, sync_id = state["task"], state["sync_id"]
    number = int(parameter(task, "pull_request", 0))
    merge_sha = str(parameter(task, "merge_commit_sha", ""))
    head = str(parameter(task, "head_ref", ""))
    await sync.start(
        sync_id,
        SyncDirection.GITHUB_TO_SHOPIFY,
        f"pull request #{number}",
        thread_id=None,
        pull_request=number,
    )
    try:
        files = await _changed_files(services, number, merge_sha)
    except GitHubError as exc:
        await sync.finish(sync_id, SyncStatus.FAILED, f"GitHub failed: {exc}")
        failure = ServiceFailure.of(
            "GitHub", f"read pull request #{number}", exc, "nothing was applied"
        )
        return {"failures": [failure]}
    if head == repository.SYNC_BRANCH:
        ids = await _product_ids(services)
        for path, text in files.items():
            handle = handle_of(path)
            if handle is not None and text is not None:
                await sync.set_base(handle, text, sync_id, product_id=ids.get(handle))
        summary = (
            f"Pull request #{number} came from Shopify: its {len(files)} file(s) are now the "
            "agreed state; nothing to apply."
        )
        await sync.finish(sync_id, SyncStatus.NOTHING, summary, pull_request=number)
        return {"notes": [summary]}
    plans: list[ProductPlan] = []
    outcomes: list[Outcome] = []
    notes: list[str] = []
    try:
        for path, text in sorted(files.items()):
            handle = handle_of(path)
            if handle is None:
                continue
            planned, outcome, note = await _plan(services, sync, sync_id, path, handle, text)
            plans.extend(planned)
            outcomes.extend(outcome)
            notes.extend(note)
    except ShopifyError as exc:
        await sync.finish(sync_id, SyncStatus.FAILED, f"Shopify failed: {exc}")
        failure = ServiceFailure.of(
            "Shopify", "read the products to change", exc, "nothing was applied"
        )
        return {"failures": [failure], "outcomes": outcomes}
    if not plans:
        status = (
            SyncStatus.FAILED
            if any(o.status is OutcomeStatus.STOPPED for o in outcomes)
            else SyncStatus.NOTHING
        )
        await sync.finish(
            sync_id,
            status,
            f"Pull request #{number}: nothing to apply on Shopify.",
            pull_request=number,
        )
    return {"plans": plans, "outcomes": outcomes, "notes": notes}


async def _product_ids(services: Services) -> dict[str, str]:
    """Handle -> Shopify id, remembered with each base so a deletion (which names only the id)
    finds its file; unknown when Shopify cannot be read (the bases are recorded anyway)."""
    try:
        return {p.product.handle: p.id async for p in shopify.iter_products(services.shopify)}
    except ShopifyError:
        return {}


async def _changed_files(services: Services, number: int, merge_sha: str) -> dict[str, str | None]:
    """The catalog files the pull request changed, as merged (None: removed)."""
    if not merge_sha:
        merge_sha = (await services.github.get_pull_request(number)).head.sha
    found: dict[str, str | None] = {}
    for item in await services.github.list_pull_request_files(number):
        if handle_of(item.filename) is None:
            continue
        if item.status == "removed":
            found[item.filename] = None
            continue
        try:
            file = await services.github.get_file(item.filename, ref=merge_sha)
        except GitHubNotFoundError:
            found[item.filename] = None
            continue
        found[item.filename] = file.decoded.decode("utf-8")
    return found


async def _plan(
    services: Services,
    sync: SyncRepository,
    sync_id: str,
    path: str,
    handle: str,
    text: str | None,
) -> tuple[list[ProductPlan], list[Outcome], list[str]]:
    try:
        theirs = None if text is None else load(text, path)
    except CatalogFormatError as exc:
        problems = [str(p) for p in exc.problems]
        outcome = Outcome(
            subject=handle,
            status=OutcomeStatus.STOPPED,
            detail="the file does not validate; nothing applied",
            reasons=problems,
        )
        return [], [outcome], [f"{path} is invalid: " + "; ".join(problems)]
    current = await shopify.get_by_handle(services.shopify, handle)
    ours = None if current is None else current.product
    base = parse(await sync.base(handle), path)
    if theirs is None:
        if ours is None or ours.status == "ARCHIVED":
            return [], [], []
        theirs = ours.model_copy(update={"status": "ARCHIVED"})  # a removed file archives
    merge = three_way(base, ours, theirs, keep="ours")
    conflicts = await record_conflicts(sync, sync_id, handle, merge)
    notes = [
        f"Conflict on {handle} {c.field}: changed on Shopify and in the pull request; Shopify "
        "keeps its value until someone resolves it on the Conflicts page"
        for c in conflicts
    ]
    desired = merge.product
    if desired is None or desired == ours:
        if not conflicts and text is not None:
            await sync.set_base(handle, text, sync_id, product_id=current.id if current else None)
        return (
            [],
            [
                Outcome(
                    subject=handle, status=OutcomeStatus.UNCHANGED, detail="Shopify already matches"
                )
            ]
            if not conflicts
            else [],
            notes,
        )
    plan = await plan_change(
        sync, sync_id, handle, current, desired, stage=True, conflicts=conflicts
    )
    return [plan], [], notes
