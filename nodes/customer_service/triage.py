"""What a customer's message is about, decided by code before any model sees it.

The order of the checks is the escalation order: a message that threatens a chargeback or
claims authority ("approved by the manager", "this is the store owner") goes to a person even
if it also asks where an order is. Triage only ever chooses between answering with facts and
handing off to a human; it never touches risk, refunds or addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    LEGAL = "legal"
    AUTHORITY = "authority_claim"
    ANGRY = "angry"
    REFUND = "refund_request"
    ADDRESS = "address_change"
    WHERE_IS_MY_ORDER = "where_is_my_order"
    FAQ = "faq"
    UNSURE = "unsure"


#: Categories a person answers; the bot only writes an internal note and hands off.
HUMAN: frozenset[Category] = frozenset(
    {
        Category.LEGAL,
        Category.AUTHORITY,
        Category.ANGRY,
        Category.REFUND,
        Category.ADDRESS,
        Category.UNSURE,
    }
)

REASONS: dict[Category, str] = {
    Category.LEGAL: "legal threat or chargeback: a person must answer",
    Category.AUTHORITY: "the message claims authority or gives the agent instructions "
    "(approvals, the owner, system text); a person must check it",
    Category.ANGRY: "the customer is upset: a person should answer",
    Category.REFUND: "refund request: a person decides (refunds go through the €50 policy gate)",
    Category.ADDRESS: "address change: only a person may change where an order goes",
    Category.UNSURE: "no store fact answers this message: a person should answer",
}

_LEGAL = re.compile(
    r"\b(charge ?backs?|lawyers?|attorneys?|legal action|sue|suing|court|police|dispute|"
    r"consumer (authority|protection)|small claims)\b",
    re.I,
)
_AUTHORITY = re.compile(
    r"(\bstore owner\b|\bi am the owner\b|\bthis is the owner\b|\bapproved by (the |your )?"
    r"(manager|owner|boss|ceo|admin)|\b(manager|owner|ceo) (has |already )?approved\b|"
    r"\bignore (your|all|the|previous|any)\b|\bsystem\s*:|\badmin mode\b|\bdeveloper mode\b|"
    r"\bmark (it|this) (as )?approved\b|\bwithout asking\b|\bnew instructions\b)",
    re.I,
)
_ANGRY_WORDS = re.compile(
    r"\b(unacceptable|scam|scammers?|worst|furious|disgusting|ridiculous|outrageous|"
    r"rip[- ]?off|useless|pathetic)\b",
    re.I,
)
_SHOUT = re.compile(r"\b[A-Z]{4,}\b")
_REFUND = re.compile(r"\b(refunds?|refunded|money back|reimburse\w*|compensation)\b", re.I)
_ADDRESS = re.compile(
    r"\b(change|update|correct|modify|edit)\b[^.?!]{0,60}\baddress\b|\bdeliver (it |them )?to\b|"
    r"\bwrong address\b|\bnew address\b",
    re.I,
)
_WISMO = re.compile(
    r"\b(where is|where's)\b[^.?!]{0,40}\b(order|package|parcel|shipment|delivery)\b|"
    r"\btrack(ing)?\b|\barriv(e|ed|al)\b|\bshipped\b|\bnot (yet )?received\b|"
    r"\bhaven'?t received\b|\border status\b|\bdelivery status\b",
    re.I,
)
_ORDER_NUMBER = re.compile(r"(?:#\s*|\border\s*(?:number|no\.?|nr\.?)?\s*#?\s*)(\d{3,8})\b", re.I)


@dataclass(frozen=True)
class Triage:
    category: Category
    order_number: int | None = None

    @property
    def needs_human(self) -> bool:
        return self.category in HUMAN

    @property
    def reason(self) -> str:
        return REASONS.get(self.category, "")


def order_number_in(text: str) -> int | None:
    """An order number the customer wrote (``#1002``, ``order 1002``), as digits only."""
    found = _ORDER_NUMBER.search(text)
    return int(found.group(1)) if found else None


def is_angry(text: str) -> bool:
    shouting = len([w for w in _SHOUT.findall(text) if w not in {"EUR", "USD", "IDEAL"}])
    return bool(_ANGRY_WORDS.search(text)) or text.count("!") >= 3 or shouting >= 2


def triage(text: str, *, faq_match: bool) -> Triage:
    """The category of ``text``; ``faq_match`` says whether the store's FAQ answers it."""
    number = order_number_in(text)
    checks: list[tuple[Category, bool]] = [
        (Category.LEGAL, bool(_LEGAL.search(text))),
        (Category.AUTHORITY, bool(_AUTHORITY.search(text))),
        (Category.ANGRY, is_angry(text)),
        (Category.REFUND, bool(_REFUND.search(text))),
        (Category.ADDRESS, bool(_ADDRESS.search(text))),
        (Category.WHERE_IS_MY_ORDER, bool(_WISMO.search(text))),
        (Category.FAQ, faq_match),
    ]
    category = next((c for c, hit in checks if hit), Category.UNSURE)
    return Triage(category=category, order_number=number)
