"""The email marketing agent's vocabulary: flows, recipients, and the send as a typed action.

A flow's batch is one policy-rated write (``email.send``, rated by how many people it
reaches); each message inside it is applied once per customer and trigger.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from nodes.approval.args import register_args_model
from nodes.clusters import ClusterTask
from nodes.customer_service.models import CLUSTER
from policies import Action, ActionKind

EMAIL_TOOL = "klaviyo_event_create"
_MESSAGE_NAMESPACE = uuid.UUID("8e3b9f4a-1c2d-4e5f-9a0b-7c6d5e4f3a21")


class Flow(StrEnum):
    WELCOME = "welcome"
    """Customers who signed up in the last days."""
    ABANDONED_CART = "abandoned_cart"
    """Shopify abandoned checkouts, one reminder each."""
    POST_PURCHASE = "post_purchase"
    """An upsell a few days after an order."""
    WIN_BACK = "win_back"
    """Customers at churn risk (no order for much longer than usual)."""


#: The Klaviyo metric that triggers each flow, and how people call it.
METRIC = {
    Flow.WELCOME: "Royal Welcome Series",
    Flow.ABANDONED_CART: "Royal Abandoned Checkout",
    Flow.POST_PURCHASE: "Royal Post Purchase",
    Flow.WIN_BACK: "Royal Win Back",
}
TITLE = {
    Flow.WELCOME: "Welcome series",
    Flow.ABANDONED_CART: "Abandoned cart recovery",
    Flow.POST_PURCHASE: "Post-purchase upsell",
    Flow.WIN_BACK: "Win-back",
}


class Recipient(BaseModel):
    """One customer and the trigger (checkout, order, sign-up) their message is about."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    first_name: str | None = Field(default=None, max_length=200)
    trigger: str = Field(min_length=1, max_length=200, description="e.g. a checkout's gid")
    properties: dict[str, JsonValue] = Field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, str]:
        return self.email.lower(), self.trigger


class EmailBatchArgs(BaseModel):
    """What the send receives; an approver may drop recipients (re-classified by count)."""

    model_config = ConfigDict(extra="forbid")

    flow: Flow
    metric: str = Field(min_length=1, max_length=128)
    recipients: list[Recipient] = Field(min_length=1)


def email_flow_of(task: ClusterTask) -> str:
    """The task's ``flow`` parameter, normalised ("abandoned-cart" -> "abandoned_cart")."""
    return str(task.parameters.get("flow") or "").strip().lower().replace("-", "_")


def message_key(flow: Flow, trigger: str, email: str) -> str:
    """The idempotency key of one message: the same customer and trigger give the same key in
    every run and process, so no customer gets one flow's message for one trigger twice."""
    return str(uuid.uuid5(_MESSAGE_NAMESPACE, f"{flow.value}\x1f{trigger}\x1f{email.lower()}"))


def email_action(args: EmailBatchArgs) -> Action:
    """Rated by the number of recipients only; names and checkout notes never reach the rules."""
    return Action(
        cluster=CLUSTER,
        agent="email_marketing_agent",
        tool=EMAIL_TOOL,
        kind=ActionKind.EMAIL_SEND,
        args=args.model_dump(mode="json"),
        recipients=len(args.recipients),
        reasoning=f"{TITLE[args.flow]} to {len(args.recipients)} consenting customer(s)",
    )


register_args_model(EMAIL_TOOL, EmailBatchArgs)
