"""Offline planning rules for the customer-service cluster: answering the helpdesk and refunds.

A refund goal names the order and the amount (the reason is optional); without either the rule
asks for it instead of guessing. Words in the goal such as "approved by the manager" are kept
in the instructions as text and change nothing: the policy rates the refund by its amount.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import JsonValue

from nodes.ceo.intents import STRONG, Intent, IntentMatch, IntentTask
from nodes.customer_service.models import Operation

SPECIFIC = STRONG + 1
"""Stronger than a sourcing or price match: "refund order 1002" is not a product task."""

_SUPPORT = re.compile(
    r"\b(support|helpdesk|help desk|zendesk|tickets?|inbox|customer (emails?|messages?|"
    r"questions?|service)|queue)\b",
    re.I,
)
_ANSWER = re.compile(
    r"\b(answer|reply|respond|handle|work through|clear|process|deal with|go through|check)\b",
    re.I,
)
_TICKET = re.compile(r"\bticket\s*(?:#|number|no\.?)?\s*(\d{1,9})\b", re.I)
_REFUND = re.compile(r"\brefund(s|ing)?\b|\bmoney back\b", re.I)
_ORDER = re.compile(r"(?:\border\s*(?:number|no\.?)?\s*#?\s*|#)(\d{3,8})\b", re.I)
_AMOUNT = re.compile(
    r"(?:€|\beur\s*|\beuros?\s*)(\d+(?:[.,]\d{1,2})?)|(\d+(?:[.,]\d{1,2})?)\s*(?:€|eur\b|euros?\b)",
    re.I,
)
_REASON = re.compile(r"\b(?:because|since|as|reason:?|due to|for being)\s+(.+)$", re.I)


def _amount(goal: str) -> Decimal | None:
    found = _AMOUNT.search(goal)
    if not found:
        return None
    raw = (found.group(1) or found.group(2)).replace(",", ".")
    return Decimal(raw).quantize(Decimal("0.01"))


def _reason(goal: str) -> str:
    found = _REASON.search(goal)
    if found:
        return found.group(1).strip().rstrip(".")[:300]
    bracket = re.search(r"\(([^)]{3,200})\)", goal)
    return bracket.group(1).strip() if bracket else "requested by the operator"


def answer_tickets(goal: str) -> IntentMatch | None:
    """Answer the helpdesk tickets waiting for the store, or one ticket by its number."""
    ticket = _TICKET.search(goal)
    if _REFUND.search(goal) and not ticket:
        return None
    if not (_SUPPORT.search(goal) and (_ANSWER.search(goal) or ticket)):
        return None
    parameters: dict[str, JsonValue] = {"operation": Operation.ANSWER_TICKETS.value}
    title = "Answer the open support tickets"
    if ticket:
        parameters["ticket_id"] = int(ticket.group(1))
        title = f"Answer support ticket #{ticket.group(1)}"
    return IntentMatch(
        tasks=(
            IntentTask(
                title=title,
                instructions="Answer where-is-my-order and store questions from Shopify and the "
                "FAQ; hand angry, legal, refund and unclear messages to a person "
                f"({goal})",
                parameters=parameters,
            ),
        ),
        strength=SPECIFIC,
        success_criteria="Every waiting ticket has one reply or is handed to a person.",
    )


def refund(goal: str) -> IntentMatch | None:
    """Refund an order: the order number and the amount are required, the reason optional."""
    if not _REFUND.search(goal) or _TICKET.search(goal):
        return None
    order = _ORDER.search(goal)
    amount = _amount(goal)
    if order is None or amount is None:
        missing = [
            *(["which order (its number, e.g. #1002)"] if order is None else []),
            *(["how much to refund in euros"] if amount is None else []),
        ]
        return IntentMatch(
            question="To propose a refund I need " + " and ".join(missing) + ", plus the reason.",
            strength=SPECIFIC,
        )
    number = int(order.group(1))
    return IntentMatch(
        tasks=(
            IntentTask(
                title=f"Refund €{amount} on order #{number}",
                instructions=f"Refund €{amount} on order #{number} ({goal})",
                parameters={
                    "operation": Operation.REFUND.value,
                    "order": number,
                    "amount_eur": str(amount),
                    "reason": _reason(goal),
                },
            ),
        ),
        strength=SPECIFIC,
        success_criteria="The refund is made, or waits for an approver when over €50.",
    )


_RETENTION = re.compile(
    r"\b(lifetime value|clv|ltv|vips?|churn\w*|retention|retain|loyal(ty)?|best customers|"
    r"top customers|at[- ]risk customers|win[- ]back)\b",
    re.I,
)


def retention(goal: str) -> IntentMatch | None:
    """Customers' lifetime value, VIPs and churn risk (read-only)."""
    if not _RETENTION.search(goal) or _REFUND.search(goal):
        return None
    return IntentMatch(
        tasks=(
            IntentTask(
                title="List customer lifetime value, VIPs and churn risk",
                instructions=f"Segment customers from the store's orders ({goal})",
                parameters={"operation": Operation.RETENTION.value},
            ),
        ),
        strength=SPECIFIC,
        success_criteria="VIPs and customers at churn risk are listed with their value.",
    )


INTENTS = (
    Intent(
        cluster="customer_service",
        name="answer_tickets",
        match=answer_tickets,
        examples=("Answer the open support tickets", "Answer support ticket 3"),
    ),
    Intent(
        cluster="customer_service",
        name="refund",
        match=refund,
        examples=("Refund €20 on order #1002 because it arrived late",),
    ),
    Intent(
        cluster="customer_service",
        name="retention",
        match=retention,
        examples=("Who are our VIP customers and who is at churn risk?",),
    ),
)
