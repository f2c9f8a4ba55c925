"""Tickets, comments and users as Zendesk's REST API (v2) sends them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TicketStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    HOLD = "hold"
    SOLVED = "solved"
    CLOSED = "closed"


#: Tickets that wait for the store, not for the customer.
AWAITING_STORE = frozenset({TicketStatus.NEW, TicketStatus.OPEN})


class Ticket(_Wire):
    id: int
    subject: str = ""
    description: str = ""
    status: TicketStatus
    requester_id: int
    tags: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class Comment(_Wire):
    id: int
    author_id: int
    body: str
    public: bool = True
    created_at: datetime


class HelpdeskUser(_Wire):
    id: int
    name: str
    email: str | None = None
    role: str = "end-user"

    @property
    def is_staff(self) -> bool:
        return self.role in ("agent", "admin")
