"""The review agent's writes as typed actions: review requests and public replies.

A reply's kind comes from the review's star rating alone (4-5: ``review.reply``, 3 or fewer:
``review.reply_critical``), so the words of a review can never change its risk level.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nodes.approval.args import register_args_model
from nodes.customer_service.models import CLUSTER
from nodes.customer_service.review_analysis import POSITIVE_MIN_RATING
from policies import Action, ActionKind

REQUEST_TOOL = "reviews_request_review"
ISSUE_NOTICE_TOOL = "notifications"
"""How the effects ledger names the product-issue notification the review agent raises once."""
REPLY_TOOL = "reviews_reply"
AGENT = "review_agent"


class ReviewRequestArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_external_id: int = Field(gt=0)
    order_name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ReviewReplyArgs(BaseModel):
    """The public reply; an approver may edit the content, never the review or its rating."""

    model_config = ConfigDict(extra="forbid")

    review_id: int = Field(gt=0)
    rating: int = Field(ge=1, le=5)
    content: str = Field(min_length=1, max_length=1500)


def request_action(args: ReviewRequestArgs) -> Action:
    return Action(
        cluster=CLUSTER,
        agent=AGENT,
        tool=REQUEST_TOOL,
        kind=ActionKind.REVIEW_REQUEST,
        args=args.model_dump(mode="json"),
        reasoning=f"{args.order_name} was delivered; one review request per order",
    )


def reply_kind(rating: int) -> ActionKind:
    if rating >= POSITIVE_MIN_RATING:
        return ActionKind.REVIEW_REPLY
    return ActionKind.REVIEW_REPLY_CRITICAL


def reply_action(args: ReviewReplyArgs, review_text: str) -> Action:
    return Action(
        cluster=CLUSTER,
        agent=AGENT,
        tool=REPLY_TOOL,
        kind=reply_kind(args.rating),
        args=args.model_dump(mode="json"),
        reasoning=f"public reply to a {args.rating}-star review",
        source_text=review_text,
    )


register_args_model(REQUEST_TOOL, ReviewRequestArgs)
register_args_model(REPLY_TOOL, ReviewReplyArgs)
