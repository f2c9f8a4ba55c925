"""The customer-service cluster's vocabulary: operations, outcomes, refund requests."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

CLUSTER = "customer_service"


class Operation(StrEnum):
    ANSWER_TICKETS = "answer_tickets"
    """Every ticket waiting for the store, or one (``ticket_id``)."""
    REFUND = "refund"
    RETENTION = "retention"
    """Lifetime value, VIPs and churn risk from the store's orders (read-only)."""
    REQUEST_REVIEWS = "request_reviews"
    """A review request for every delivered order that has none (once per order)."""
    CHECK_REVIEWS = "check_reviews"
    """The latest reviews: sentiment, topics, product issues, and drafted public replies."""
    RETENTION_OFFER = "retention_offer"
    """A win-back discount code for the customers at churn risk, within the policy's limits."""
    EMAIL_FLOWS = "email_flows"
    """One email marketing flow (``flow``: welcome, abandoned_cart, post_purchase, win_back)."""


class OutcomeStatus(StrEnum):
    ANSWERED = "answered"
    HANDED_OFF = "handed_off"
    ALREADY_ANSWERED = "already_answered"
    REFUNDED = "refunded"
    ANALYSED = "analysed"
    REQUESTED = "requested"
    ALREADY_REQUESTED = "already_requested"
    REPLIED = "replied"
    ALREADY_REPLIED = "already_replied"
    OFFERED = "offered"
    REJECTED = "rejected"
    EXPIRED = "expired"
    STOPPED = "stopped"
    FAILED = "failed"
    SENT = "sent"
    SKIPPED = "skipped"


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    status: OutcomeStatus
    detail: str
    reasons: list[str] = Field(default_factory=list)
    category: str | None = None
    risk_level: str | None = None
    approval_id: str | None = None
    ticket_id: int | None = None
    first_response_seconds: float | None = None
    amount: Decimal | None = None


class RefundRequest(BaseModel):
    """A refund the operator asked for: which order, how much, why (validated, typed)."""

    model_config = ConfigDict(frozen=True)

    order_number: int = Field(gt=0)
    amount: Decimal = Field(gt=0, decimal_places=2)
    reason: str = Field(min_length=1, max_length=500)
