"""Discount codes end to end against the Shopify emulator: always with an end date, rated by
percentage (> 30 % HIGH) and estimated cost; a rejection creates nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.integration.pipeline_support import Engine, engine, shop, turn, writes
from tests.integration.storage_support import BACKENDS
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
