"""The cluster's writes as typed actions: replies, hand-offs and refunds, through the gate."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from nodes.approval.args import register_args_model
from nodes.customer_service.models import CLUSTER
from policies import Action, ActionKind

REPLY_TOOL = "helpdesk_reply"
HANDOFF_TOOL = "helpdesk_hand_off"
REFUND_TOOL = "shopify_refund_create"


class ReplyArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_id: int = Field(gt=0)
    in_reply_to: int = Field(gt=0, description="The customer comment this answers.")
    body: str = Field(min_length=1, max_length=5000)
    status: str = Field(pattern=r"^(pending|solved|open)$")


class HandOffArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_id: int = Field(gt=0)
    in_reply_to: int = Field(gt=0)
    reason: str = Field(min_length=1, max_length=500)
    note: str = Field(min_length=1, max_length=10_000)


class RefundArgs(BaseModel):
    """What ``refundCreate`` receives; an approver may edit the amount (re-classified)."""

    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(pattern=r"^gid://shopify/Order/\d+$")
    order_name: str
    amount: Decimal = Field(gt=0, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    reason: str = Field(min_length=1, max_length=500)
    payment_id: str = Field(pattern=r"^gid://shopify/OrderTransaction/\d+$")
    gateway: str


def reply_action(args: ReplyArgs, customer_text: str) -> Action:
    return Action(
        cluster=CLUSTER,
        agent="support_agent",
        tool=REPLY_TOOL,
        kind=ActionKind.CUSTOMER_REPLY,
        args=args.model_dump(mode="json"),
        source_text=customer_text,
    )


def hand_off_action(args: HandOffArgs, customer_text: str) -> Action:
    return Action(
        cluster=CLUSTER,
        agent="support_agent",
        tool=HANDOFF_TOOL,
        kind=ActionKind.CUSTOMER_HANDOFF,
        args=args.model_dump(mode="json"),
        reasoning=args.reason,
        source_text=customer_text,
    )


def refund_action(args: RefundArgs, refundable: Decimal) -> Action:
    """The refund as the tool receives it; more than the order has left is refused here."""
    if args.amount > refundable:
        raise ValueError(
            f"{args.currency} {args.amount} is more than the {args.currency} {refundable} "
            f"left to refund on {args.order_name}"
        )
    return Action(
        cluster=CLUSTER,
        agent="refund_agent",
        tool=REFUND_TOOL,
        kind=ActionKind.REFUND_CREATE,
        args=args.model_dump(mode="json"),
        amount=args.amount,
        currency=args.currency,
        reasoning=args.reason,
    )


def amount_text(amount: Decimal, currency: str) -> str:
    return f"€{amount}" if currency == "EUR" else f"{currency} {amount}"


register_args_model(REPLY_TOOL, ReplyArgs)
register_args_model(HANDOFF_TOOL, HandOffArgs)
register_args_model(REFUND_TOOL, RefundArgs)
