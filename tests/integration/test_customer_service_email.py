"""The email marketing agent end to end, over real HTTP against the Shopify and Klaviyo
emulators, on SQLite and PostgreSQL: an abandoned checkout gets one recovery email even when
the run is re-executed after a crash; unsubscribed, non-consenting and suppressed customers
get none and are counted; Klaviyo's ledger counts the sends."""

from __future__ import annotations

from typing import Any

import pytest

from host import runs
from nodes.customer_service.email_models import Flow, message_key
from settings import Settings
from storage import EffectStatus
from tests.integration.pipeline_support import (
    Engine,
    engine,
    graph_turn,
    open_engine,
    shop,
    turn,
)
from tests.integration.storage_support import BACKENDS
from tools.email.klaviyo import KlaviyoClient
from tools.sandbox import FaultSettings, SandboxServer
from tools.sandbox.klaviyo import KlaviyoEmulator

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

#: The seeded open checkouts between one hour and seven days old whose customer consented in
#: Shopify and in Klaviyo (tools/sandbox/shopify/marketing_seed.py, tools/sandbox/klaviyo/seed.py).
RECOVERED = ["finn.meyer@example.com", "sanne.devries@example.com"]
UNSUBSCRIBED_IN_KLAVIYO = "emma.bakker@example.com"
UNSUBSCRIBED_IN_SHOPIFY = "lea.dubois@example.com"
HARD_BOUNCED = "sofia.rossi@example.com"


class SimulatedCrash(BaseException):
    """The process dies: not an error any handler in the graph would catch."""


def klaviyo(sandbox: SandboxServer) -> KlaviyoEmulator:
    emulator = sandbox.sandbox.emulators["klaviyo"]
    assert isinstance(emulator, KlaviyoEmulator)
    return emulator


def sends(sandbox: SandboxServer) -> dict[str, int]:
    counts = sandbox.sandbox.ledger.counts()
    return {k: v for k, v in counts.items() if k.startswith("klaviyo.")}


def delivered(sandbox: SandboxServer, flow: str) -> list[str]:
    return sorted(
        e.email for e in klaviyo(sandbox).store.emails if e.flow == flow and not e.skipped
    )


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


async def test_abandoned_carts_get_one_email_each_and_the_skipped_are_counted(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "cart", "Send abandoned cart emails")
    assert "__interrupt__" not in result
    assert sends(sandbox) == {"klaviyo.event.create": 2, "klaviyo.email.send": 2}
    assert delivered(sandbox, "Abandoned Cart Recovery") == RECOVERED
    reply = _reply(result)
    assert "Sent **Abandoned cart recovery emails**: 2 email(s) sent" in reply
    assert "1 unsubscribed in Klaviyo" in reply
    assert "1 no email marketing consent in Shopify" in reply
    assert "1 suppressed in Klaviyo" in reply
    assert "1 checkout left less than an hour ago" in reply
    assert "1 checkout older than 7 days" in reply
    for email in (UNSUBSCRIBED_IN_KLAVIYO, UNSUBSCRIBED_IN_SHOPIFY, HARD_BOUNCED):
        assert email not in delivered(sandbox, "Abandoned Cart Recovery")
    # The checkout note asking to "email every customer" and skip consent changed nothing.
    assert len(klaviyo(sandbox).store.events) == 2

    again = await turn(engine, "cart-again", "Send abandoned cart emails")  # a later run
    assert sends(sandbox) == {"klaviyo.event.create": 2, "klaviyo.email.send": 2}
    assert "2 already sent for this trigger" in _reply(again)


async def test_a_customer_who_unsubscribes_in_klaviyo_gets_none(
    engine: Engine, sandbox: SandboxServer
) -> None:
    klaviyo(sandbox).store.unsubscribe("sanne.devries@example.com")
    result = await turn(engine, "unsub", "Send abandoned cart emails")
    assert delivered(sandbox, "Abandoned Cart Recovery") == ["finn.meyer@example.com"]
    assert sends(sandbox) == {"klaviyo.event.create": 1, "klaviyo.email.send": 1}
    assert "2 unsubscribed in Klaviyo" in _reply(result)


async def test_a_crash_after_the_send_then_reexecution_sends_once(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = KlaviyoClient.send

    async def send_then_die(self: KlaviyoClient, *args: Any, **kwargs: Any) -> None:
        await original(self, *args, **kwargs)
        raise SimulatedCrash

    monkeypatch.setattr(KlaviyoClient, "send", send_then_die)
    with pytest.raises(SimulatedCrash):
        await graph_turn(engine, "crash", "Send abandoned cart emails")
    assert sends(sandbox) == {"klaviyo.event.create": 1, "klaviyo.email.send": 1}
    first = message_key(Flow.ABANDONED_CART, _checkout_of(sandbox, RECOVERED[0]), RECOVERED[0])
    effect = await engine.services.effects.get(first)
    assert effect is not None
    assert effect.status is EffectStatus.STARTED
    monkeypatch.setattr(KlaviyoClient, "send", original)

    async with open_engine(Settings()) as restarted:  # a new process picks the thread up
        restarted.runtime.workers.follow("crash")
        await runs.result(restarted.runtime, await runs.start(restarted.runtime, "crash", "ceo"))
        state = await restarted.state("crash")
        effect = await restarted.services.effects.get(first)
        executed = await restarted.services.audit.list(thread_id="crash", event="action.executed")
    assert sends(sandbox) == {"klaviyo.event.create": 2, "klaviyo.email.send": 2}
    assert delivered(sandbox, "Abandoned Cart Recovery") == RECOVERED
    assert effect is not None
    assert effect.status is EffectStatus.APPLIED
    assert effect.attempts == 2
    keys = [str(e.payload["idempotency_key"]) for e in executed.items]
    assert len(keys) == 3  # the batch, then each of its two messages: once each
    assert len(set(keys)) == 3
    assert first in keys
    assert "Abandoned cart recovery emails**: 2 email(s) sent" in str(
        state.values["messages"][-1].content
    )


async def test_the_welcome_series_skips_a_new_customer_without_consent_whatever_their_name_says(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "welcome", "Send the welcome series to new customers")
    assert delivered(sandbox, "Welcome Series") == ["nora.hendriks@example.com"]
    assert sends(sandbox) == {"klaviyo.event.create": 1, "klaviyo.email.send": 1}
    assert "1 no email marketing consent in Shopify" in _reply(result)


async def test_klaviyo_down_is_an_alert_and_nothing_is_sent(
    engine: Engine, sandbox: SandboxServer
) -> None:
    sandbox.sandbox.faults.set("klaviyo", FaultSettings(outage=True))
    result = await turn(engine, "down", "Send abandoned cart emails")
    assert sends(sandbox) == {}
    reply = _reply(result)
    assert "Klaviyo failed to read email consent" in reply
    assert "no email was sent" in reply


def _checkout_of(sandbox: SandboxServer, email: str) -> str:
    store = shop(sandbox).store
    number = next(c.number for c in store.customers.values() if c.email == email)
    checkout = next(
        c
        for c in store.abandoned_checkouts.values()
        if c.customer_number == number and c.completed_at is None
    )
    return checkout.id
