"""Writes to services other than Shopify and GitHub: the helpdesk, Klaviyo, Judge.me, Meta ads,
the suppliers, and the writes whose only service is our own database (supplier onboarding, the
finance cluster's release and expense, the review agent's product-issue notification).

Each resolver reads the service by what the write put there: our reply's text on the ticket, the
event's ``unique_id`` at Klaviyo, the review's reply, the ad's status or the ad set's budget, the
campaign's key-derived tag, the registry row. A write that lives only in the effects ledger
(``finance_release_order``, ``finance_record_expense``) never landed while its row is STARTED.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import select

from host.effect_resolvers.base import Resolution, Resolver
from nodes.customer_service.actions import HANDOFF_TOOL, HandOffArgs, ReplyArgs
from nodes.customer_service.actions import REPLY_TOOL as HELPDESK_REPLY_TOOL
from nodes.customer_service.email_models import EMAIL_TOOL, EmailBatchArgs, message_key
from nodes.customer_service.review_actions import ISSUE_NOTICE_TOOL, ReviewReplyArgs
from nodes.customer_service.review_actions import REPLY_TOOL as REVIEW_REPLY_TOOL
from nodes.customer_service.review_analysis import ProductIssue
from nodes.finance.expense import EXPENSE_TOOL
from nodes.finance.review import RELEASE_TOOL
from nodes.marketing.launch_args import TOOL as LAUNCH_TOOL
from nodes.marketing.launcher import ads_of, launch_result, tag_of
from nodes.marketing.watch_act import BUDGET_TOOL, PAUSE_TOOL, BudgetArgs, PauseArgs
from nodes.product.onboarding import ONBOARD_TOOL, OnboardArgs
from nodes.services import Services
from storage.effects import EffectRecord
from storage.marketing import CampaignRepository
from storage.product_suppliers import SupplierRegistry
from storage.schema import notifications
from tools.ads import Status
from tools.agent_tools.supplier_tools import PLACE_ORDER, PlaceOrderArgs
from tools.email import EmailProvider
from tools.helpdesk.models import Comment

M = TypeVar("M", bound=BaseModel)


def _args(record: EffectRecord, model: type[M]) -> M:
    """The write's arguments; a row from before the ledger kept them cannot be looked up."""
    if record.args is None:
        raise LookupError(f"effect {record.idempotency_key} has no recorded arguments")
    return model.model_validate(record.args)


# --- helpdesk ---------------------------------------------------------------------------------


async def _our_comment(
    services: Services, ticket_id: int, after: int, body: str, *, public: bool
) -> Comment | None:
    """Our comment with this text (public reply or internal note) after the customer's one."""
    if await services.helpdesk.ticket(ticket_id) is None:
        raise LookupError(f"{services.helpdesk.name} has no ticket #{ticket_id}")
    me = await services.helpdesk.me()
    comments = await services.helpdesk.comments(ticket_id)
    ids = [c.id for c in comments]
    later = comments[ids.index(after) + 1 :] if after in ids else comments
    return next(
        (
            c
            for c in later
            if c.author_id == me.id and c.public is public and c.body.strip() == body.strip()
        ),
        None,
    )


async def _helpdesk_reply(record: EffectRecord, services: Services) -> Resolution:
    args = _args(record, ReplyArgs)
    found = await _our_comment(services, args.ticket_id, args.in_reply_to, args.body, public=True)
    if found is None:
        return Resolution(
            applied=False,
            note=f"not applied: ticket #{args.ticket_id} has no public reply of ours with this "
            f"text after comment {args.in_reply_to}",
        )
    return Resolution(
        applied=True,
        result={"comment_id": found.id},
        note=f"applied: reply {found.id} on ticket #{args.ticket_id}",
    )


async def _helpdesk_hand_off(record: EffectRecord, services: Services) -> Resolution:
    args = _args(record, HandOffArgs)
    found = await _our_comment(services, args.ticket_id, args.in_reply_to, args.note, public=False)
    if found is None:
        return Resolution(
            applied=False,
            note=f"not applied: ticket #{args.ticket_id} has no internal hand-off note of ours "
            f"after comment {args.in_reply_to}",
        )
    return Resolution(
        applied=True,
        result={"comment_id": found.id},
        note=f"applied: hand-off note {found.id} on ticket #{args.ticket_id}",
    )


# --- Klaviyo ----------------------------------------------------------------------------------


class _EmailArgs(BaseModel):
    """What ``send_batch`` records per message; the key is the Klaviyo event's ``unique_id``."""

    flow: str
    trigger: str
    email: str


def _email(services: Services) -> EmailProvider:
    if services.email is None:
        raise RuntimeError("no email provider is configured for this process")
    return services.email


async def _klaviyo_event(record: EffectRecord, services: Services) -> Resolution:
    """Two kinds of rows carry this tool: the gated batch and each message inside it."""
    if isinstance(record.args, dict) and "recipients" in record.args:
        return await _klaviyo_batch(_args(record, EmailBatchArgs), services)
    args = _args(record, _EmailArgs)
    provider = _email(services)
    event = await provider.find_event(args.email, record.idempotency_key)
    if event is None:
        return Resolution(
            applied=False,
            note=f"not applied: {provider.name} has no {args.flow} event for {args.email} "
            "with this unique_id",
        )
    return Resolution(
        applied=True,
        result={"email": args.email, "event_id": event.id, "datetime": event.datetime},
        note=f"applied: {provider.name} event {event.id} ({args.flow}) for {args.email}",
    )


async def _klaviyo_batch(batch: EmailBatchArgs, services: Services) -> Resolution:
    """The batch landed when every recipient's message (under its own key) is at Klaviyo."""
    provider = _email(services)
    sent: list[str] = []
    for recipient in batch.recipients:
        key = message_key(batch.flow, recipient.trigger, recipient.email)
        if await provider.find_event(recipient.email, key) is not None:
            sent.append(recipient.email)
    total = len(batch.recipients)
    if len(sent) == total:
        return Resolution(
            applied=True,
            result={"sent": sent, "failed": []},
            note=f"applied: all {total} {batch.flow.value} message(s) are at {provider.name}",
        )
    if not sent:
        return Resolution(
            applied=False,
            note=f"not applied: none of the {total} {batch.flow.value} message(s) is at "
            f"{provider.name}",
        )
    return Resolution(
        applied=False,
        note=f"partly applied: {len(sent)} of {total} {batch.flow.value} message(s) are at "
        f"{provider.name}; re-running the thread sends the rest, each once",
    )


# --- Judge.me ---------------------------------------------------------------------------------


async def _review_reply(record: EffectRecord, services: Services) -> Resolution:
    args = _args(record, ReviewReplyArgs)
    if services.reviews is None:
        raise RuntimeError("no reviews app is configured for this process")
    review = await services.reviews.review(args.review_id)
    if review is None:
        raise LookupError(f"{services.reviews.name} has no review #{args.review_id}")
    reply = review.reply
    if reply is None or reply.content.strip() != args.content.strip():
        shown = "no reply" if reply is None else "another reply"
        return Resolution(
            applied=False,
            note=f"not applied: review #{args.review_id} has {shown} on {services.reviews.name}",
        )
    at = reply.created_at.isoformat() if reply.created_at else None
    return Resolution(
        applied=True,
        result={"review_id": review.id, "content": reply.content, "created_at": at},
        note=f"applied: the shop's reply is on review #{review.id}",
    )


# --- Meta ads ---------------------------------------------------------------------------------


async def _launch(record: EffectRecord, services: Services) -> Resolution:
    """Recorded (the launch's last step) is applied; objects at Meta under the key's tag
    without the record are a launch that stopped half-way."""
    campaigns = CampaignRepository(services.database, clock=services.clock)
    saved = await campaigns.get(record.idempotency_key)
    if saved is not None:
        return Resolution(
            applied=True,
            result=launch_result(saved),
            note=f"applied: campaign {saved.campaign_id} with {len(saved.ads)} ad(s) is live "
            "and recorded",
        )
    tag = tag_of(record.idempotency_key)
    found = await ads_of(services).find_campaigns(tag)
    if found:
        made = ", ".join(f"{c.id} ({c.status})" for c in found)
        return Resolution(
            applied=False,
            note=f"partly applied: Meta has campaign {made} tagged {tag} but the launch was "
            "never recorded; re-running its thread completes it, or pause it by hand",
        )
    return Resolution(applied=False, note=f"not applied: Meta has no campaign tagged {tag}")


async def _pause(record: EffectRecord, services: Services) -> Resolution:
    args = _args(record, PauseArgs)
    ad = await ads_of(services).get_ad(args.ad_id)
    if ad.status != Status.PAUSED.value:
        return Resolution(
            applied=False, note=f"not applied: ad {ad.id} is {ad.status} at Meta, not PAUSED"
        )
    return Resolution(
        applied=True,
        result={"ad_id": ad.id, "status": ad.status},
        note=f"applied: ad {ad.id} ({ad.name}) is PAUSED at Meta",
    )


async def _budget(record: EffectRecord, services: Services) -> Resolution:
    args = _args(record, BudgetArgs)
    ad_set = await ads_of(services).get_ad_set(args.adset_id)
    wanted = Decimal(args.budget_eur)
    if ad_set.budget_eur != wanted:
        return Resolution(
            applied=False,
            note=f"not applied: ad set {ad_set.id} has a budget of €{ad_set.budget_eur} at "
            f"Meta, not €{wanted}",
        )
    return Resolution(
        applied=True,
        result={"adset_id": ad_set.id, "budget_eur": str(wanted)},
        note=f"applied: ad set {ad_set.id} has a budget of €{wanted} at Meta",
    )


# --- suppliers ------------------------------------------------------------------------------


async def _supplier_order(record: EffectRecord, services: Services) -> Resolution:
    """Found at the supplier by the reference it de-duplicates on: the order flow's own
    (``reference`` in the arguments) or, for an agent's order, the write's key."""
    args = _args(record, PlaceOrderArgs)
    supplier = services.suppliers.get(args.supplier)
    if supplier is None:
        raise LookupError(f"no {args.supplier} client is configured to ask")
    order = await supplier.find_order(args.reference or record.idempotency_key)
    if order is None:
        return Resolution(
            applied=False, note=f"not applied: {args.supplier} has no order under its reference"
        )
    return Resolution(
        applied=True,
        result=to_jsonable_python(order, by_alias=False, exclude_none=True),
        note=f"applied: {args.supplier} order {order.order_id} ({order.raw_status})",
    )


# --- our own database -------------------------------------------------------------------------


async def _onboard(record: EffectRecord, services: Services) -> Resolution:
    args = _args(record, OnboardArgs)
    registry = SupplierRegistry(services.database, clock=services.clock)
    found = await registry.get(args.platform, args.vendor_id)
    if found is None:
        return Resolution(
            applied=False,
            note=f"not applied: {args.platform}:{args.vendor_id} is not in the supplier registry",
        )
    return Resolution(
        applied=True,
        result={
            "platform": found.platform,
            "vendor_id": found.vendor_id,
            "onboarded_at": found.onboarded_at.isoformat(),
        },
        note=f"applied: {found.vendor_name} ({found.platform}) is onboarded",
    )


async def _ledger_only(record: EffectRecord, services: Services) -> Resolution:
    """The release and the expense write nothing but their ledger row: a STARTED row is one
    that was never recorded (no supplier order followed the release; the P&L reads only
    APPLIED expenses)."""
    return Resolution(
        applied=False,
        note=f"not applied: {record.tool} writes only its effects-ledger record, which was "
        "never completed; re-running the thread applies it",
    )


async def _notification(record: EffectRecord, services: Services) -> Resolution:
    """The product-issue notification, found by its title and the reviews its body cites."""
    issue = _args(record, ProductIssue)
    title = f"Product issue: {issue.product_title} {issue.defect}"
    cited = "(reviews " + ", ".join(f"#{i}" for i in issue.review_ids) + ")"
    query = select(notifications.c.id, notifications.c.body).where(
        notifications.c.title == title, notifications.c.cluster == "product"
    )
    async with services.database.read() as connection:
        rows = (await connection.execute(query)).all()
    made = next((str(row.id) for row in rows if cited in str(row.body)), None)
    if made is None:
        return Resolution(applied=False, note=f"not applied: no notification {title!r}")
    return Resolution(
        applied=True, result={"notification": made}, note=f"applied: notification {title!r}"
    )


RESOLVERS: Mapping[str, Resolver] = {
    HELPDESK_REPLY_TOOL: _helpdesk_reply,
    HANDOFF_TOOL: _helpdesk_hand_off,
    EMAIL_TOOL: _klaviyo_event,
    REVIEW_REPLY_TOOL: _review_reply,
    LAUNCH_TOOL: _launch,
    PAUSE_TOOL: _pause,
    BUDGET_TOOL: _budget,
    ONBOARD_TOOL: _onboard,
    PLACE_ORDER.spec.name: _supplier_order,
    RELEASE_TOOL: _ledger_only,
    EXPENSE_TOOL: _ledger_only,
    ISSUE_NOTICE_TOOL: _notification,
}
"""Tool name (as the ledger records it) to its resolver.

Left out: ``reviews_request_review`` (Judge.me documents no read of review requests)."""
