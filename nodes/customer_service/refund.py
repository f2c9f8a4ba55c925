"""A refund the operator asked for: checked against the order, then through the policy gate.

≤ €50 executes and notifies (MEDIUM); more waits for an approver (HIGH), who may approve,
reject or modify it (a modified amount is re-classified: €51 cut to €40 executes without a
second approval). The approval request offers a partial refund and a discount code instead.
``refundCreate`` carries the gate's idempotency key, so a crash never refunds twice.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import JsonValue

from nodes.approval import Alternative, GateStatus, ProposalContext
from nodes.catalog.common import gated
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.customer_service.actions import RefundArgs, amount_text, refund_action
from nodes.customer_service.models import Outcome, OutcomeStatus
from nodes.customer_service.state import RefundInput
from policies import Action
from tools.customer_service.shopify import SupportOrder, create_refund, order_by_number
from tools.shopify.errors import ShopifyError

_STATUS = {
    GateStatus.EXECUTED: OutcomeStatus.REFUNDED,
    GateStatus.REJECTED: OutcomeStatus.REJECTED,
    GateStatus.EXPIRED: OutcomeStatus.EXPIRED,
}


def _stopped(subject: str, detail: str) -> dict[str, Any]:
    return {"outcomes": [Outcome(subject=subject, status=OutcomeStatus.STOPPED, detail=detail)]}


def _alternatives(order: SupportOrder, amount: Decimal) -> list[Alternative]:
    half = (amount / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    money = amount_text(amount, order.currency)
    return [
        Alternative(
            description=f"Partial refund of {amount_text(half, order.currency)} (half)",
            pros=["Keeps half of the revenue", "Often accepted for minor defects"],
            cons=["The customer may ask again or leave a bad review"],
            estimated_impact=half,
        ),
        Alternative(
            description=f"A single-use discount code worth {money} on the next order "
            "instead of money back",
            pros=["No cash out now", "Brings the customer back"],
            cons=["Only worth something if the customer orders again"],
            estimated_impact=Decimal(0),
        ),
    ]


async def propose_refund(state: RefundInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    request = state["refund"]
    subject = f"Refund on order #{request.order_number}"
    try:
        order = await order_by_number(services.shopify, request.order_number)
    except ShopifyError as exc:
        failure = ServiceFailure.of("Shopify", f"read order #{request.order_number}", exc, "")
        return {"failures": [failure.model_copy(update={"skipped": "no refund was made"})]}
    if order is None:
        return _stopped(subject, f"order #{request.order_number} does not exist in the store")
    payment = order.payment
    if payment is None or not payment.gateway:
        return _stopped(subject, f"{order.name} has no captured payment to refund")
    if request.amount > order.refundable:
        return _stopped(
            subject,
            f"{amount_text(request.amount, order.currency)} is more than the "
            f"{amount_text(order.refundable, order.currency)} left to refund on {order.name}",
        )
    args = RefundArgs(
        order_id=order.id,
        order_name=order.name,
        amount=request.amount,
        currency=order.currency,
        reason=request.reason,
        payment_id=payment.id,
        gateway=payment.gateway,
    )

    def build(chosen: RefundArgs) -> Action:
        if chosen.order_id != order.id or chosen.payment_id != payment.id:
            raise ValueError("a refund edit may change the amount and reason, not the order")
        return refund_action(chosen, order.refundable)

    async def execute(action: Action, key: str) -> JsonValue:
        chosen = RefundArgs.model_validate(action.args)
        refund = await create_refund(
            services.shopify,
            order_id=chosen.order_id,
            amount=chosen.amount,
            payment_id=chosen.payment_id,
            gateway=chosen.gateway,
            note=chosen.reason,
            idempotency_key=key,
        )
        return {"refund_id": refund.id, "amount": str(chosen.amount)}

    money = amount_text(request.amount, order.currency)
    context = ProposalContext(
        title=f"Refund {money} on order {order.name}",
        description=(
            f"Refund {money} of {amount_text(order.total, order.currency)} on {order.name} "
            f"({order.email}); {amount_text(order.refundable, order.currency)} is refundable. "
            f"Reason: {request.reason}"
        ),
        reasoning=request.reason,
        data_sources=["Shopify order " + order.name],
        estimated_cost=request.amount,
        revenue_period="once",
        alternatives=_alternatives(order, request.amount),
    )
    try:
        gate = await gated(runtime, args, build, context, execute)
    except ShopifyError as exc:
        failure = ServiceFailure.of("Shopify", f"refund {order.name}", exc, "no refund was made")
        return {"failures": [failure]}
    final = RefundArgs.model_validate(gate.action.args)
    reasons = list(gate.classification.reasons)
    if gate.status is not GateStatus.EXECUTED:
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
    edited = " (as the approver edited it)" if final.amount != request.amount else ""
    return {
        "outcomes": [
            Outcome(
                subject=f"Refund on order {order.name}",
                status=_STATUS[gate.status],
                detail=f"{amount_text(final.amount, final.currency)}{edited}: {final.reason}",
                reasons=reasons,
                risk_level=str(gate.classification.level),
                approval_id=gate.approval_id,
                amount=final.amount,
            )
        ]
    }
