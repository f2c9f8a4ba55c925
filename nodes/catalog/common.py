"""What the catalog cluster's steps share: its ids, the sync records, the gate, outcomes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from langgraph.runtime import Runtime
from pydantic import BaseModel, JsonValue

from nodes.approval import GateOutcome, GateStatus, Proposal, ProposalContext, run_gated
from nodes.catalog.models import Conflict, FieldChange, Outcome, OutcomeStatus, ProductPlan
from nodes.clusters import ClusterTask
from nodes.context import Context, services_of
from nodes.services import Services
from policies import Action
from storage.sync import SyncRepository
from storage.sync_schema import ChangeStatus
from tools.catalog.codec import CatalogFormatError, load
from tools.catalog.merge import Merge, diff
from tools.catalog.model import CatalogProduct
from tools.catalog.shopify import ShopProduct

CLUSTER = "catalog"
AGENT = "catalog_sync"
_SYNC_NAMESPACE = uuid.UUID("0b7f3c1e-5a41-4c8e-9a4f-2d6b8e1c7a55")


def sync_id_of(runtime: Runtime[Context]) -> str:
    """The sync's id: stable for this step of this run, so a re-executed step finds its record."""
    info = runtime.execution_info
    if info is None:
        raise RuntimeError("the catalog cluster runs inside a graph task")
    return str(uuid.uuid5(_SYNC_NAMESPACE, f"{info.thread_id}:{info.task_id}"))


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_SYNC_NAMESPACE, "\x1f".join(parts)))


def sync_repository(services: Services) -> SyncRepository:
    return SyncRepository(services.database, clock=services.clock)


def parameter(task: ClusterTask, name: str, default: Any = None) -> Any:
    return task.parameters.get(name, default)


def parse(text: str | None, path: str) -> CatalogProduct | None:
    """A stored or committed file; None when absent or unreadable (the caller says which)."""
    if text is None:
        return None
    try:
        return load(text, path)
    except CatalogFormatError:
        return None


ArgsT = TypeVar("ArgsT", bound=BaseModel)


def catalog_action(tool: str, kind: str, args: BaseModel, **facts: Any) -> Action:
    """An action of this cluster with ``args`` exactly as the tool receives them."""
    return Action(
        cluster=CLUSTER,
        agent=AGENT,
        tool=tool,
        kind=kind,
        args=args.model_dump(mode="json"),
        **facts,
    )


async def gated(
    runtime: Runtime[Context],
    args: ArgsT,
    build: Callable[[ArgsT], Action],
    context: ProposalContext,
    execute: Callable[[Action, str], Awaitable[JsonValue]],
) -> GateOutcome:
    """One write through the approval gate (with the run's kill-switch override); an
    approver's edit is validated as ``args``' model and rebuilt (re-classified) by ``build``."""
    services = await services_of(runtime)
    switch = runtime.context.kill_switch if runtime.context else None
    model = type(args)

    def rebuild(edited: dict[str, JsonValue]) -> Action:
        return build(model.model_validate(edited))

    return await run_gated(
        Proposal(action=build(args), context=context, args_model=model, rebuild=rebuild),
        execute,
        services=services.gate(kill_switch=switch),
        info=runtime.execution_info,
        writer=runtime.stream_writer,
    )


_GATE_STATUS = {
    GateStatus.EXECUTED: OutcomeStatus.APPLIED,
    GateStatus.REJECTED: OutcomeStatus.REJECTED,
    GateStatus.EXPIRED: OutcomeStatus.EXPIRED,
}


def outcome_of(gate: GateOutcome, subject: str, detail: str) -> Outcome:
    reasons = list(gate.classification.reasons)
    if gate.status is not GateStatus.EXECUTED:
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
    return Outcome(
        subject=subject,
        status=_GATE_STATUS[gate.status],
        detail=detail,
        reasons=reasons,
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        decided_by=gate.decided_by,
    )


async def record_conflicts(
    sync: SyncRepository, sync_id: str, handle: str, merge: Merge
) -> list[Conflict]:
    """The merge's conflicts, recorded (once per sync, handle and field) for a person to decide."""
    found = []
    for conflict in merge.conflicts:
        record = await sync.open_conflict(
            derived_id(sync_id, handle, conflict.field),
            sync_id,
            handle,
            conflict.field,
            base=conflict.base,
            ours=conflict.ours,
            theirs=conflict.theirs,
        )
        found.append(Conflict(id=record.id, handle=handle, field=conflict.field))
    return found


async def plan_change(
    sync: SyncRepository,
    sync_id: str,
    handle: str,
    current: ShopProduct | None,
    desired: CatalogProduct,
    *,
    stage: bool,
    conflicts: list[Conflict] | None = None,
) -> ProductPlan:
    """A product to change on Shopify, its field changes recorded as pending in the sync."""
    changes = diff(None if current is None else current.product, desired)
    await sync.record_changes(
        sync_id, handle, [(c.field, c.before, c.after) for c in changes], ChangeStatus.PENDING
    )
    return ProductPlan(
        handle=handle,
        product_id=None if current is None else current.id,
        current=None if current is None else current.product,
        desired=desired,
        changes=[FieldChange(field=c.field, before=c.before, after=c.after) for c in changes],
        conflicts=conflicts or [],
        variant_ids={} if current is None else current.variant_ids,
        unit_costs={} if current is None else current.unit_costs,
        badges=[] if current is None else current.badges,
        stage=stage,
    )
