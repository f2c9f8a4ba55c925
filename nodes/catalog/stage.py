"""Staging: the change is written to an unpublished draft copy of the product first, and
checked there (required fields, prices against unit costs, images Shopify could fetch,
collections that exist) before anything customers see is touched."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import BaseModel, ConfigDict, JsonValue

from nodes.approval import GateStatus, ProposalContext
from nodes.catalog.checks import product_checks
from nodes.catalog.common import catalog_action, gated, sync_repository
from nodes.catalog.models import Check, Outcome, OutcomeStatus, Staged
from nodes.catalog.state import CatalogState, PlanInput
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from policies import Action, ActionKind
from storage.sync_schema import ChangeStatus
from tools.catalog import shopify
from tools.catalog.model import CatalogProduct
from tools.shopify.errors import ShopifyError

TOOL = "shopify.productSet (staging copy)"


class StageArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staging_handle: str
    product: dict[str, JsonValue]


class StageResult(BaseModel):
    staging_id: str
    failed_images: list[str]
    collections: list[str]


def _action(args: StageArgs) -> Action:
    return catalog_action(TOOL, ActionKind.CATALOG_STAGE, args)


async def stage(state: PlanInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    plan = state["plan"]
    copy = shopify.staging_copy(plan.desired)
    args = StageArgs(staging_handle=copy.handle, product=copy.model_dump(mode="json"))

    async def execute(action: Action, key: str) -> JsonValue:
        chosen = CatalogProduct.model_validate(StageArgs.model_validate(action.args).product)
        collections = await shopify.collection_ids(services.shopify)
        staging_id = await shopify.set_product(
            services.shopify, shopify.set_input(chosen, collections=collections), product_id=None
        )
        staged = await shopify.get_product(services.shopify, staging_id)
        result = StageResult(
            staging_id=staging_id,
            failed_images=[] if staged is None else staged.failed_images,
            collections=sorted(collections),
        )
        return result.model_dump(mode="json")

    context = ProposalContext(
        title=f"Stage {plan.handle} as an unpublished draft",
        description=f"Write the change to the draft {copy.handle} to check it before it goes live.",
        reasoning="A change is tried on a copy no customer sees before it is promoted.",
        data_sources=[f"github:catalog/products/{plan.handle}.yaml"],
    )
    try:
        gate = await gated(runtime, args, _action, context, execute)
    except ShopifyError as exc:
        failure = ServiceFailure.of(
            "Shopify", f"stage {plan.handle}", exc, f"{plan.handle} was not changed"
        )
        return {
            "failures": [failure],
            "staged": [
                Staged(
                    handle=plan.handle, checks=[Check(name="staged", passed=False, detail=str(exc))]
                )
            ],
        }
    if gate.status is not GateStatus.EXECUTED or not isinstance(gate.result, dict):
        check = Check(name="staged", passed=False, detail=f"staging {gate.status}")
        return {"staged": [Staged(handle=plan.handle, checks=[check])]}
    result = StageResult.model_validate(gate.result)
    checks = product_checks(
        plan.desired,
        unit_costs=plan.unit_costs,
        failed_images=result.failed_images,
        collections=result.collections,
    )
    return {"staged": [Staged(handle=plan.handle, checks=checks, staging_id=result.staging_id)]}


def route_plans(state: CatalogState) -> list[Send] | str:
    """Each planned product to its own staging task (or straight to promotion when the plan
    restores known values: rollbacks and resolutions)."""
    plans = state.get("plans") or []
    if not plans:
        return "settle"
    return [
        Send(
            "stage" if plan.stage else "promote",
            {"plan": plan, "sync_id": state["sync_id"], "operation": state["operation"]},
        )
        for plan in plans
    ]


async def review_staging(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Products whose checks failed stop here, said with each failed check."""
    services = await services_of(runtime)
    sync = sync_repository(services)
    staged = {s.handle: s for s in state.get("staged") or []}
    outcomes = []
    for plan in state.get("plans") or []:
        result = staged.get(plan.handle)
        if result is None or result.passed:
            continue
        failed = [f"{c.name}: {c.detail}" for c in result.checks if not c.passed]
        await sync.set_change_status(
            state["sync_id"], plan.handle, ChangeStatus.SKIPPED, only=ChangeStatus.PENDING
        )
        outcomes.append(
            Outcome(
                subject=plan.handle,
                status=OutcomeStatus.STOPPED,
                detail="checks failed on the staging copy; not promoted",
                reasons=failed,
            )
        )
    return {"outcomes": outcomes}


def route_promotions(state: CatalogState) -> list[Send] | str:
    staged = {s.handle: s for s in state.get("staged") or []}
    ready = [
        plan
        for plan in state.get("plans") or []
        if plan.stage and (result := staged.get(plan.handle)) is not None and result.passed
    ]
    if not ready:
        return "settle"
    return [
        Send(
            "promote", {"plan": plan, "sync_id": state["sync_id"], "operation": state["operation"]}
        )
        for plan in ready
    ]
