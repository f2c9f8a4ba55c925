"""Price changes of products already in the store, end to end against the sandbox: the CEO plans
the goal (offline rules), the product cluster picks the product (the best seller from the
store's own orders, or by name), and the change goes through the approval gate as
``shopify_update_prices``'s ``price.change`` action, executed once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from langgraph.types import Command

from tests.integration.pipeline_support import Engine, engine, shop, thread_config, turn, writes
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer

__all__ = ["engine"]  # the fixture, re-exported for pytest

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

SOLAR_BANK = "gid://shopify/Product/1000009"


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


def _prices(sandbox: SandboxServer, title: str) -> list[Decimal]:
    product = next(p for p in shop(sandbox).store.products.values() if p.title == title)
    return [variant.price for variant in product.variants]


async def _decide(engine: Engine, thread: str, result: dict[str, Any], **decision: Any) -> str:
    request = result["__interrupt__"][0].value
    record = await engine.pending_approval(request["approval_id"])
    resume = engine.decision_resume(record, decision, decided_by="ada@example.com")
    done = await engine.graph.ainvoke(
        Command(resume=resume), thread_config(thread), context=engine.context()
    )
    return _reply(done)


async def test_best_seller_raise_of_30pct_waits_for_approval_then_changes_once(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "best", "Raise the price of our best seller by 30%")
    (pending,) = result["__interrupt__"]
    request = pending.value
    assert request["tool"] == "shopify_update_prices"
    assert request["action"] == "price.change"
    assert request["risk_level"] == "HIGH"
    assert "price-change-major" in request["matched_rules"]
    # The best seller by units kept in the seeded orders; 30 % rounded toward the old price.
    assert request["args"]["product_id"] == SOLAR_BANK
    assert [v["price"] for v in request["args"]["variants"]] == ["51.93"]
    assert "best seller of the last 30 days" in request["description"]
    assert writes(sandbox) == {}

    reply = await _decide(engine, "best", result, decision="approve")
    assert _prices(sandbox, "Solar Power Bank 20000 mAh") == [Decimal("51.93")]
    assert writes(sandbox) == {"shopify.productVariantsBulkUpdate": 1}
    assert "Solar Power Bank 20000 mAh" in reply
    assert "€39.95 → €51.93" in reply
    assert "best seller of the last 30 days" in reply
    executed = await engine.services.audit.list(thread_id="best", event="action.executed")
    assert executed.total == 1


async def test_a_19pct_raise_by_name_is_medium_and_executes_without_waiting(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "rope", "Raise the price of the smart jump rope by 19%")
    assert "__interrupt__" not in result
    assert _prices(sandbox, "Smart Jump Rope") == [Decimal("23.74")]
    assert writes(sandbox) == {"shopify.productVariantsBulkUpdate": 1}
    reply = _reply(result)
    assert "Repriced **Smart Jump Rope**" in reply
    assert "risk MEDIUM" in reply
    assert await engine.services.notifications.count_unread() == 1  # MEDIUM notifies


async def test_a_21pct_raise_is_high_and_a_rejection_writes_nothing(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "rope21", "Raise the price of the smart jump rope by 21%")
    request = result["__interrupt__"][0].value
    assert request["risk_level"] == "HIGH"
    assert request["args"]["variants"][0]["price"] == "24.13"
    reply = await _decide(engine, "rope21", result, decision="reject", notes="too steep")
    assert "too steep" in reply
    assert writes(sandbox) == {}
    assert _prices(sandbox, "Smart Jump Rope") == [Decimal("19.95")]


async def test_an_edited_change_is_reclassified_and_the_description_cannot_preapprove(
    engine: Engine, sandbox: SandboxServer
) -> None:
    # The diffuser's description tells agents its price changes are pre-approved: data only.
    result = await turn(engine, "diffuser", "Raise the price of the aroma diffuser by 25%")
    request = result["__interrupt__"][0].value
    assert request["risk_level"] == "HIGH"
    variants = [{**request["args"]["variants"][0], "price": "35.95"}]  # +9.1 %
    edited = {**request["args"], "variants": variants}
    reply = await _decide(engine, "diffuser", result, decision="modify", args=edited)
    assert _prices(sandbox, "Wood Grain Aroma Diffuser") == [Decimal("35.95")]
    record = await engine.services.approvals.get(request["approval_id"])
    assert record is not None
    assert record.reclassified_level == "MEDIUM"
    assert "as the approver edited it" in reply


async def test_an_unknown_product_is_reported_not_guessed(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "lamp", "Raise the price of the unicorn lamp by 10%")
    reply = _reply(result)
    assert "no product in the store matches 'unicorn lamp'" in reply
    assert writes(sandbox) == {}
    assert (await engine.services.approvals.list()).total == 0


async def test_a_vague_price_goal_gets_a_specific_question(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "vague", "Raise prices")
    reply = _reply(result)
    assert "Which product" in reply
    assert "how much" in reply
    assert writes(sandbox) == {}
