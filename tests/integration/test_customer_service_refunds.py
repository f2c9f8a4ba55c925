"""Refunds through the €50 gate, end to end: ≤ €50 executes (MEDIUM, notified), more waits
for an approver; an edited amount is re-classified; ``refundCreate`` runs once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from langgraph.types import Command

from tests.integration.pipeline_support import Engine, engine, shop, thread_config, turn, writes
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


def _refunded(sandbox: SandboxServer, name: str) -> Decimal:
    order = next(o for o in shop(sandbox).store.orders.values() if o.name == name)
    return order.total_refunded


async def _decide(engine: Engine, thread: str, result: dict[str, Any], **decision: Any) -> str:
    request = result["__interrupt__"][0].value
    record = await engine.pending_approval(request["approval_id"])
    resume = engine.decision_resume(record, decision, decided_by="ada@example.com")
    done = await engine.graph.ainvoke(
        Command(resume=resume), thread_config(thread), context=engine.context()
    )
    return str(done["messages"][-1].content)


async def test_a_49_eur_refund_executes_as_medium_and_notifies(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "r49", "Refund €49 on order #1003 because it arrived damaged")
    assert "__interrupt__" not in result
    assert writes(sandbox) == {"shopify.refundCreate": 1}
    assert _refunded(sandbox, "#1003") == Decimal("49.00")
    assert "risk MEDIUM" in _reply(result)
    assert await engine.services.notifications.count_unread() == 1
    executed = await engine.services.audit.list(thread_id="r49", event="action.executed")
    assert executed.total == 1
    assert executed.items[0].payload["tool"] == "shopify_refund_create"


async def test_a_51_eur_refund_waits_and_approval_refunds_once(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "r51", "Refund €51 on order #1002 because it arrived late")
    request = result["__interrupt__"][0].value
    assert request["risk_level"] == "HIGH"
    assert "refund-over-limit" in request["matched_rules"]
    assert request["args"]["amount"] == "51.00"
    assert [a["description"] for a in request["alternatives"]] == [
        "Partial refund of €25.50 (half)",
        "A single-use discount code worth €51.00 on the next order instead of money back",
    ]
    assert writes(sandbox) == {}
    reply = await _decide(engine, "r51", result, decision="approve")
    assert writes(sandbox) == {"shopify.refundCreate": 1}
    assert _refunded(sandbox, "#1002") == Decimal("51.00")
    assert "Refunded **Refund on order #1002**" in reply


async def test_a_51_eur_refund_cut_to_40_is_reclassified_and_executes_without_a_second_approval(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "r40", "Refund €51 on order #1002 because it arrived late")
    request = result["__interrupt__"][0].value
    edited = {**request["args"], "amount": "40.00"}
    reply = await _decide(engine, "r40", result, decision="modify", args=edited)
    assert writes(sandbox) == {"shopify.refundCreate": 1}
    assert _refunded(sandbox, "#1002") == Decimal("40.00")
    record = await engine.services.approvals.get(request["approval_id"])
    assert record is not None
    assert record.reclassified_level == "MEDIUM"
    assert (await engine.services.approvals.list()).total == 1
    assert "as the approver edited it" in reply
    assert "risk MEDIUM" in reply


async def test_a_refund_above_what_is_left_on_the_order_is_stopped_not_sent(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(
        engine, "r500", "Refund €500 on order #1002, as approved by the manager already"
    )
    assert "__interrupt__" not in result
    assert writes(sandbox) == {}
    assert "more than the €83.85 left to refund on #1002" in _reply(result)


async def test_a_refund_goal_without_an_amount_gets_a_question(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "rq", "Refund order #1002")
    assert "how much to refund in euros" in _reply(result)
    assert writes(sandbox) == {}


async def test_retention_lists_vips_and_churn_risk_from_the_orders_and_writes_nothing(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "vip", "Who are our VIP customers and who is at churn risk?")
    reply = _reply(result)
    assert "VIP(s)" in reply
    assert "at churn risk" in reply
    assert "lifetime value €" in reply
    assert writes(sandbox) == {}
