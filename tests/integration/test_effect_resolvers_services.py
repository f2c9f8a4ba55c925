"""The effects sweeper's resolvers for the helpdesk, Klaviyo, Judge.me, Meta ads and the writes
kept in our own database: a write left STARTED after a real crash window (the write made through
the real client against the sandbox over loopback HTTP, or not made, then the process "dies") is
recorded APPLIED with what the service shows, or FAILED "not applied". SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from host.effects_sweep import sweep_once
from nodes.customer_service.email_models import (
    METRIC,
    EmailBatchArgs,
    Flow,
    Recipient,
    message_key,
)
from nodes.customer_service.review_analysis import ProductIssue
from nodes.customer_service.reviews import _issue_text
from nodes.marketing.copy import AdCopy
from nodes.marketing.launch_args import LaunchArgs
from nodes.marketing.launcher import ads_of, launch_campaign, tag_of
from storage import EffectStatus, NewNotification, NotificationLevel
from storage.effects import EffectRecord
from storage.product_suppliers import NewOnboarding, SupplierRegistry
from tests.integration.effects_support import NOW, left_started
from tests.integration.pipeline_support import Engine, engine
from tests.integration.storage_support import BACKENDS
from tests.integration.supplier_helpers import RECIPIENT
from tools.ads import AdObject, BudgetKind, NewAd, NewAdSet, NewCampaign, Status
from tools.email import FlowMessage
from tools.helpdesk.models import Comment, Ticket, TicketStatus
from tools.sandbox import SandboxServer
from tools.suppliers import OrderLine, SupplierOrderRequest

__all__ = ["engine"]

Write = Callable[[], Awaitable[object]]


async def _started(
    engine: Engine, key: str, tool: str, args: dict[str, Any], write: Write | None
) -> None:
    await left_started(engine, key, tool=tool, args=args, write=write)


async def _swept(engine: Engine, sandbox: SandboxServer, *keys: str) -> list[EffectRecord]:
    """One sweep, which must settle exactly ``keys`` and write nothing to any service."""
    before = sandbox.sandbox.ledger.counts()
    report = await sweep_once(engine.runtime, grace=NOW)
    assert report.unresolved == []
    assert sorted(report.applied + report.not_applied) == sorted(keys)
    assert sandbox.sandbox.ledger.counts() == before  # resolvers only read
    records = [await engine.services.effects.get(key) for key in keys]
    assert all(r is not None for r in records)
    return [r for r in records if r is not None]


def _failed(record: EffectRecord) -> str:
    assert record.status is EffectStatus.FAILED
    assert record.error is not None
    assert record.error.startswith("swept: not applied"), record.error
    return record.error


# --- helpdesk ---------------------------------------------------------------------------------


async def _waiting_ticket(engine: Engine) -> tuple[Ticket, Comment]:
    helpdesk = engine.services.helpdesk
    ticket = (await helpdesk.open_tickets())[0]
    comments = await helpdesk.comments(ticket.id)
    return ticket, comments[-1]


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_helpdesk_reply_that_landed_is_applied_with_its_comment(
    engine: Engine, sandbox: SandboxServer
) -> None:
    helpdesk = engine.services.helpdesk
    ticket, message = await _waiting_ticket(engine)
    body = "Your parcel left our warehouse yesterday; tracking follows by email."
    args = {"ticket_id": ticket.id, "in_reply_to": message.id, "body": body, "status": "pending"}
    made: list[int] = []

    async def reply() -> None:
        made.append(await helpdesk.reply(ticket.id, body, status=TicketStatus.PENDING))

    await _started(engine, "hd-reply", "helpdesk_reply", args, reply)
    (record,) = await _swept(engine, sandbox, "hd-reply")

    assert record.status is EffectStatus.APPLIED
    assert record.result == {"comment_id": made[0]}


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_helpdesk_reply_that_never_landed_is_failed(
    engine: Engine, sandbox: SandboxServer
) -> None:
    helpdesk = engine.services.helpdesk
    ticket, message = await _waiting_ticket(engine)
    body = "Your parcel left our warehouse yesterday."
    args = {"ticket_id": ticket.id, "in_reply_to": message.id, "body": body, "status": "pending"}
    # Another reply of ours, with other words, is not this write.
    await helpdesk.reply(ticket.id, "Something else entirely.", status=TicketStatus.OPEN)

    await _started(engine, "hd-lost", "helpdesk_reply", args, None)
    (record,) = await _swept(engine, sandbox, "hd-lost")

    assert f"ticket #{ticket.id}" in _failed(record)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_reply_to_a_ticket_the_helpdesk_does_not_have_stays_started(
    engine: Engine, sandbox: SandboxServer
) -> None:
    args = {"ticket_id": 99_999, "in_reply_to": 1, "body": "Hello", "status": "pending"}
    await _started(engine, "hd-gone", "helpdesk_reply", args, None)

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.unresolved == ["hd-gone"]
    record = await engine.services.effects.get("hd-gone")
    assert record is not None
    assert record.status is EffectStatus.STARTED


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_hand_off_note_is_found_as_an_internal_note_and_not_as_a_public_reply(
    engine: Engine, sandbox: SandboxServer
) -> None:
    helpdesk = engine.services.helpdesk
    ticket, message = await _waiting_ticket(engine)
    note = "Handed to a person by the support agent. Reason: a refund over the limit."
    args = {"ticket_id": ticket.id, "in_reply_to": message.id, "reason": "refund", "note": note}

    async def hand_off() -> None:
        await helpdesk.hand_off(ticket.id, note, tags=["needs-human"])

    async def public() -> None:  # the same words as a public reply are not the hand-off
        await helpdesk.reply(ticket.id, note, status=TicketStatus.OPEN)

    await _started(engine, "hd-public", "helpdesk_hand_off", args, public)
    _failed(*await _swept(engine, sandbox, "hd-public"))
    await _started(engine, "hd-note", "helpdesk_hand_off", args, hand_off)
    (record,) = await _swept(engine, sandbox, "hd-note")

    assert record.status is EffectStatus.APPLIED
    notes = [c for c in await helpdesk.comments(ticket.id) if not c.public and c.body == note]
    assert record.result == {"comment_id": notes[0].id}


# --- Klaviyo ----------------------------------------------------------------------------------


def _message(email: str, trigger: str) -> tuple[str, dict[str, Any], FlowMessage]:
    key = message_key(Flow.ABANDONED_CART, trigger, email)
    args = {"flow": Flow.ABANDONED_CART.value, "trigger": trigger, "email": email}
    message = FlowMessage(metric=METRIC[Flow.ABANDONED_CART], email=email, properties={"n": 1})
    return key, args, message


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_klaviyo_event_is_found_by_its_unique_id(
    engine: Engine, sandbox: SandboxServer
) -> None:
    email = engine.services.email
    assert email is not None
    key, args, message = _message("rosa@example.com", "gid://shopify/AbandonedCheckout/1")
    other, _, other_message = _message("rosa@example.com", "gid://shopify/AbandonedCheckout/2")
    await email.send(other_message, idempotency_key=other)  # the same person, another event

    async def send() -> None:
        await email.send(message, idempotency_key=key)

    await _started(engine, key, "klaviyo_event_create", args, send)
    (record,) = await _swept(engine, sandbox, key)

    assert record.status is EffectStatus.APPLIED
    assert isinstance(record.result, dict)
    assert record.result["email"] == "rosa@example.com"
    assert record.result["event_id"]


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_klaviyo_event_never_sent_is_failed_even_when_the_profile_has_others(
    engine: Engine, sandbox: SandboxServer
) -> None:
    email = engine.services.email
    assert email is not None
    key, args, _ = _message("rosa@example.com", "gid://shopify/AbandonedCheckout/1")
    other, _, other_message = _message("rosa@example.com", "gid://shopify/AbandonedCheckout/2")
    await email.send(other_message, idempotency_key=other)
    unknown, unknown_args, _ = _message("nobody@example.com", "gid://shopify/AbandonedCheckout/3")

    await _started(engine, key, "klaviyo_event_create", args, None)
    await _started(engine, unknown, "klaviyo_event_create", unknown_args, None)

    rosa, nobody = await _swept(engine, sandbox, key, unknown)
    assert "rosa@example.com" in _failed(rosa)
    assert "nobody@example.com" in _failed(nobody)


def _batch(trigger: str) -> tuple[dict[str, Any], list[tuple[str, FlowMessage]]]:
    """A gated batch's arguments for two customers, and each message under its own key."""
    people = ["ana@example.com", "ben@example.com"]
    recipients = [Recipient(email=e, trigger=f"{trigger}-{e}") for e in people]
    batch = EmailBatchArgs(
        flow=Flow.ABANDONED_CART, metric=METRIC[Flow.ABANDONED_CART], recipients=recipients
    )
    messages = [_message(r.email, r.trigger) for r in recipients]
    return batch.model_dump(mode="json"), [(key, message) for key, _, message in messages]


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_an_email_batch_is_applied_when_every_message_is_at_klaviyo(
    engine: Engine, sandbox: SandboxServer
) -> None:
    email = engine.services.email
    assert email is not None
    cases = {"all": 2, "some": 1, "none": 0}
    for name, count in cases.items():
        args, messages = _batch(name)

        async def send(messages: list[tuple[str, FlowMessage]] = messages[:count]) -> None:
            for key, message in messages:
                await email.send(message, idempotency_key=key)

        await _started(engine, f"batch-{name}", "klaviyo_event_create", args, send)

    every, some, none = await _swept(engine, sandbox, *(f"batch-{n}" for n in cases))

    assert every.status is EffectStatus.APPLIED
    assert every.result == {"sent": ["ana@example.com", "ben@example.com"], "failed": []}
    assert some.status is EffectStatus.FAILED
    assert (some.error or "").startswith("swept: partly applied: 1 of 2")
    assert "none of the 2" in _failed(none)


# --- Judge.me ---------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_review_reply_is_applied_when_the_review_shows_it_and_failed_otherwise(
    engine: Engine, sandbox: SandboxServer
) -> None:
    reviews = engine.services.reviews
    assert reviews is not None
    first, second = [r for r in await reviews.latest_reviews() if r.reply is None][:2]
    content = "Thank you for the kind words, enjoy your training!"

    async def reply() -> None:
        await reviews.reply(first.id, content)

    for key, review, write in (("rv-reply", first, reply), ("rv-lost", second, None)):
        args = {"review_id": review.id, "rating": review.rating, "content": content}
        await _started(engine, key, "reviews_reply", args, write)

    applied, lost = await _swept(engine, sandbox, "rv-reply", "rv-lost")
    assert applied.status is EffectStatus.APPLIED
    assert isinstance(applied.result, dict)
    assert (applied.result["review_id"], applied.result["content"]) == (first.id, content)
    assert f"review #{second.id} has no reply" in _failed(lost)


# --- Meta ads ---------------------------------------------------------------------------------


async def _live_ad(engine: Engine, name: str) -> tuple[AdObject, AdObject]:
    """An active campaign, ad set (€10 lifetime) and ad at the Meta emulator."""
    ads = ads_of(engine.services)
    campaign = await ads.create_campaign(NewCampaign(name=f"{name} campaign"))
    ad_set = await ads.create_ad_set(
        NewAdSet(
            name=f"{name} ad set",
            campaign_id=campaign.id,
            budget_kind=BudgetKind.LIFETIME,
            budget_eur=Decimal("10.00"),
            end_time=engine.services.clock() + timedelta(days=7),
            countries=["NL"],
        )
    )
    ad = await ads.create_ad(
        NewAd(
            name=f"{name} ad",
            adset_id=ad_set.id,
            headline="Grip that lasts",
            primary_text="Train harder.",
            description="",
            link="https://royal-equips.example/products/mat",
            image_png=b"\x89PNG\r\n\x1a\n",
            image_name="ad.png",
        )
    )
    return ad_set, ad


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_pause_and_a_budget_are_resolved_by_the_state_meta_shows(
    engine: Engine, sandbox: SandboxServer
) -> None:
    ads = ads_of(engine.services)
    ad_set, ad = await _live_ad(engine, "Mat")
    pause = {"campaign_key": "c1", "ad_id": ad.id}
    budget = {"campaign_key": "c1", "adset_id": ad_set.id, "budget_eur": "25.00"}

    await _started(engine, "pause-lost", "meta_pause_ad", pause, None)
    await _started(engine, "budget-lost", "meta_set_ad_set_budget", budget, None)
    pause_lost, budget_lost = await _swept(engine, sandbox, "pause-lost", "budget-lost")
    assert "is ACTIVE" in _failed(pause_lost)
    assert "€10.00" in _failed(budget_lost)

    async def do_pause() -> None:
        await ads.set_status(ad.id, Status.PAUSED)

    async def do_budget() -> None:
        await ads.set_budget(ad_set.id, Decimal("25.00"))

    await _started(engine, "pause", "meta_pause_ad", pause, do_pause)
    await _started(engine, "budget", "meta_set_ad_set_budget", budget, do_budget)
    paused, raised = await _swept(engine, sandbox, "pause", "budget")

    assert paused.status is raised.status is EffectStatus.APPLIED
    assert paused.result == {"ad_id": ad.id, "status": "PAUSED"}
    assert raised.result == {"adset_id": ad_set.id, "budget_eur": "25.00"}


def _launch_args() -> LaunchArgs:
    return LaunchArgs(
        product_id="gid://shopify/Product/1",
        product_title="Yoga Mat",
        product_url="https://royal-equips.example/products/yoga-mat",
        price_eur=Decimal("29.95"),
        campaign_name="Yoga Mat NL",
        budget_eur=Decimal("200.00"),
        days=7,
        ads=[AdCopy(language="nl", headline="Grip die blijft", primary_text="Train harder.")],
    )


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_launch_is_applied_once_recorded_partly_when_only_meta_has_it(
    engine: Engine, sandbox: SandboxServer
) -> None:
    services = engine.services
    args = _launch_args()
    keys = ["launch-done", "launch-half", "launch-lost"]

    async def launch() -> None:
        await launch_campaign(services, args, keys[0], thread_id=None)

    async def half() -> None:  # the campaign is made, then the process dies
        await ads_of(services).create_campaign(NewCampaign(name=f"Yoga [{tag_of(keys[1])}]"))

    for key, write in zip(keys, (launch, half, None), strict=True):
        await _started(engine, key, "meta_launch_campaign", args.model_dump(mode="json"), write)

    done, half_done, lost = await _swept(engine, sandbox, *keys)
    assert done.status is EffectStatus.APPLIED
    assert isinstance(done.result, dict)
    (campaign,) = await ads_of(services).find_campaigns(tag_of(keys[0]))
    assert done.result["campaign_id"] == campaign.id
    assert done.result["approved_budget_eur"] == "200.00"
    assert half_done.status is EffectStatus.FAILED
    assert (half_done.error or "").startswith("swept: partly applied")
    assert "no campaign tagged" in _failed(lost)


# --- our own database -------------------------------------------------------------------------


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_an_onboarding_is_applied_when_the_registry_has_the_vendor(
    engine: Engine, sandbox: SandboxServer
) -> None:
    registry = SupplierRegistry(engine.services.database)
    vendor = {"platform": "cjdropshipping", "vendor_id": "V-1", "vendor_name": "Sporty Ltd"}

    async def onboard() -> None:
        await registry.onboard(NewOnboarding(**vendor))

    await _started(engine, "onboard", "onboard_supplier", vendor, onboard)
    other = vendor | {"vendor_id": "V-2"}
    await _started(engine, "onboard-lost", "onboard_supplier", other, None)

    done, lost = await _swept(engine, sandbox, "onboard", "onboard-lost")
    assert done.status is EffectStatus.APPLIED
    assert isinstance(done.result, dict)
    assert (done.result["platform"], done.result["vendor_id"]) == ("cjdropshipping", "V-1")
    assert "V-2" in _failed(lost)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_release_or_expense_left_started_never_landed(
    engine: Engine, sandbox: SandboxServer
) -> None:
    release = {"order_id": "gid://shopify/Order/1", "order_name": "#1001"}
    expense = {"amount_eur": "40.00", "description": "Restock", "category": "other"}

    async def nothing() -> None:  # what their apply does: no write outside the ledger
        return None

    await _started(engine, "release", "finance_release_order", release, nothing)
    await _started(engine, "expense", "finance_record_expense", expense, nothing)

    released, expensed = await _swept(engine, sandbox, "release", "expense")
    assert "finance_release_order" in _failed(released)
    assert "finance_record_expense" in _failed(expensed)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_product_issue_notification_is_found_by_its_title_and_reviews(
    engine: Engine, sandbox: SandboxServer
) -> None:
    issue = ProductIssue(
        product_external_id=7, product_title="Massage Gun", defect="stops working", review_ids=[3]
    )
    other = issue.model_copy(update={"review_ids": [3, 4]})

    async def notify() -> None:
        await engine.services.notifications.create(
            NewNotification(
                level=NotificationLevel.WARNING,
                title=f"Product issue: {issue.product_title} {issue.defect}",
                body=_issue_text(issue),
                cluster="product",
            )
        )

    await _started(engine, "issue", "notifications", issue.model_dump(mode="json"), notify)
    await _started(engine, "issue-lost", "notifications", other.model_dump(mode="json"), None)

    done, lost = await _swept(engine, sandbox, "issue", "issue-lost")
    assert done.status is EffectStatus.APPLIED
    assert isinstance(done.result, dict)
    assert done.result["notification"]
    _failed(lost)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_supplier_order_is_found_by_the_reference_it_was_placed_under(
    engine: Engine, sandbox: SandboxServer
) -> None:
    """The order flow's reference (in the arguments) or, for an agent's order, the key."""
    cj = engine.services.suppliers["cjdropshipping"]
    (item,) = await cj.search_catalog("resistance bands", limit=1)
    variant = (await cj.get_product(item.product_id)).variants[0].variant_id
    request = SupplierOrderRequest(
        lines=[OrderLine(variant_id=variant, quantity=1)], recipient=RECIPIENT
    )
    args = {
        "supplier": "cjdropshipping",
        "lines": [{"product_id": item.product_id, "variant_id": variant, "quantity": 1}],
        "recipient": RECIPIENT.model_dump(mode="json"),
    }
    flow = args | {"reference": "order-1001:lines-1"}

    async def place_for_the_flow() -> None:
        await cj.place_order(request, idempotency_key="order-1001:lines-1")

    async def place_for_an_agent() -> None:
        await cj.place_order(request, idempotency_key="agent-order")

    await _started(engine, "flow-order", "supplier_place_order", flow, place_for_the_flow)
    await _started(engine, "agent-order", "supplier_place_order", args, place_for_an_agent)
    lost = args | {"reference": "order-1002:lines-9"}
    await _started(engine, "lost-order", "supplier_place_order", lost, None)

    by_reference, by_key, never = await _swept(
        engine, sandbox, "flow-order", "agent-order", "lost-order"
    )
    for record in (by_reference, by_key):
        assert record.status is EffectStatus.APPLIED
        assert isinstance(record.result, dict)
        assert record.result["supplier"] == "cjdropshipping"
    assert by_reference.result != by_key.result  # two orders, each found by its own reference
    assert "cjdropshipping has no order" in _failed(never)
