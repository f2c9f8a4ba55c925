"""Typed builders for Shopify's search syntax (the ``query:`` argument of connections).

Terms are joined by spaces (an implied AND). Values that are not plain words are quoted, and
dates are always quoted, as the search syntax requires.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

_PLAIN = re.compile(r"^[A-Za-z0-9_.@#+\-]+$")


def search_value(value: str) -> str:
    """``value`` as a search-syntax value: bare when it is one plain word, else quoted."""
    if _PLAIN.match(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def search_datetime(value: datetime) -> str:
    """A quoted UTC timestamp (naive datetimes are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return "'" + value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"


class FinancialStatus(StrEnum):
    """Values of the ``financial_status`` order filter."""

    AUTHORIZED = "authorized"
    EXPIRED = "expired"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    PENDING = "pending"
    REFUNDED = "refunded"
    VOIDED = "voided"


class FulfillmentStatus(StrEnum):
    """Values of the ``fulfillment_status`` order filter."""

    FULFILLED = "fulfilled"
    ON_HOLD = "on_hold"
    PARTIAL = "partial"
    REQUEST_DECLINED = "request_declined"
    SCHEDULED = "scheduled"
    SHIPPED = "shipped"
    UNFULFILLED = "unfulfilled"
    UNSHIPPED = "unshipped"


class OrderStatus(StrEnum):
    """Values of the ``status`` order filter."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class OrderFilter(BaseModel):
    """Which orders to list. Every field narrows the result; ``None`` means "any".

    >>> OrderFilter(financial_status="paid", fulfillment_status="unfulfilled").to_query()
    'financial_status:paid fulfillment_status:unfulfilled'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    financial_status: FinancialStatus | None = None
    fulfillment_status: FulfillmentStatus | None = None
    status: OrderStatus | None = None
    created_from: datetime | None = None
    """Inclusive lower bound of ``created_at``."""
    created_until: datetime | None = None
    """Exclusive upper bound of ``created_at``."""
    name: str | None = None
    """The order name, e.g. ``#1001``."""
    tag: str | None = None
    email: str | None = None
    text: str | None = None
    """Free text, appended as is (already in search syntax)."""

    @model_validator(mode="after")
    def _range_is_ordered(self) -> OrderFilter:
        start, end = self.created_from, self.created_until
        if start is not None and end is not None:
            as_utc = [d if d.tzinfo else d.replace(tzinfo=UTC) for d in (start, end)]
            if as_utc[0] >= as_utc[1]:
                raise ValueError("created_from must be before created_until")
        return self

    def to_query(self) -> str | None:
        """The search string, or ``None`` when nothing is filtered."""
        terms: list[str] = []
        if self.financial_status is not None:
            terms.append(f"financial_status:{self.financial_status.value}")
        if self.fulfillment_status is not None:
            terms.append(f"fulfillment_status:{self.fulfillment_status.value}")
        if self.status is not None:
            terms.append(f"status:{self.status.value}")
        if self.created_from is not None:
            terms.append(f"created_at:>={search_datetime(self.created_from)}")
        if self.created_until is not None:
            terms.append(f"created_at:<{search_datetime(self.created_until)}")
        if self.name is not None:
            terms.append(f"name:{search_value(self.name)}")
        if self.tag is not None:
            terms.append(f"tag:{search_value(self.tag)}")
        if self.email is not None:
            terms.append(f"email:{search_value(self.email)}")
        if self.text:
            terms.append(self.text)
        return " ".join(terms) or None
