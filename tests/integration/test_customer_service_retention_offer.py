"""Retention offers as Shopify discount codes through the marketing cluster's tool: a 10 % code
for the customers at churn risk executes (MEDIUM), always with an end date; a 40 % one waits
(discount-deep) and an approver's cut to 20 % is re-classified; no one at risk, no code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nodes.customer_service.loyalty import ChurnRisk, segment
from tests.integration.pipeline_support import Engine, engine, shop, turn, writes
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

CREATE = "shopify.discountCodeBasicCreate"


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


@pytest.fixture
def later(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Seven weeks on, with no new order since: every customer of the demo shop is at risk."""
    now = datetime.now(UTC) + timedelta(days=50)
    monkeypatch.setattr(engine.services, "clock", lambda: now)
    return now


async def _at_risk(engine: Engine, now: datetime) -> int:
    orders = [o async for o in engine.services.shopify.iter_orders(limit=2000)]
    return sum(1 for v in segment(orders, now) if v.churn_risk is ChurnRisk.HIGH)


async def test_a_10_pct_retention_code_executes_with_an_end_date_and_one_use_per_customer(
    engine: Engine, sandbox: SandboxServer, later: datetime
) -> None:
    result = await turn(engine, "ro", "Send a retention offer to customers at risk of churning")
    assert "__interrupt__" not in result
    assert writes(sandbox) == {CREATE: 1}
    (made,) = shop(sandbox).store.discounts.values()
    assert made.code == f"COMEBACK10-{later:%Y%m%d}"
    assert made.percentage == pytest.approx(0.10)
    assert made.ends_at is not None
    assert made.ends_at - made.starts_at == timedelta(days=14)
    assert made.applies_once_per_customer
    assert made.usage_limit == await _at_risk(engine, later)
    reply = _reply(result)
    assert "Retention offer" in reply
    assert "risk MEDIUM" in reply


async def test_a_40_pct_retention_code_waits_and_a_cut_to_20_pct_is_reclassified(
    engine: Engine, sandbox: SandboxServer, later: datetime
) -> None:
    result = await turn(engine, "ro40", "Give churning customers a 40% win-back discount code")
    request = result["__interrupt__"][0].value
    assert request["risk_level"] == "HIGH"
    assert "discount-deep" in request["matched_rules"]
    assert writes(sandbox) == {}
    edited = {**request["args"], "percentage": "20"}
    reply = await engine.decide("ro40", result, decision="modify", args=edited)
    assert writes(sandbox) == {CREATE: 1}
    (made,) = shop(sandbox).store.discounts.values()
    assert made.percentage == pytest.approx(0.20)
    record = await engine.services.approvals.get(request["approval_id"])
    assert record is not None
    assert record.reclassified_level == "MEDIUM"
    assert "risk MEDIUM" in reply


async def test_no_customer_at_risk_makes_no_code(engine: Engine, sandbox: SandboxServer) -> None:
    result = await turn(engine, "ro0", "Send a retention offer to customers at risk of churning")
    assert writes(sandbox) == {}
    assert "No customer is at churn risk" in _reply(result)
