"""The support queue as people see it: conversations from the helpdesk, the ones the agent
handed off, a person's reply, and the cluster's figures (auto-handled share, median first
response time, refunds today)."""

from __future__ import annotations

import asyncio
import statistics
from datetime import datetime, time
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from nodes.customer_service.answer import HANDOFF_TAG
from nodes.services import Services
from policies import ActionKind
from storage import ActorKind, AuditEntry, AuditEvent, AuditRecord
from tools.helpdesk import Comment, HelpdeskUser, Ticket, TicketStatus

HUMAN_REPLY_EVENT = "support.human_reply"


class Conversation(BaseModel):
    model_config = ConfigDict(frozen=True)

    ticket: Ticket
    requester: HelpdeskUser | None
    comments: list[Comment]
    handed_off: bool
    waiting_for_person: bool = Field(description="Handed off and no staff reply since.")
    answered_by_agent: bool


class SupportFigures(BaseModel):
    model_config = ConfigDict(frozen=True)

    tickets: int
    auto_handled: int
    handed_off: int
    auto_handled_share: float | None
    median_first_response_minutes: float | None
    refunds_today: int
    refunded_today_eur: Decimal


def _conversation(
    ticket: Ticket, requester: HelpdeskUser | None, comments: list[Comment]
) -> Conversation:
    customer = ticket.requester_id
    last_customer = max((c.id for c in comments if c.author_id == customer), default=0)
    public_staff = [c for c in comments if c.author_id != customer and c.public]
    handed = HANDOFF_TAG in ticket.tags
    return Conversation(
        ticket=ticket,
        requester=requester,
        comments=comments,
        handed_off=handed,
        waiting_for_person=handed
        and not any(c.id > last_customer for c in public_staff)
        and ticket.status in (TicketStatus.NEW, TicketStatus.OPEN),
        answered_by_agent=not handed and bool(public_staff),
    )


async def conversations(services: Services, limit: int = 50) -> list[Conversation]:
    """The most recently updated tickets with their conversation, hand-offs waiting first."""
    helpdesk = services.helpdesk
    tickets = await helpdesk.recent_tickets(limit)

    async def one(ticket: Ticket) -> Conversation:
        comments, requester = await asyncio.gather(
            helpdesk.comments(ticket.id), helpdesk.user(ticket.requester_id)
        )
        return _conversation(ticket, requester, comments)

    found = list(await asyncio.gather(*(one(t) for t in tickets)))
    return sorted(found, key=lambda c: not c.waiting_for_person)


async def reply_as_person(services: Services, ticket_id: int, body: str, who: str) -> int:
    """A person answers a ticket (solved); the reply is in the audit log under their name."""
    text = body.strip()
    if not text:
        raise ValueError("the reply is empty")
    comment_id = await services.helpdesk.reply(ticket_id, text, status=TicketStatus.SOLVED)
    await services.audit.append(
        AuditEntry(
            event=HUMAN_REPLY_EVENT,
            actor=who,
            actor_kind=ActorKind.HUMAN,
            cluster="customer_service",
            action_kind=str(ActionKind.CUSTOMER_REPLY),
            payload={"ticket_id": ticket_id, "comment_id": comment_id},
            reasoning="answered by a person in the console",
            dedupe_key=f"support:{ticket_id}:{comment_id}",
        )
    )
    return comment_id


def _first_response_minutes(conversation: Conversation) -> float | None:
    customer = conversation.ticket.requester_id
    first_customer = next((c for c in conversation.comments if c.author_id == customer), None)
    first_staff = next(
        (c for c in conversation.comments if c.author_id != customer and c.public), None
    )
    if first_customer is None or first_staff is None:
        return None
    return (first_staff.created_at - first_customer.created_at).total_seconds() / 60


def _refunded(entry: AuditRecord) -> Decimal:
    args = entry.payload.get("args")
    amount = args.get("amount") if isinstance(args, dict) else None
    return Decimal(str(amount)) if amount is not None else Decimal(0)


async def figures(services: Services, found: list[Conversation]) -> SupportFigures:
    answered = [c for c in found if c.answered_by_agent]
    handed = [c for c in found if c.handed_off]
    handled = len(answered) + len(handed)
    times = [m for m in map(_first_response_minutes, answered) if m is not None]
    now = services.clock()
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    executed = await services.audit.list(
        event=AuditEvent.ACTION_EXECUTED, cluster="customer_service", since=midnight, limit=500
    )
    refunds = [e for e in executed.items if e.action_kind == ActionKind.REFUND_CREATE]
    total = sum((_refunded(e) for e in refunds), Decimal(0))
    return SupportFigures(
        tickets=len(found),
        auto_handled=len(answered),
        handed_off=len(handed),
        auto_handled_share=len(answered) / handled if handled else None,
        median_first_response_minutes=statistics.median(times) if times else None,
        refunds_today=len(refunds),
        refunded_today_eur=total,
    )
