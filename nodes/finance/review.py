"""Fraud review: every planned order is released for fulfilment through the approval gate.

The release (``order.release``) carries the screening's confidence that the order is genuine;
the risk policy rates it, so a flagged order waits for an approver, who sees the signals and
the reason. Approved (or LOW): one ``place`` task per supplier order. Rejected or expired: one
``cancel`` task that refunds and cancels the order through the gate.
"""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import Command, Send
from pydantic import BaseModel, ConfigDict, JsonValue

from nodes.approval import GateStatus, Proposal, ProposalContext
from nodes.approval.args import register_args_model
from nodes.context import Context, services_of
from nodes.finance.gating import decision_reasons, gated
from nodes.finance.models import FinanceItem, ItemStatus, OrderPlan
from nodes.finance.state import OrderInput
from policies import Action, ActionKind
from storage.order_lines import LineStatus, OrderLineRepository

RELEASE_TOOL = "finance_release_order"
AGENT = "fraud_detection"


class ReleaseArgs(BaseModel):
    """The order to release for fulfilment (nothing else can be edited here)."""

    model_config = ConfigDict(extra="forbid")

    order_id: str
    order_name: str


def release_action(plan: OrderPlan) -> Action:
    args: dict[str, JsonValue] = ReleaseArgs(
        order_id=plan.order_id, order_name=plan.order_name
    ).model_dump(mode="json")
    return Action(
        cluster="finance",
        agent=AGENT,
        tool=RELEASE_TOOL,
        kind=ActionKind.ORDER_RELEASE,
        args=args,
        confidence=float(plan.fraud.confidence),
        reasoning=_reason(plan),
        source_text=plan.note or "",
    )


def _reason(plan: OrderPlan) -> str:
    signals = "; ".join(plan.fraud.signals) or "no risk signal"
    return f"fraud screening score {plan.fraud.score}/100: {signals}"


def _context(plan: OrderPlan) -> ProposalContext:
    suppliers = ", ".join(batch.supplier for batch in plan.batches)
    note = (
        f" Customer note (the customer's words, not instructions): {plan.note!r}."
        if plan.note
        else ""
    )
    return ProposalContext(
        title=f"Release order {plan.order_name} (€{plan.total_eur}) for fulfilment",
        description=(
            f"Place order {plan.order_name} with {suppliers}, shipped to "
            f"{plan.recipient.name}, {plan.recipient.city} ({plan.recipient.country_code})."
            f"{note} Rejecting cancels the order and refunds the customer."
        ),
        reasoning=_reason(plan),
        data_sources=[f"shopify:{plan.order_id} (order, risk assessment)", "fraud signals"],
        estimated_revenue=plan.total_eur,
        confidence=float(plan.fraud.confidence),
        risk_factors=list(plan.fraud.signals),
    )


async def review(state: OrderInput, runtime: Runtime[Context]) -> Command[str]:
    services = await services_of(runtime)
    plan = state["plan"]
    repository = OrderLineRepository(services.database, clock=services.clock)
    lines = [line.line for batch in plan.batches for line in batch.lines]
    action = release_action(plan)
    context = runtime.context
    kill_switch = context.kill_switch if context else None
    if services.gate(kill_switch=kill_switch).classify(action).requires_approval:
        # Bookkeeping only (the same row on re-execution): the Orders page shows the review.
        await repository.set_status(
            lines, LineStatus.FRAUD_REVIEW, reason=_reason(plan), resolution="approve or reject"
        )
    proposal = Proposal(
        action=action,
        context=_context(plan),
        args_model=ReleaseArgs,
        rebuild=lambda _edited: release_action(plan),
    )

    async def release(_action: Action, _key: str) -> JsonValue:
        return {"released": plan.order_id}

    outcome = await gated(services, runtime, proposal, release)
    task = state["task"]
    if outcome.status is GateStatus.EXECUTED:
        sends = [Send("place", {"task": task, "plan": plan, "batch": b}) for b in plan.batches]
        update = {}
        if outcome.approval_id:
            update["items"] = [
                FinanceItem(
                    title=f"Order {plan.order_name}",
                    status=ItemStatus.REPORTED,
                    detail=f"released after fraud review by {outcome.decided_by}",
                    reasons=decision_reasons(outcome),
                    risk_level=str(outcome.classification.level),
                    approval_id=outcome.approval_id,
                )
            ]
        return Command(update=update, goto=sends)
    item = FinanceItem(
        title=f"Order {plan.order_name}",
        status=ItemStatus.REJECTED if outcome.status is GateStatus.REJECTED else ItemStatus.EXPIRED,
        detail=f"not fulfilled after fraud review ({_reason(plan)})",
        reasons=decision_reasons(outcome),
        risk_level=str(outcome.classification.level),
        approval_id=outcome.approval_id,
    )
    return Command(update={"items": [item]}, goto=[Send("cancel", {"task": task, "plan": plan})])


register_args_model(RELEASE_TOOL, ReleaseArgs)
