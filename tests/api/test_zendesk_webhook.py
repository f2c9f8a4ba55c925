"""A customer writes in Zendesk: the signed event webhook starts the support agent for that
ticket, which replies once; a redelivery, a forged signature or a staff comment starts nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.api.server_support import LiveServer
from tests.api.test_webhooks import post, table_counts
from tests.integration.cs_support import zendesk, zendesk_writes
from tools.helpdesk.zendesk import SANDBOX_WEBHOOK_SECRET
from tools.sandbox import SandboxServer
from tools.sandbox.zendesk import sign_webhook
from tools.sandbox.zendesk.emulator import CustomerMessage
from tools.sandbox.zendesk.store import BOT_ID


def _headers(
    body: bytes, event: dict[str, Any], secret: str = SANDBOX_WEBHOOK_SECRET
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-zendesk-webhook-id": "01HWEBHOOK",
        "x-zendesk-webhook-invocation-id": str(event["id"]),
        **sign_webhook(body, secret),
    }


async def _join(api: LiveServer, ack: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
        joined = await http.get(f"/threads/{ack['thread_id']}/runs/{ack['run_id']}/join")
    assert joined.status_code == 200, joined.text
    result: dict[str, Any] = joined.json()
    return result


async def test_a_new_customer_message_gets_one_reply_through_the_webhook(
    api: LiveServer, sandbox: SandboxServer
) -> None:
    emulator = zendesk(sandbox)
    written = emulator.message(
        CustomerMessage(
            email="julia.smit@example.com",
            name="Julia Smit",
            subject="Order",
            body="Hello, where is my order #1010?",
        )
    )
    event = written["event"]
    body = json.dumps(event).encode()
    started = await post(api, "/webhooks/zendesk", body, _headers(body, event))
    assert started.status_code == 200, started.text
    ack = started.json()
    assert ack["status"] == "started"
    result = await _join(api, ack)
    (report,) = result["reports"]
    assert report["cluster"] == "customer_service"
    ticket = emulator.store.tickets[written["ticket_id"]]
    replies = [c for c in ticket.comments if c.author_id == BOT_ID]
    assert len(replies) == 1
    order = next(o for o in emulator_orders(sandbox) if o.name == "#1010")
    assert str(order.fulfillments[0].tracking[0].number) in replies[0].body
    assert zendesk_writes(sandbox) == 1

    again = await post(api, "/webhooks/zendesk", body, _headers(body, event))
    assert again.json() == {"status": "duplicate"}
    assert await table_counts(api) == (1, 1)
    assert zendesk_writes(sandbox) == 1


async def test_a_forged_or_staff_event_starts_nothing(
    api: LiveServer, sandbox: SandboxServer
) -> None:
    written = zendesk(sandbox).message(
        CustomerMessage(email="lea.dubois@example.com", body="How long does shipping take?")
    )
    event = written["event"]
    body = json.dumps(event).encode()
    forged = await post(api, "/webhooks/zendesk", body, _headers(body, event, secret="nope"))
    assert forged.status_code == 401
    assert "signature" in forged.json()["detail"]

    staff = {**event, "id": "staff-1"}
    staff["event"] = {"comment": {**event["event"]["comment"], "author": {"is_staff": True}}}
    staff_body = json.dumps(staff).encode()
    ignored = await post(api, "/webhooks/zendesk", staff_body, _headers(staff_body, staff))
    assert ignored.json()["status"] == "ignored"
    assert await table_counts(api) == (1, 0)
    assert zendesk_writes(sandbox) == 0


def emulator_orders(sandbox: SandboxServer) -> list[Any]:
    from tests.integration.pipeline_support import shop

    return list(shop(sandbox).store.orders.values())
