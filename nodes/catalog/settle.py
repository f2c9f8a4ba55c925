"""After promotion: the sync's outcome recorded, merge bases moved to the applied state, and
what the repository must learn (a rollback's restored values) proposed as a pull request."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from nodes.catalog.common import parameter, sync_repository
from nodes.catalog.models import Operation, OutcomeStatus, ProductPlan, RepoProposal
from nodes.catalog.state import CatalogState
from nodes.context import Context, services_of
from storage.sync import SyncRepository
from storage.sync_schema import ChangeStatus, SyncStatus
from tools.catalog import repository
from tools.catalog.codec import dump, path_for
from tools.catalog.merge import flatten, unflatten


def _agreed(plan: ProductPlan) -> str | None:
    """The new base: what was applied. With a conflict left open the previous base stays, so
    the conflicting field still reads as changed on both sides until someone resolves it."""
    if plan.conflicts:
        return None
    product = unflatten(flatten(plan.desired))
    return None if product is None else dump(product)


async def settle(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    sync_id, operation = state["sync_id"], state["operation"]
    outcomes = {o.subject: o for o in state.get("outcomes") or []}
    plans = state.get("plans") or []
    applied = [
        p
        for p in plans
        if outcomes.get(p.handle) and outcomes[p.handle].status is OutcomeStatus.APPLIED
    ]
    if operation == Operation.PULL_REQUEST_MERGED.value:
        for plan in applied:
            agreed = _agreed(plan)
            if agreed is not None:
                await sync.set_base(plan.handle, agreed, sync_id, product_id=plan.product_id)
    if operation == Operation.ROLLBACK.value:
        for plan in applied:
            original = str(parameter(state["task"], "sync_id", ""))
            await sync.set_change_status(
                original, plan.handle, ChangeStatus.ROLLED_BACK, only=ChangeStatus.APPLIED
            )
    if plans:
        await _finish(sync, sync_id, plans, outcomes)
    proposal = state.get("proposal")
    if operation == Operation.ROLLBACK.value and applied:
        original = str(parameter(state["task"], "sync_id", ""))
        proposal = RepoProposal(
            branch=repository.SYNC_BRANCH,
            files={path_for(p.handle): dump(p.desired) for p in applied},
            message=f"Record the rollback of sync {original[:8]}",
            title="Catalog sync from Shopify",
            section=(
                "### Rollback\n\nThese products were rolled back on Shopify; the files record "
                "their restored values.\n\n" + "\n".join(f"- `{p.handle}`" for p in applied)
            ),
            handles=[p.handle for p in applied],
        )
    return {"proposal": proposal}


async def _finish(
    sync: SyncRepository, sync_id: str, plans: list[ProductPlan], outcomes: dict[str, Any]
) -> None:
    counts: dict[str, int] = {}
    for plan in plans:
        outcome = outcomes.get(plan.handle)
        status = outcome.status.value if outcome is not None else "not reached"
        counts[status] = counts.get(status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    applied = counts.get(OutcomeStatus.APPLIED.value, 0)
    if applied == len(plans):
        status = SyncStatus.DONE
    elif applied:
        status = SyncStatus.PARTIAL
    else:
        status = SyncStatus.FAILED
    await sync.finish(sync_id, status, f"{len(plans)} product(s): {summary}")


def route_settled(state: CatalogState) -> list[Send] | str:
    proposal = state.get("proposal")
    if proposal is None or not proposal.files:
        return "report"
    return [Send("propose", {"proposal": proposal, "sync_id": state["sync_id"]})]
