"""A rejected order: refund the customer and cancel the order, once, through the gate.

The refund is ``shopify_create_refund`` (rated by the refund rules; carried with an idempotency
key, so a repeat never refunds twice); once it has executed, ``orderCancel`` closes the order
(restocking, no second refund). A cancelled order is never fulfilled.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import JsonValue

from nodes.approval import GateStatus
from nodes.approval.tool_gate import proposal_of
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.finance.gating import decision_reasons, gated
from nodes.finance.models import FinanceItem, ItemStatus, OrderPlan
from nodes.finance.state import OrderInput
from policies import Action
from storage.order_lines import LineStatus, OrderLineRepository
from tools.agent_tools import ToolClients
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.shopify_orders import CREATE_REFUND, RefundArgs
from tools.shopify import ShopifyClient, ShopifyError

AGENT = "fraud_detection"
_CANCEL = """
mutation Cancel($orderId: ID!, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: FRAUD, refund: false, restock: true,
              notifyCustomer: true, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { code message }
  }
}
"""


async def cancel_order(shopify: ShopifyClient, order_id: str, note: str) -> JsonValue:
    data = await shopify.execute(_CANCEL, {"orderId": order_id, "staffNote": note})
    payload = data.get("orderCancel") or {}
    errors = payload.get("orderCancelUserErrors") or []
    if errors and not any(e.get("code") == "ORDER_ALREADY_CANCELLED" for e in errors):
        raise ToolInputError("orderCancel: " + "; ".join(str(e.get("message")) for e in errors))
    return {"cancelled": order_id}


async def cancel(state: OrderInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    plan: OrderPlan = state["plan"]
    clients = ToolClients(
        shopify=services.shopify, github=services.github, suppliers=services.suppliers
    )
    note = f"Cancelled after fraud review ({plan.fraud.score}/100)"
    try:
        order = await services.shopify.get_order(plan.order_id)
        if order is None:
            raise ToolInputError(f"order {plan.order_name} no longer exists")
        paid = order.total_price.shop_money.amount
        refunded = order.total_refunded.shop_money.amount if order.total_refunded else 0
        args = RefundArgs(
            order_id=plan.order_id,
            amount=paid - refunded,
            note=note,
            notify=True,
            reasoning=f"Order {plan.order_name} was rejected after fraud review.",
        )
        write = await CREATE_REFUND.prepare(args, clients, cluster="finance", agent=AGENT)

        async def refund_then_cancel(action: Action, key: str) -> JsonValue:
            refund = await write.execute(action, key)
            await cancel_order(services.shopify, plan.order_id, note)
            return {"refund": refund, "cancelled": plan.order_id}

        outcome = await gated(services, runtime, proposal_of(write), refund_then_cancel)
    except (ShopifyError, ToolInputError) as exc:
        failure = ServiceFailure.of(
            "Shopify", f"refund and cancel order {plan.order_name}", exc, "the order stays open"
        )
        return {"failures": [failure]}
    lines = [line.line for batch in plan.batches for line in batch.lines]
    if outcome.status is not GateStatus.EXECUTED:
        return {
            "items": [
                FinanceItem(
                    title=f"Refund of order {plan.order_name}",
                    status=ItemStatus.REJECTED,
                    detail="the refund was not approved; the order stays open and unfulfilled",
                    reasons=decision_reasons(outcome),
                    risk_level=str(outcome.classification.level),
                    approval_id=outcome.approval_id,
                )
            ]
        }
    await OrderLineRepository(services.database, clock=services.clock).set_status(
        lines, LineStatus.CANCELLED, reason=note, resolution=""
    )
    return {
        "items": [
            FinanceItem(
                title=f"Order {plan.order_name}",
                status=ItemStatus.CANCELLED,
                detail=f"refunded €{args.amount} and cancelled",
                reasons=decision_reasons(outcome),
                risk_level=str(outcome.classification.level),
                approval_id=outcome.approval_id,
            )
        ]
    }
