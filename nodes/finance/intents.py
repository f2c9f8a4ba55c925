"""Offline planning rules for the finance cluster: P&L reports, order fulfilment (with fraud
screening and tracking sync) and expenses. A goal about orders, profit or costs outranks the
product cluster's sourcing rule (which matches any goal that says "products")."""

from __future__ import annotations

import re

from pydantic import JsonValue

from nodes.ceo.intents import STRONG, Intent, IntentMatch, IntentTask
from nodes.finance.jobs import SUPPLIER_PAYMENT, FinanceJob, Period

SPECIFIC = STRONG + 1

_MONEY_WORDS = re.compile(
    r"\b(profits?|p\s?&\s?l|pnl|profit and loss|loss(?:es)?|revenue|turnover|earn(?:ed|ings)?"
    r"|margins?|costs?|vat|tax(?:es)?|financ(?:e|es|ial)|books|bookkeeping|cash[- ]?flow|roi"
    r"|how much (?:money )?did we make|made money)\b",
    re.I,
)
#: Sourcing a product "with a 40% margin" is the product cluster's, not a report.
_SOURCING = re.compile(r"\b(find|source|publish|list|sell|add)\b", re.I)
_ORDERS = re.compile(r"\borders?\b", re.I)
_FULFIL = re.compile(r"\b(fulfil+(?:ment|ing|ed|s)?|ship(?:ping)?|dispatch|send out|place)\b", re.I)
_TRACKING = re.compile(r"\btracking\b", re.I)
_FRAUD = re.compile(r"\b(fraud(?:ulent)?|risky|chargebacks?)\b", re.I)
_EXPENSE = re.compile(
    r"\b(expenses?|restock|shipping upgrade|supplier payment|pay (?:the|our) supplier"
    r"|bulk (?:order|purchase|restock))\b",
    re.I,
)
_SUPPLIER_PAYMENT = re.compile(r"\b(supplier payment|pay (?:the|our) supplier)", re.I)
_ADS = re.compile(r"\b(ads?|campaigns?|facebook|meta|tiktok|google|instagram)\b", re.I)
_AMOUNT = re.compile(r"€\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:eur|euros?)\b", re.I)
_DAY = re.compile(r"\b(today|daily|day)\b", re.I)
_MONTH = re.compile(r"\b(month|monthly|30 days)\b", re.I)
_LAST_DAYS = re.compile(r"\b(?:last|past)\s+(\d{1,2})\s+days?\b", re.I)
_WEEK = re.compile(r"\b(week|weekly|7 days)\b", re.I)


def _task(action: FinanceJob, title: str, instructions: str, **extra: JsonValue) -> IntentTask:
    return IntentTask(
        title=title, instructions=instructions, parameters={"action": action.value, **extra}
    )


def _period(goal: str) -> Period:
    if _MONTH.search(goal):
        return Period.MONTH
    if _DAY.search(goal) and not _WEEK.search(goal):
        return Period.DAY
    return Period.WEEK


def financial_report(goal: str) -> IntentMatch | None:
    """Profit, costs, VAT: the P&L of today, this week (the default) or this month."""
    if not _MONEY_WORDS.search(goal) or (_EXPENSE.search(goal) and _AMOUNT.search(goal)):
        return None
    if _ADS.search(goal) and not re.search(r"\b(profit|p&l|pnl|vat)\b", goal, re.I):
        return None
    if _SOURCING.search(goal):
        return None
    period = _period(goal)
    return IntentMatch(
        tasks=(
            _task(
                FinanceJob.REPORT,
                f"Report the P&L of the {period.value}",
                f"Compute profit and loss, VAT per country and margins per product ({goal})",
                period=period.value,
            ),
        ),
        strength=SPECIFIC,
        success_criteria="The P&L is reported with its figures.",
    )


def fulfilment(goal: str) -> IntentMatch | None:
    """Place paid orders with their suppliers, screen them for fraud, sync tracking."""
    wants = (_ORDERS.search(goal) and (_FULFIL.search(goal) or _FRAUD.search(goal))) or (
        _TRACKING.search(goal)
    )
    if not wants:
        return None
    extra: dict[str, JsonValue] = {}
    days = _LAST_DAYS.search(goal)
    if days:
        extra["since_days"] = max(1, min(60, int(days.group(1))))
    elif _WEEK.search(goal):
        extra["since_days"] = 7
    return IntentMatch(
        tasks=(
            _task(
                FinanceJob.FULFIL,
                "Fulfil paid orders",
                "Screen paid, unfulfilled orders for fraud, place them with their suppliers "
                f"and sync tracking to Shopify ({goal})",
                **extra,
            ),
        ),
        strength=SPECIFIC,
        success_criteria="Every paid order is placed with its supplier, held or under review.",
    )


def expense(goal: str) -> IntentMatch | None:
    """A spend the operator proposes: classified by the policy's expense thresholds."""
    if not _EXPENSE.search(goal) or _ADS.search(goal):
        return None
    found = _AMOUNT.search(goal)
    if found is None:
        return IntentMatch(question="How much is the expense, in euros?", strength=SPECIFIC)
    amount = (found.group(1) or found.group(2)).replace(",", "")
    return IntentMatch(
        tasks=(
            _task(
                FinanceJob.EXPENSE,
                f"Record an expense of €{amount}",
                f"Propose the expense through the approval gate ({goal})",
                amount_eur=amount,
                description=goal[:200],
                **({"category": SUPPLIER_PAYMENT} if _SUPPLIER_PAYMENT.search(goal) else {}),
            ),
        ),
        strength=SPECIFIC,
        success_criteria="The expense is recorded once the policy (or an approver) allows it.",
    )


INTENTS = (
    Intent(
        cluster="finance",
        name="financial_report",
        match=financial_report,
        examples=("How much profit did we make this week?",),
    ),
    Intent(
        cluster="finance", name="fulfilment", match=fulfilment, examples=("Fulfil today's orders",)
    ),
    Intent(
        cluster="finance",
        name="expense",
        match=expense,
        examples=("Record a €250 shipping upgrade expense",),
    ),
)
