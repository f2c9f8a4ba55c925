"""Promotion: a checked change written to the live product, as a product action through the
policy, so a price moved more than the policy allows waits for an approver whatever its source
(a pull request, a rollback, a resolved conflict)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, JsonValue

from nodes.approval import GateStatus, ProposalContext
from nodes.catalog.checks import margin_pct
from nodes.catalog.common import catalog_action, gated, outcome_of, sync_repository
from nodes.catalog.models import Operation, Outcome, OutcomeStatus, ProductPlan
from nodes.catalog.report_text import value_text
from nodes.catalog.state import PlanInput
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from policies import Action, ActionKind
from storage.sync_schema import ChangeStatus
from tools.catalog import shopify
from tools.catalog.model import CatalogProduct
from tools.shopify.errors import ShopifyError

TOOL = "shopify.productSet"
_SOURCE = {
    Operation.PULL_REQUEST_MERGED.value: "a merged pull request",
    Operation.ROLLBACK.value: "a rollback",
    Operation.RESOLVE.value: "a resolved conflict",
}


class ApplyArgs(BaseModel):
    """What the tool receives: the live product (None: create it) and its whole new state."""

    model_config = ConfigDict(extra="forbid")

    product_id: str | None
    product: dict[str, JsonValue]


def largest_price_change(
    before: CatalogProduct | None, after: CatalogProduct
) -> tuple[Decimal, Decimal] | None:
    """(old, new) of the variant whose price moves the most, relatively; None if none moves."""
    if before is None:
        return None
    moves = [
        (abs(variant.price - old.price) / old.price, old.price, variant.price)
        for variant in after.variants
        if (old := before.variant(variant.key)) is not None
        and old.price > 0
        and old.price != variant.price
    ]
    if not moves:
        return None
    _, old_price, new_price = max(moves)
    return old_price, new_price


def apply_action(plan: ProductPlan, args: ApplyArgs, reasoning: str) -> Action:
    desired = CatalogProduct.model_validate(args.product)
    change = largest_price_change(plan.current, desired)
    margin = margin_pct(desired, plan.unit_costs)
    if args.product_id is None:
        first = desired.variants[0].price
        return catalog_action(
            TOOL,
            ActionKind.PRODUCT_CREATE,
            args,
            price_after=first,
            margin_pct=margin,
            reasoning=reasoning,
        )
    return catalog_action(
        TOOL,
        ActionKind.PRODUCT_UPDATE,
        args,
        price_before=None if change is None else change[0],
        price_after=None if change is None else change[1],
        margin_pct=margin,
        reasoning=reasoning,
    )


async def promote(state: PlanInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    plan, sync_id = state["plan"], state["sync_id"]
    source = _SOURCE.get(state["operation"], "the repository")
    changes = "; ".join(
        f"{c.field}: {value_text(c.before)} → {value_text(c.after)}" for c in plan.changes
    )
    reasoning = f"{plan.handle} changed through {source}: {changes or 'no field changes'}"
    args = ApplyArgs(product_id=plan.product_id, product=plan.desired.model_dump(mode="json"))

    async def execute(action: Action, key: str) -> JsonValue:
        chosen = ApplyArgs.model_validate(action.args)
        product = CatalogProduct.model_validate(chosen.product)
        collections = await shopify.collection_ids(services.shopify)
        set_data = shopify.set_input(
            product, collections=collections, variant_ids=plan.variant_ids, badges=plan.badges
        )
        product_id = await shopify.set_product(
            services.shopify, set_data, product_id=chosen.product_id
        )
        return {"product_id": product_id}

    context = ProposalContext(
        title=f"Apply {plan.handle} on Shopify ({len(plan.changes)} field(s))",
        description=reasoning,
        reasoning=f"The change comes from {source} and passed its checks.",
        data_sources=[f"github:catalog/products/{plan.handle}.yaml", f"shopify:{plan.product_id}"],
        risk_factors=[f"open conflict on {c.field}" for c in plan.conflicts],
    )
    sync = sync_repository(services)
    try:
        gate = await gated(
            runtime, args, lambda chosen: apply_action(plan, chosen, reasoning), context, execute
        )
    except ShopifyError as exc:
        await sync.set_change_status(
            sync_id, plan.handle, ChangeStatus.SKIPPED, only=ChangeStatus.PENDING
        )
        failure = ServiceFailure.of(
            "Shopify", f"apply {plan.handle}", exc, f"{plan.handle} was not changed"
        )
        return {
            "failures": [failure],
            "outcomes": [
                Outcome(subject=plan.handle, status=OutcomeStatus.FAILED, detail=str(exc))
            ],
        }
    applied = gate.status is GateStatus.EXECUTED
    await sync.set_change_status(
        sync_id,
        plan.handle,
        ChangeStatus.APPLIED if applied else ChangeStatus.SKIPPED,
        only=ChangeStatus.PENDING,
    )
    detail = f"{len(plan.changes)} field(s): {changes}" if changes else "no field changes"
    return {"outcomes": [outcome_of(gate, plan.handle, detail)]}
