"""The support agent end to end: the CEO plans the goal (offline rules), the customer-service
cluster reads Zendesk (emulated over real HTTP) and Shopify, and answers or hands off."""

from __future__ import annotations

import time
from typing import Any

import pytest

from host import runs
from settings import Settings
from storage import NotificationLevel
from tests.integration.cs_support import bot_comments, ticket, ticket_id, zendesk_writes
from tests.integration.pipeline_support import Engine, engine, graph_turn, open_engine, turn, writes
from tests.integration.storage_support import BACKENDS
from tools.helpdesk import ZendeskClient
from tools.sandbox import SandboxServer

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


def _tracking(sandbox: SandboxServer, name: str) -> str:
    from tests.integration.pipeline_support import shop

    order = next(o for o in shop(sandbox).store.orders.values() if o.name == name)
    return str(order.fulfillments[0].tracking[0].number)


async def test_where_is_my_order_gets_one_reply_with_the_real_tracking_number(
    engine: Engine, sandbox: SandboxServer
) -> None:
    number = ticket_id("wismo")
    began = time.perf_counter()
    result = await turn(engine, "wismo", f"Answer support ticket {number}")
    elapsed = time.perf_counter() - began
    tracking = _tracking(sandbox, "#1002")
    (comment,) = bot_comments(sandbox, "wismo")
    assert comment[0] is True
    assert tracking in comment[1]
    assert "#1002" in comment[1]
    assert ticket(sandbox, "wismo").status == "solved"
    assert zendesk_writes(sandbox) == 1
    assert writes(sandbox) == {}
    assert "answered 1 of 1 ticket(s) without a person (100%)" in _reply(result)
    assert elapsed < 5  # the whole turn, CEO planning included, on the offline model

    again = await turn(engine, "wismo-again", f"Answer support ticket {number}")
    assert zendesk_writes(sandbox) == 1
    assert "Already answered **Ticket #1" in _reply(again)


async def test_the_open_queue_is_answered_or_handed_off_and_nothing_else_changes(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "queue", "Answer the open support tickets")
    reply = _reply(result)
    answered = ["wismo", "wismo_latest", "returns", "shipping_time", "tracking", "payment"]
    answered.append("someone_elses_order")
    handed = ["angry", "chargeback", "manager_refund", "owner_impersonation", "address_change"]
    handed += ["injection", "gift_cards"]
    for key in answered:
        ((public, _body),) = bot_comments(sandbox, key)
        assert public, key
    for key in handed:
        ((public, body),) = bot_comments(sandbox, key)
        assert not public, key
        assert "Reason:" in body
        assert "Conversation:" in body
        assert "royal_handoff" in ticket(sandbox, key).tags
    assert zendesk_writes(sandbox) == len(answered) + len(handed)
    assert writes(sandbox) == {}  # no refund, no address change, nothing on Shopify
    assert "answered 7 of 14 ticket(s) without a person (50%)" in reply
    # Someone else's order: no tracking number, no address.
    ((_, privacy),) = bot_comments(sandbox, "someone_elses_order")
    assert _tracking(sandbox, "#1002") not in privacy
    assert "Rue" not in privacy
    assert "@" not in privacy
    # The order without a number: the customer's latest order, not shipped yet.
    ((_, latest),) = bot_comments(sandbox, "wismo_latest")
    assert "#1020" in latest
    assert "has not shipped yet" in latest
    notes = await engine.services.notifications.list(level=NotificationLevel.WARNING)
    assert notes.total == len(handed)
    assert all(n.cluster == "customer_service" for n in notes.items)
    approvals = await engine.services.approvals.list()
    assert approvals.total == 0


class SimulatedCrash(BaseException):
    """The process dies right after Zendesk accepted the reply (nothing catches it)."""


async def test_a_crash_after_the_reply_then_reexecution_replies_once(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_reply = ZendeskClient.reply

    async def reply_then_die(self: ZendeskClient, *args: Any, **kwargs: Any) -> int:
        await real_reply(self, *args, **kwargs)
        raise SimulatedCrash

    monkeypatch.setattr(ZendeskClient, "reply", reply_then_die)
    number = ticket_id("wismo")
    with pytest.raises(SimulatedCrash):
        await graph_turn(engine, "crash", f"Answer support ticket {number}")
    assert zendesk_writes(sandbox) == 1
    monkeypatch.setattr(ZendeskClient, "reply", real_reply)

    async with open_engine(Settings()) as restarted:  # a new process picks the thread up
        restarted.runtime.workers.follow("crash")
        await runs.result(restarted.runtime, await runs.start(restarted.runtime, "crash", "ceo"))
        state = await restarted.state("crash")
    assert zendesk_writes(sandbox) == 1
    assert len(bot_comments(sandbox, "wismo")) == 1
    assert "Already answered **Ticket #1" in str(state.values["messages"][-1].content)
