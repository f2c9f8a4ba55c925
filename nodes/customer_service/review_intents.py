"""Offline planning rules for reviews and retention offers (the review and loyalty agents).

"Ask for reviews" plans review requests; "check the latest reviews" plans reading and replying;
a retention offer needs an offer word (offer, discount, code, coupon) with a churn word, and
takes a percentage from the goal when one is given (the policy rates it, not the goal's words).
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import JsonValue

from nodes.ceo.intents import Intent, IntentMatch, IntentTask
from nodes.customer_service.intents import SPECIFIC
from nodes.customer_service.models import Operation

_REVIEW = re.compile(r"\breviews?\b|\bfeedback\b|\bratings?\b", re.I)
_ASK = re.compile(r"\b(ask|asking|request|requests|send|invite|collect|get more|solicit)\b", re.I)
_READ = re.compile(
    r"\b(check|read|analy[sz]e|look at|go through|summari[sz]e|what do|latest|new|recent|"
    r"answer|reply|respond|monitor|process)\b",
    re.I,
)
_REFUND = re.compile(r"\brefund", re.I)
_OFFER = re.compile(r"\b(offers?|discounts?|codes?|coupons?|incentives?|voucher)\b", re.I)
_CHURN = re.compile(
    r"\b(churn\w*|retention|retain|win[- ]?back|at[- ]risk|lapsed|inactive|lost customers|"
    r"bring back|come back)\b",
    re.I,
)
_PCT = re.compile(r"(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:%|percent\b)", re.I)
_DAYS = re.compile(r"\b(\d{1,2})\s*days?\b", re.I)


def request_reviews(goal: str) -> IntentMatch | None:
    """Ask the customers of delivered orders for a review."""
    if not (_REVIEW.search(goal) and _ASK.search(goal)) or _REFUND.search(goal):
        return None
    return IntentMatch(
        tasks=(
            IntentTask(
                title="Ask for reviews of delivered orders",
                instructions=f"One review request per delivered order ({goal})",
                parameters={"operation": Operation.REQUEST_REVIEWS.value},
            ),
        ),
        strength=SPECIFIC,
        success_criteria="Every delivered order has one review request.",
    )


def check_reviews(goal: str) -> IntentMatch | None:
    """Read the latest reviews: sentiment, topics, product issues and public replies."""
    if not _REVIEW.search(goal) or _REFUND.search(goal):
        return None
    if _ASK.search(goal) and not _READ.search(goal):
        return None
    if not _READ.search(goal):
        return None
    return IntentMatch(
        tasks=(
            IntentTask(
                title="Check the latest reviews",
                instructions="Sort the latest reviews by sentiment and topic, raise product "
                f"issues, reply in public under the policy ({goal})",
                parameters={"operation": Operation.CHECK_REVIEWS.value},
            ),
        ),
        strength=SPECIFIC,
        success_criteria="The latest reviews are summarised; replies are published or wait.",
    )


def retention_offer(goal: str) -> IntentMatch | None:
    """A win-back discount code for the customers at churn risk."""
    if not (_OFFER.search(goal) and _CHURN.search(goal)) or _REFUND.search(goal):
        return None
    parameters: dict[str, JsonValue] = {"operation": Operation.RETENTION_OFFER.value}
    pct = _PCT.search(goal)
    if pct:
        parameters["discount_pct"] = str(Decimal(pct.group(1).replace(",", ".")))
    days = _DAYS.search(goal)
    if days:
        parameters["days"] = int(days.group(1))
    return IntentMatch(
        tasks=(
            IntentTask(
                title="Make a retention offer for customers at churn risk",
                instructions=f"A win-back discount code with an end date ({goal})",
                parameters=parameters,
            ),
        ),
        strength=SPECIFIC + 1,
        success_criteria="A discount code with an end date exists, or waits for an approver.",
    )


REVIEW_INTENTS = (
    Intent(
        cluster="customer_service",
        name="request_reviews",
        match=request_reviews,
        examples=("Ask for reviews of delivered orders",),
    ),
    Intent(
        cluster="customer_service",
        name="check_reviews",
        match=check_reviews,
        examples=("Check the latest reviews",),
    ),
    Intent(
        cluster="customer_service",
        name="retention_offer",
        match=retention_offer,
        examples=("Send a retention offer to customers at risk of churning",),
    ),
)
