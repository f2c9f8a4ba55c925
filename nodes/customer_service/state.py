"""The customer-service cluster's state: its narrow input and output are the cluster contract."""

from __future__ import annotations

import operator
from typing import Annotated

from typing_extensions import TypedDict

from nodes.catalog.state import accumulate
from nodes.clusters import ClusterReport, ClusterTask, ServiceFailure
from nodes.customer_service.models import Outcome, RefundRequest
from nodes.customer_service.review_analysis import ReviewToAnswer


class CustomerServiceState(TypedDict, total=False):
    task: ClusterTask
    goal: str
    operation: str
    ticket_ids: list[int]
    refund: RefundRequest | None
    review_replies: list[ReviewToAnswer]
    email_flow: str | None
    outcomes: Annotated[list[Outcome], accumulate]
    notes: Annotated[list[str], accumulate]
    alerts: Annotated[list[str], accumulate]
    failures: Annotated[list[ServiceFailure], accumulate]
    reports: Annotated[list[ClusterReport], operator.add]


class TicketInput(TypedDict):
    """A ``Send`` to answer one ticket (its own task: one reply, at most one interrupt)."""

    ticket_id: int


class RefundInput(TypedDict):
    refund: RefundRequest


class ReviewReplyInput(TypedDict):
    """A ``Send`` to answer one review in public (its own task: at most one interrupt)."""

    review: ReviewToAnswer
