"""Review & feedback agent: review requests for delivered orders, and the latest reviews read,
sorted by sentiment and topic, product issues raised, and public replies drafted.

Review text is the customer's: code reads its star rating and keywords; a model sees it only
fenced (through ``write_reply``), and what the model writes is checked before use. A reply's
risk comes from the rating (4-5 LOW, 3 or fewer HIGH: a person reads it first).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import JsonValue

from nodes.approval import GateStatus, ProposalContext
from nodes.catalog.common import gated
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.customer_service.faq import StoreFaq, store_faq
from nodes.customer_service.models import Outcome, OutcomeStatus
from nodes.customer_service.replies import Draft, write_reply
from nodes.customer_service.review_actions import (
    ISSUE_NOTICE_TOOL,
    ReviewReplyArgs,
    ReviewRequestArgs,
    reply_action,
    request_action,
)
from nodes.customer_service.review_analysis import (
    ProductIssue,
    ReviewAnalysis,
    ReviewToAnswer,
    Sentiment,
    analyse,
    product_issues,
)
from nodes.customer_service.state import CustomerServiceState, ReviewReplyInput
from nodes.services import Services
from storage import NewNotification, NotificationLevel
from storage.effects import idempotency_key
from tools.customer_service.shopify import SupportOrder, shipped_orders
from tools.reviews import AlreadyReplied, ReviewsApp, ReviewsError
from tools.shopify.errors import ShopifyError

#: The sandbox has no carrier delivery events: an order shipped this long ago counts as delivered.
DELIVERED_AFTER_DAYS = 5
MAX_REQUESTS = 50
MAX_REVIEWS = 50
MAX_REPLIES = 10
_PROMISE = re.compile(r"%|\brefund|\bdiscount|\bcode\b|\bfree\b|\bcompensat", re.I)
_NOT_SOLD = frozenset({"REFUNDED", "VOIDED"})


def _reviews_app(services: Services) -> ReviewsApp | None:
    return services.reviews


def _no_app() -> dict[str, Any]:
    failure = ServiceFailure(
        service="Judge.me",
        operation="connect to the reviews app",
        error="NotConfigured",
        message="no reviews app is configured for this process",
        skipped="no review was read or written",
    )
    return {"failures": [failure]}


def _delivered(order: SupportOrder, services: Services) -> bool:
    if order.shipped_at is None or not order.email:
        return False
    if (order.financial_status or "").upper() in _NOT_SOLD:
        return False
    return order.shipped_at <= services.clock() - timedelta(days=DELIVERED_AFTER_DAYS)


def _number(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


async def request_reviews(state: CustomerServiceState, runtime: Runtime[Context]) -> dict[str, Any]:
    """One review request per delivered order: the gate's key covers re-execution, Judge.me's
    one-request-per-order rule covers a second run."""
    services = await services_of(runtime)
    app = _reviews_app(services)
    if app is None:
        return _no_app()
    try:
        shipped = await shipped_orders(
            services.shopify,
            created_before=services.clock() - timedelta(days=DELIVERED_AFTER_DAYS - 1),
            limit=MAX_REQUESTS,
        )
    except ShopifyError as exc:
        failure = ServiceFailure.of("Shopify", "list shipped orders", exc, "no review request")
        return {"failures": [failure]}
    orders = [o for o in shipped if _delivered(o, services)]
    outcomes: list[Outcome] = []
    for order in orders:
        args = ReviewRequestArgs(
            order_external_id=_number(order.id), order_name=order.name, email=order.email or ""
        )

        async def execute(action: Any, key: str) -> JsonValue:
            chosen = ReviewRequestArgs.model_validate(action.args)
            made = await app.request_review(
                order_external_id=chosen.order_external_id,
                email=chosen.email,
                name=None,
                idempotency_key=key,
            )
            return {"request_id": made.id, "created": made.created}

        context = ProposalContext(
            title=f"Ask for a review of {order.name}",
            description=f"{order.name} shipped on {order.shipped_at:%d %B %Y}; ask "
            f"{order.email} for a review through {app.name}.",
            reasoning="post-delivery review request, once per order",
            data_sources=[f"Shopify order {order.name}"],
        )
        try:
            gate = await gated(runtime, args, request_action, context, execute)
        except ReviewsError as exc:
            failure = ServiceFailure.of(
                app.name, f"request a review of {order.name}", exc, "the other orders wait"
            )
            return {"outcomes": outcomes, "failures": [failure]}
        created = isinstance(gate.result, dict) and gate.result.get("created") is True
        status = OutcomeStatus.REQUESTED if created else OutcomeStatus.ALREADY_REQUESTED
        if gate.status is not GateStatus.EXECUTED:
            status = OutcomeStatus.STOPPED
        outcomes.append(
            Outcome(
                subject=f"Review request for {order.name}",
                status=status,
                detail="asked for a review" if created else "already asked for a review",
                reasons=list(gate.classification.reasons),
                risk_level=str(gate.classification.level),
            )
        )
    made = sum(1 for o in outcomes if o.status is OutcomeStatus.REQUESTED)
    note = (
        f"{made} review request(s) sent for {len(orders)} delivered order(s); "
        f"{len(outcomes) - made} already had one"
    )
    return {"outcomes": outcomes, "notes": [note]}


def _overview(analyses: list[ReviewAnalysis], ratings: list[int]) -> Outcome:
    by_sentiment = Counter(a.sentiment.value for a in analyses)
    topics = Counter(t for a in analyses for t in a.topics)
    average = sum(ratings) / len(ratings) if ratings else 0.0
    named = ", ".join(f"{t} {n}" for t, n in topics.most_common()) or "none"
    return Outcome(
        subject="Latest reviews",
        status=OutcomeStatus.ANALYSED,
        detail=(
            f"{len(analyses)} review(s), average {average:.1f} stars: "
            f"{by_sentiment['positive']} positive, {by_sentiment['neutral']} neutral, "
            f"{by_sentiment['negative']} negative; topics: {named}"
        ),
    )


def _issue_text(issue: ProductIssue) -> str:
    ids = ", ".join(f"#{i}" for i in issue.review_ids)
    return (
        f"Product issue on {issue.product_title}: {len(issue.review_ids)} negative reviews "
        f"say it {issue.defect} (reviews {ids}) — for the product cluster to check the "
        "supplier and the listing"
    )


async def _raise_issue(services: Services, runtime: Runtime[Context], issue: ProductIssue) -> None:
    """One notification per issue (product, defect, reviews), across re-runs and threads."""
    info = runtime.execution_info
    key = idempotency_key(
        "reviews",
        "product-issue",
        str(issue.product_external_id),
        issue.defect,
        ",".join(map(str, issue.review_ids)),
    )

    async def notify() -> JsonValue:
        made = await services.notifications.create(
            NewNotification(
                level=NotificationLevel.WARNING,
                title=f"Product issue: {issue.product_title} {issue.defect}",
                body=_issue_text(issue),
                thread_id=info.thread_id if info else None,
                run_id=info.run_id if info else None,
                cluster="product",
            )
        )
        return {"notification": made.id}

    await services.effects.run_once(
        key,
        thread_id=(info.thread_id if info else None) or "reviews",
        task_id=info.task_id if info else "check_reviews",
        action_kind="notification.product_issue",
        tool=ISSUE_NOTICE_TOOL,
        args=issue,
        apply=notify,
    )


async def check_reviews(state: CustomerServiceState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    app = _reviews_app(services)
    if app is None:
        return _no_app()
    try:
        reviews = [r for r in await app.latest_reviews(MAX_REVIEWS) if not r.hidden]
    except ReviewsError as exc:
        failure = ServiceFailure.of(app.name, "read the latest reviews", exc, "no review read")
        return {"failures": [failure]}
    analyses = {r.id: analyse(r) for r in reviews}
    issues = product_issues(reviews, analyses)
    for issue in issues:
        await _raise_issue(services, runtime, issue)
    negative = [
        Outcome(
            subject=f"Review #{r.id} of {r.product_title or 'a product'}",
            status=OutcomeStatus.ANALYSED,
            detail=f"{r.rating} star(s), {analyses[r.id].sentiment.value}; topics: "
            f"{', '.join(analyses[r.id].topics) or 'none'}"
            + (f"; defect: {', '.join(analyses[r.id].defects)}" if analyses[r.id].defects else ""),
            category="review",
        )
        for r in reviews
        if analyses[r.id].sentiment is Sentiment.NEGATIVE
    ]
    unanswered = [
        ReviewToAnswer(review=r, analysis=analyses[r.id]) for r in reviews if r.reply is None
    ]
    return {
        "outcomes": [_overview(list(analyses.values()), [r.rating for r in reviews]), *negative],
        "alerts": [_issue_text(i) for i in issues],
        "review_replies": unanswered[:MAX_REPLIES],
    }


def route_replies(state: CustomerServiceState) -> list[Send] | str:
    replies = state.get("review_replies") or []
    if not replies:
        return "report"
    return [Send("reply_review", ReviewReplyInput(review=r)) for r in replies]


def reply_draft(item: ReviewToAnswer, faq: StoreFaq) -> Draft:
    """The reply stated by code from the rating and topics; it promises nothing."""
    review = item.review
    first = (review.reviewer.name or "").split(" ")[0].strip()
    hello = f"Hi {first}," if first else "Hi,"
    product = review.product_title or "your order"
    topics = set(item.analysis.topics)
    if item.analysis.sentiment is Sentiment.POSITIVE:
        body = f"thank you for taking the time to review the {product}. We are glad you like it!"
        must: list[str] = []
    else:
        about = (
            "the delivery time"
            if topics == {"shipping"}
            else "the problem you describe"
            if "defect" in topics
            else "your experience"
        )
        body = (
            f"thank you for your honest review of the {product}, and we are sorry about {about}. "
            f"Please write to us at {faq.support_email} with your order number so we can "
            "look into it personally."
        )
        must = [faq.support_email]
    text = f"{hello} {body}\n\n{faq.store}"
    facts: dict[str, object] = {
        "product": product,
        "rating": review.rating,
        "sentiment": item.analysis.sentiment.value,
        "topics": sorted(topics),
    }
    return Draft(text=text, facts=facts, must_include=must)


async def _wording(
    services: Services, runtime: Runtime[Context], draft: Draft, item: ReviewToAnswer
) -> str:
    """The model's wording when it adds no promise (money, a code, a percentage); else the
    draft. The review reaches the model fenced only."""
    review_text = f"{item.review.title or ''}\n{item.review.body}".strip()
    text, _worded = await write_reply(services, runtime, draft, review_text, store_faq())
    if _PROMISE.search(text) and not _PROMISE.search(draft.text):
        return draft.text
    return text


async def reply_review(state: ReviewReplyInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    app = _reviews_app(services)
    if app is None:
        return _no_app()
    item = state["review"]
    review = item.review
    subject = f"Reply to review #{review.id} ({review.rating}★, {review.product_title})"
    draft = reply_draft(item, store_faq())
    content = await _wording(services, runtime, draft, item)
    args = ReviewReplyArgs(review_id=review.id, rating=review.rating, content=content)
    review_text = f"{review.title or ''}\n{review.body}"

    def build(chosen: ReviewReplyArgs) -> Any:
        if chosen.review_id != review.id or chosen.rating != review.rating:
            raise ValueError("an edit may change the reply's words, not the review it answers")
        return reply_action(chosen, review_text)

    async def execute(action: Any, key: str) -> JsonValue:
        chosen = ReviewReplyArgs.model_validate(action.args)
        return {"reply_id": await app.reply(chosen.review_id, chosen.content)}

    context = ProposalContext(
        title=f"Public reply to a {review.rating}-star review of {review.product_title}",
        description=content,
        reasoning=f"{item.analysis.sentiment.value} review; topics: "
        f"{', '.join(item.analysis.topics) or 'none'}",
        data_sources=[f"{app.name} review #{review.id}"],
    )
    try:
        gate = await gated(runtime, args, build, context, execute)
    except AlreadyReplied:
        done = Outcome(
            subject=subject,
            status=OutcomeStatus.ALREADY_REPLIED,
            detail="the review already has the shop's reply",
        )
        return {"outcomes": [done]}
    except ReviewsError as exc:
        failure = ServiceFailure.of(app.name, f"reply to review #{review.id}", exc, "no reply")
        return {"failures": [failure]}
    reasons = list(gate.classification.reasons)
    status = OutcomeStatus.REPLIED
    if gate.status is not GateStatus.EXECUTED:
        status = (
            OutcomeStatus.REJECTED if gate.status is GateStatus.REJECTED else OutcomeStatus.EXPIRED
        )
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
    return {
        "outcomes": [
            Outcome(
                subject=subject,
                status=status,
                detail=f"{item.analysis.sentiment.value} review answered in public",
                reasons=reasons,
                risk_level=str(gate.classification.level),
                approval_id=gate.approval_id,
                category="review",
            )
        ]
    }
