"""Supplier onboarding through the approval gate (``supplier.onboard``: HIGH by the seeds).

The write is a row in the store's supplier registry (``storage.product_suppliers``), made once
through the effects ledger. Once onboarded, vetting treats the vendor as proven, and the task
turns into sourcing from that vendor only: its best products are priced, decided and published
like any other (each publish in its own task).
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from nodes.approval import (
    Alternative,
    GateOutcome,
    Proposal,
    ProposalContext,
    run_gated,
)
from nodes.approval.args import register_args_model
from nodes.clusters import ClusterTask
from nodes.context import Context, services_of
from nodes.product.gated import gated_result
from nodes.product.jobs import OnboardParams, ProductJob, job_of
from nodes.product.models import Outcome, OutcomeStatus, SupplierChoice
from nodes.product.state import ProductState
from policies import Action, ActionKind, SupplierStatus
from storage.product_suppliers import NewOnboarding, SupplierRegistry

ONBOARD_TOOL = "onboard_supplier"
AGENT = "supplier_vetting"


class OnboardArgs(BaseModel):
    """The supplier the store starts working with (only its display name may be edited)."""

    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=32)
    vendor_id: str = Field(min_length=1, max_length=255)
    vendor_name: str = Field(min_length=1, max_length=255)


def onboard_args(choice: SupplierChoice) -> OnboardArgs:
    vendor = choice.vendor
    return OnboardArgs(platform=vendor.platform, vendor_id=vendor.id, vendor_name=vendor.name)


def onboard_action(choice: SupplierChoice, args: OnboardArgs) -> Action:
    """The typed action: the vendor's vetting status is code's, never the supplier's word."""
    vendor = choice.vendor
    if (args.platform, args.vendor_id) != (vendor.platform, vendor.id):
        raise ValueError(
            f"only the proposed supplier ({vendor.platform}:{vendor.id}) can be onboarded here"
        )
    json_args: dict[str, JsonValue] = args.model_dump(mode="json")
    return Action(
        cluster="product",
        agent=AGENT,
        tool=ONBOARD_TOOL,
        kind=ActionKind.SUPPLIER_ONBOARD,
        args=json_args,
        supplier_id=vendor.id,
        supplier_status=SupplierStatus(choice.scorecard.status),
        reasoning=choice.reason,
    )


async def onboard_supplier(state: ProductState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    choice = state.get("supplier_choice")
    if choice is None:  # pragma: no cover - routed here only with a choice
        return {}
    task = state["task"]
    registry = SupplierRegistry(services.database, clock=services.clock)
    info = runtime.execution_info

    def rebuild(edited: dict[str, JsonValue]) -> Action:
        return onboard_action(choice, OnboardArgs.model_validate(edited))

    async def execute(action: Action, key: str) -> JsonValue:
        args = OnboardArgs.model_validate(action.args)
        record = await registry.onboard(
            NewOnboarding(
                platform=args.platform,
                vendor_id=args.vendor_id,
                vendor_name=args.vendor_name,
                thread_id=info.thread_id if info else None,
                scorecard=choice.scorecard.model_dump(mode="json"),
            )
        )
        return {
            "platform": record.platform,
            "vendor_id": record.vendor_id,
            "onboarded_at": record.onboarded_at.isoformat(),
        }

    args = onboard_args(choice)
    context = runtime.context
    outcome = await run_gated(
        Proposal(
            action=onboard_action(choice, args),
            context=_context(choice),
            args_model=OnboardArgs,
            rebuild=rebuild,
        ),
        execute,
        services=services.gate(kill_switch=context.kill_switch if context else None),
        info=info,
        writer=runtime.stream_writer,
    )
    update: dict[str, Any] = {"outcomes": [_outcome(choice, outcome)]}
    if outcome.executed:
        await registry.attribute(
            args.platform, args.vendor_id, by=outcome.decided_by, approval_id=outcome.approval_id
        )
        update |= {"onboarded": True, "task": publishing_task(task, choice)}
    return update


def publishing_task(task: ClusterTask, choice: SupplierChoice) -> ClusterTask:
    """The same task, now sourcing the onboarded vendor's best products (if any are wanted)."""
    params = OnboardParams.of(task)
    parameters = {k: v for k, v in task.parameters.items() if k not in {"action", "supplier"}}
    parameters |= {"action": ProductJob.SOURCE.value, "vendor_id": choice.vendor.id}
    parameters["count"] = params.count
    return task.model_copy(update={"parameters": parameters})


def after_onboarding(state: ProductState) -> str:
    """On to sourcing from the new supplier, or straight to the report."""
    task = state["task"]
    sourcing = state.get("onboarded") and job_of(task) is ProductJob.SOURCE
    return "scout" if sourcing and OnboardParams.of(task).count > 0 else "report"


def _context(choice: SupplierChoice) -> ProposalContext:
    vendor = choice.vendor
    return ProposalContext(
        title=f"Onboard supplier {vendor.name}",
        description=(
            f"Start working with {vendor.name} on {choice.platform_name}: its products may then "
            f"be published like a proven supplier's. {choice.reason}."
        ),
        reasoning=choice.reason,
        data_sources=[
            f"{vendor.platform}:vendor/{vendor.id} (supplier figures)",
            f"{vendor.platform}:catalog ({choice.listings} matching products)",
        ],
        risk_factors=[*choice.scorecard.failures],
        alternatives=[Alternative(description=text) for text in choice.passed_over],
    )


def _outcome(choice: SupplierChoice, gate: GateOutcome) -> Outcome:
    status, reasons = gated_result(gate, OutcomeStatus.ONBOARDED)
    vendor = choice.vendor
    return Outcome(
        title=vendor.name,
        status=status,
        supplier=vendor.platform,
        vendor=vendor.name,
        detail=choice.reason,
        reasons=reasons,
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        decided_by=gate.decided_by,
    )


register_args_model(ONBOARD_TOOL, OnboardArgs)
