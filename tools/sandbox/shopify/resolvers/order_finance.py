"""Order risk, transaction fees and ``orderCancel``: what fraud review and the books read.

Fees follow Shopify Payments' European card rate (1.9% + €0.25 per successful sale or
capture); other gateways (bank deposit, manual) charge nothing.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.sandbox.shopify.models import Order, OrderTransaction
from tools.sandbox.shopify.resolvers.common import (
    Info,
    RequestContext,
    money,
    number_or_none,
    resolves,
    store,
)
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation

FEE_RATE = Decimal("0.019")
FEE_FLAT = Decimal("0.25")
FEE_GATEWAY = "shopify_payments"
_CHARGED = ("SALE", "CAPTURE")
_RECOMMENDATION = {"HIGH": "CANCEL", "MEDIUM": "INVESTIGATE", "LOW": "ACCEPT"}


def transaction_fee(transaction: OrderTransaction) -> Decimal:
    """The processing fee of one transaction (zero for other gateways and kinds)."""
    if (
        transaction.gateway != FEE_GATEWAY
        or transaction.kind not in _CHARGED
        or transaction.status != "SUCCESS"
    ):
        return Decimal("0")
    fee = transaction.amount * FEE_RATE + FEE_FLAT
    return fee.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@resolves("OrderTransaction", "fees")
def transaction_fees(transaction: OrderTransaction, info: Info) -> list[dict[str, Any]]:
    fee = transaction_fee(transaction)
    if not fee:
        return []
    currency = store(info).orders[transaction.order_number].currency_code
    return [
        {
            "id": f"gid://shopify/TransactionFee/{transaction.number}",
            "amount": money(fee, currency),
            "flatFee": money(FEE_FLAT, currency),
            "flatFeeName": None,
            "rate": FEE_RATE,
            "rateName": "Shopify Payments",
            "taxAmount": money(Decimal("0.00"), currency),
            "type": "transaction_fee",
        }
    ]


@resolves("Order", "risk")
def order_risk(order: Order, _info: Info) -> dict[str, Any]:
    facts = order.risk_facts or [("Card verification passed", "POSITIVE")]
    return {
        "assessments": [
            {
                "riskLevel": order.risk_level,
                "facts": [{"description": d, "sentiment": s} for d, s in facts],
            }
        ],
        "recommendation": _RECOMMENDATION.get(order.risk_level, "NONE"),
    }


def _cancel_error(message: str, code: str) -> Payload:
    error = {"field": ["orderId"], "message": message, "code": code}
    return {"job": None, "orderCancelUserErrors": [error], "userErrors": [error]}


@mutation("orderCancel")
def order_cancel(
    ctx: RequestContext,
    orderId: str,
    reason: str,
    refund: bool,
    restock: bool,
    notifyCustomer: bool | None = None,
    staffNote: str | None = None,
) -> Payload:
    """Cancel an unfulfilled order (``refund`` must be false here: refunds go through
    ``refundCreate``, so every refund is one recorded effect)."""
    number = number_or_none(orderId, "Order")
    order = ctx.store.orders.get(number) if number is not None else None
    if order is None:
        return _cancel_error("Order does not exist", "NOT_FOUND")
    if order.cancelled_at is not None:
        return _cancel_error("Order has already been cancelled", "ORDER_ALREADY_CANCELLED")
    if order.fulfillments:
        return _cancel_error("Cannot cancel a fulfilled order", "ORDER_CANNOT_BE_CANCELLED")
    if refund:
        return _cancel_error("refund=true is not emulated; use refundCreate", "INVALID")
    now = ctx.store.now()
    order.cancelled_at = now
    order.updated_at = now
    if staffNote:
        order.note = f"{order.note or ''}\n{staffNote}".strip()
    for fulfillment_order in order.fulfillment_orders:
        fulfillment_order.status = "CLOSED"
        fulfillment_order.updated_at = now
    return {
        "job": {"id": f"gid://shopify/Job/cancel-{order.number}", "done": True},
        "orderCancelUserErrors": [],
        "userErrors": [],
    }
