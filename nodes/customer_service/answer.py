"""Answer one ticket: the latest customer message gets exactly one reply or one hand-off.

Triage (code) decides between answering with facts and handing off to a person. "Where is my
order" is answered from Shopify (status, carrier, tracking) only for the customer's own order;
store questions from the FAQ file. A message that already has a staff answer after it is
skipped, so a second run (a webhook retry, the operator asking again) never replies twice; the
effects ledger covers re-execution of this task after a crash.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import JsonValue

from nodes.approval import GateOutcome, GateStatus, ProposalContext
from nodes.catalog.common import gated
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.customer_service.actions import (
    HandOffArgs,
    ReplyArgs,
    hand_off_action,
    reply_action,
)
from nodes.customer_service.faq import StoreFaq, store_faq
from nodes.customer_service.models import Outcome, OutcomeStatus
from nodes.customer_service.replies import (
    Draft,
    faq_draft,
    no_order_draft,
    not_your_order_draft,
    order_draft,
    write_reply,
)
from nodes.customer_service.state import TicketInput
from nodes.customer_service.triage import Category, Triage, triage
from nodes.services import Services
from storage import NewNotification, NotificationLevel
from tools.customer_service.shopify import latest_order_of, order_by_number
from tools.helpdesk import Comment, HelpdeskError, HelpdeskUser, Ticket, TicketStatus
from tools.shopify.errors import ShopifyError

HANDOFF_TAG = "royal_handoff"
CONVERSATION_CHARS = 3000


def _latest_customer_message(ticket: Ticket, comments: list[Comment]) -> Comment | None:
    mine = [c for c in comments if c.public and c.author_id == ticket.requester_id]
    return mine[-1] if mine else None


def _answered_after(message: Comment, comments: list[Comment], requester: int) -> bool:
    """A staff comment (reply or hand-off note) after the message: it has had its answer."""
    return any(c.author_id != requester and c.id > message.id for c in comments)


def _conversation(comments: list[Comment], requester: int) -> str:
    lines = [
        f"[{'customer' if c.author_id == requester else 'staff'}"
        f"{'' if c.public else ', internal'}] {c.body}"
        for c in comments
    ]
    return "\n".join(lines)[-CONVERSATION_CHARS:]


async def _order_draft(
    services: Services, found: Triage, user: HelpdeskUser | None, faq: StoreFaq
) -> Draft:
    """Only the customer's own order is described; someone else's gets a privacy answer."""
    name = user.name if user else None
    email = user.email if user else None
    if found.order_number is not None:
        order = await order_by_number(services.shopify, found.order_number)
        if order is None or not order.belongs_to(email):
            return not_your_order_draft(found.order_number, name, faq)
        return order_draft(order, name, faq)
    latest = await latest_order_of(services.shopify, email) if email else None
    if latest is None:
        return no_order_draft(name, faq)
    return order_draft(latest, name, faq)


def _subject(ticket: Ticket) -> str:
    return f"Ticket #{ticket.id}: {ticket.subject}"[:200]


def _outcome(
    ticket: Ticket, gate: GateOutcome, status: OutcomeStatus, detail: str, **extra: Any
) -> Outcome:
    reasons = list(gate.classification.reasons)
    if gate.status is not GateStatus.EXECUTED:
        status = (
            OutcomeStatus.REJECTED
            if gate.status is GateStatus.REJECTED
            else (OutcomeStatus.EXPIRED)
        )
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
    return Outcome(
        subject=_subject(ticket),
        status=status,
        detail=detail,
        reasons=reasons,
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        ticket_id=ticket.id,
        **extra,
    )


async def answer_ticket(state: TicketInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    helpdesk = services.helpdesk
    ticket_id = state["ticket_id"]
    try:
        ticket = await helpdesk.ticket(ticket_id)
        if ticket is None:
            return {"notes": [f"Ticket #{ticket_id} does not exist in {helpdesk.name}."]}
        comments = await helpdesk.comments(ticket_id)
        user = await helpdesk.user(ticket.requester_id)
    except HelpdeskError as exc:
        failure = ServiceFailure.of(
            helpdesk.name, f"read ticket #{ticket_id}", exc, "the ticket was not answered"
        )
        return {"failures": [failure]}
    message = _latest_customer_message(ticket, comments)
    if message is None or _answered_after(message, comments, ticket.requester_id):
        return {
            "outcomes": [
                Outcome(
                    subject=_subject(ticket),
                    status=OutcomeStatus.ALREADY_ANSWERED,
                    detail="the latest customer message already has an answer",
                    ticket_id=ticket.id,
                )
            ]
        }
    faq = store_faq()
    answers = faq.answers(message.body)
    found = triage(message.body, faq_match=bool(answers))
    try:
        if found.needs_human:
            return await _hand_off(services, runtime, ticket, comments, message, found)
        if found.category is Category.WHERE_IS_MY_ORDER:
            draft = await _order_draft(services, found, user, faq)
        else:
            draft = faq_draft([a.answer for a in answers], user.name if user else None, faq)
        text, worded = await write_reply(services, runtime, draft, message.body, faq)
        return await _reply(services, runtime, ticket, message, found, draft, text, worded)
    except ShopifyError as exc:
        failure = ServiceFailure.of(
            "Shopify", f"look up the order for ticket #{ticket.id}", exc, "the ticket waits"
        )
        return {"failures": [failure]}
    except HelpdeskError as exc:
        failure = ServiceFailure.of(
            helpdesk.name, f"answer ticket #{ticket.id}", exc, "the ticket waits"
        )
        return {"failures": [failure]}


async def _reply(
    services: Services,
    runtime: Runtime[Context],
    ticket: Ticket,
    message: Comment,
    found: Triage,
    draft: Draft,
    text: str,
    worded: bool,
) -> dict[str, Any]:
    status = TicketStatus.PENDING if draft.asks_customer else TicketStatus.SOLVED
    args = ReplyArgs(ticket_id=ticket.id, in_reply_to=message.id, body=text, status=status.value)

    async def execute(action: Any, key: str) -> JsonValue:
        chosen = ReplyArgs.model_validate(action.args)
        comment_id = await services.helpdesk.reply(
            chosen.ticket_id, chosen.body, status=TicketStatus(chosen.status)
        )
        return {"comment_id": comment_id}

    context = ProposalContext(
        title=f"Reply to ticket #{ticket.id}",
        description=text,
        reasoning=f"{found.category.value}: answered from "
        + ("Shopify order data" if found.category is Category.WHERE_IS_MY_ORDER else "the FAQ"),
        data_sources=["Shopify orders", "store FAQ"],
    )

    def build(chosen: ReplyArgs) -> Any:
        return reply_action(chosen, message.body)

    gate = await gated(runtime, args, build, context, execute)
    seconds = (services.clock() - message.created_at).total_seconds()
    source = "Shopify order data" if found.category is Category.WHERE_IS_MY_ORDER else "the FAQ"
    wording = "" if worded else " (the model's wording failed its checks: template sent)"
    detail = f"{found.category.value}: replied from {source}{wording}"
    return {
        "outcomes": [
            _outcome(
                ticket,
                gate,
                OutcomeStatus.ANSWERED,
                detail,
                category=found.category.value,
                first_response_seconds=max(seconds, 0.0),
            )
        ]
    }


async def _hand_off(
    services: Services,
    runtime: Runtime[Context],
    ticket: Ticket,
    comments: list[Comment],
    message: Comment,
    found: Triage,
) -> dict[str, Any]:
    conversation = _conversation(comments, ticket.requester_id)
    note = (
        f"Handed to a person by the support agent. Reason: {found.reason}.\n"
        "Nothing was promised or changed (no refund, no address change).\n\n"
        f"Conversation:\n{conversation}"
    )
    args = HandOffArgs(ticket_id=ticket.id, in_reply_to=message.id, reason=found.reason, note=note)

    async def execute(action: Any, key: str) -> JsonValue:
        chosen = HandOffArgs.model_validate(action.args)
        note_id = await services.helpdesk.hand_off(
            chosen.ticket_id, chosen.note, tags=[HANDOFF_TAG, found.category.value]
        )
        return {"comment_id": note_id}

    context = ProposalContext(
        title=f"Hand ticket #{ticket.id} to a person",
        description=found.reason,
        reasoning=found.reason,
    )

    def build(chosen: HandOffArgs) -> Any:
        return hand_off_action(chosen, message.body)

    gate = await gated(runtime, args, build, context, execute)
    if gate.executed and not gate.replayed:
        await services.notifications.create(
            NewNotification(
                level=NotificationLevel.WARNING,
                risk_level=gate.classification.level,
                title=f"Ticket #{ticket.id} needs a person: {found.category.value}",
                body=f"{found.reason}\n\n{conversation}"[:4000],
                thread_id=runtime.execution_info.thread_id if runtime.execution_info else None,
                run_id=runtime.execution_info.run_id if runtime.execution_info else None,
                cluster="customer_service",
            )
        )
    outcome = _outcome(
        ticket, gate, OutcomeStatus.HANDED_OFF, found.reason, category=found.category.value
    )
    return {
        "outcomes": [outcome],
        "alerts": [f"Ticket #{ticket.id} needs a person ({found.category.value}): {found.reason}"],
    }
