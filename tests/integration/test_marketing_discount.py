"""Discount codes and automatic discounts end to end against the Shopify emulator: always with
an end date, rated by percentage (> 30 % HIGH) and estimated cost; a rejection creates
nothing; an automatic discount's write re-executed after a crash finds the first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.integration.pipeline_support import Engine, engine, shop, turn, writes
from tests.integration.storage_support import BACKENDS
from tools.agent_tools import ToolClients
from tools.agent_tools.shopify_automatic_discounts import CREATE_AUTOMATIC_DISCOUNT
from tools.sandbox import SandboxServer

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


async def test_a_10pct_summer_sale_code_is_medium_and_ends(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "d10", "Create a 10% discount for a summer sale")
    assert "__interrupt__" not in result
    assert writes(sandbox) == {"shopify.discountCodeBasicCreate": 1}
    created = shop(sandbox).store.discount_by_code("SUMMERSALE10")
    assert created is not None
    assert created.ends_at is not None
    assert (created.ends_at - created.starts_at).days == 14
    reply = _reply(result)
    assert "SUMMERSALE10" in reply
    assert "MEDIUM" in reply
    executed = await engine.services.audit.list(thread_id="d10", event="action.executed")
    (entry,) = executed.items
    assert entry.action_kind == "discount.create"
    args = entry.payload["args"]
    assert isinstance(args, dict)
    assert args["ends_at"]


async def test_35pct_waits_for_approval_and_a_rejection_creates_nothing(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "d35", "Give 35% off everything for 3 days")
    request = result["__interrupt__"][0].value
    assert request["risk_level"] == "HIGH"
    assert "discount-deep" in request["matched_rules"]
    assert Decimal(request["estimated_cost"]) > 0
    reply = await engine.decide("d35", result, decision="reject", notes="too deep")
    assert "too deep" in reply
    assert writes(sandbox) == {}


async def test_an_edit_without_an_end_date_is_refused(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "dx", "Give 35% off everything for 3 days")
    request = result["__interrupt__"][0].value
    edited = {k: v for k, v in request["args"].items() if k != "ends_at"}
    reply = await engine.decide("dx", result, decision="modify", args=edited)
    assert writes(sandbox) == {}
    assert "end date" in reply


# --- automatic discounts (discountAutomaticBasicCreate) --------------------------------------


async def test_an_automatic_10pct_discount_is_medium_ends_and_has_no_code(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "a10", "Create an automatic 10% discount for a summer sale")
    assert "__interrupt__" not in result
    assert writes(sandbox) == {"shopify.discountAutomaticBasicCreate": 1}
    (created,) = shop(sandbox).store.automatic_discounts.values()
    assert created.title == "Summer Sale 10% off"
    assert created.percentage == 0.1
    assert created.ends_at is not None
    assert (created.ends_at - created.starts_at).days == 14
    reply = _reply(result)
    assert "Automatic discount 'Summer Sale 10% off'" in reply
    assert "MEDIUM" in reply
    executed = await engine.services.audit.list(thread_id="a10", event="action.executed")
    (entry,) = executed.items
    assert entry.action_kind == "discount.create"
    assert entry.payload["tool"] == "shopify_create_automatic_discount"


async def test_a_35pct_automatic_discount_waits_and_an_approval_creates_exactly_one(
    engine: Engine, sandbox: SandboxServer
) -> None:
    goal = "Give 35% off everything automatically for 3 days, no code needed"
    result = await turn(engine, "a35", goal)
    request = result["__interrupt__"][0].value
    assert request["risk_level"] == "HIGH"
    assert "discount-deep" in request["matched_rules"]
    assert writes(sandbox) == {}
    await engine.decide("a35", result, decision="approve")
    assert writes(sandbox) == {"shopify.discountAutomaticBasicCreate": 1}
    (created,) = shop(sandbox).store.automatic_discounts.values()
    assert created.ends_at is not None
    assert (created.ends_at - created.starts_at).days == 3


async def test_an_automatic_discount_edit_without_an_end_date_is_refused(
    engine: Engine, sandbox: SandboxServer
) -> None:
    goal = "Give 35% off everything automatically for 3 days"
    result = await turn(engine, "ax", goal)
    request = result["__interrupt__"][0].value
    edited = {k: v for k, v in request["args"].items() if k != "ends_at"}
    reply = await engine.decide("ax", result, decision="modify", args=edited)
    assert writes(sandbox) == {}
    assert "end date" in reply


async def test_a_re_executed_automatic_discount_write_finds_the_first(
    engine: Engine, sandbox: SandboxServer
) -> None:
    services = engine.services
    clients = ToolClients(
        shopify=services.shopify, github=services.github, suppliers=services.suppliers
    )
    args = {
        "title": "Flash 20% off",
        "percentage": "20",
        "starts_at": "2026-06-01T00:00:00Z",
        "ends_at": "2026-06-03T00:00:00Z",
    }
    write = await CREATE_AUTOMATIC_DISCOUNT.prepare(args, clients, cluster="t", agent="t")
    first = await write.execute(write.action, "k")
    again = await write.execute(write.action, "k")  # as after a crash before the ledger recorded
    assert first == again
    assert writes(sandbox) == {"shopify.discountAutomaticBasicCreate": 1}
