"""Supplier onboarding end to end against the sandbox: the cluster proposes the new supplier that
passes vetting (never the failing one), the onboarding waits for a human (HIGH), and once
onboarded the supplier's best product is published like a proven supplier's (MEDIUM)."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.types import Command

from storage.product_suppliers import SupplierRegistry
from tests.integration.pipeline_support import Engine, engine, thread_config, turn, writes
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer
from tools.sandbox.cj.catalog import NEW_SUPPLIER

__all__ = ["engine"]  # the fixture, re-exported for pytest

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

GOAL = "Onboard a new supplier and publish their best product"


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


async def _resume(engine: Engine, thread: str, result: dict[str, Any], **decision: Any) -> Any:
    request = result["__interrupt__"][0].value
    record = await engine.pending_approval(request["approval_id"])
    resume = engine.decision_resume(record, decision, decided_by="ada@example.com")
    return await engine.graph.ainvoke(
        Command(resume=resume), thread_config(thread), context=engine.context()
    )


def _registry(engine: Engine) -> SupplierRegistry:
    return SupplierRegistry(engine.services.database)


async def test_onboarding_waits_for_a_human_then_the_best_product_is_published(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "onboard", GOAL)
    request = result["__interrupt__"][0].value
    assert request["tool"] == "onboard_supplier"
    assert request["action"] == "supplier.onboard"
    assert request["risk_level"] == "HIGH"
    assert {"supplier-onboard", "supplier-new"} <= set(request["matched_rules"])
    assert request["args"] == {
        "platform": "cjdropshipping",
        "vendor_id": NEW_SUPPLIER.supplier_id,
        "vendor_name": NEW_SUPPLIER.name,
    }
    # The failing supplier is passed over with its reason; nothing is written yet.
    assert any("BargainHub" in a["description"] for a in request["alternatives"])
    assert writes(sandbox) == {}
    assert await _registry(engine).list() == []

    done = await _resume(engine, "onboard", result, decision="approve")
    assert "__interrupt__" not in done  # the publish is MEDIUM: the supplier is onboarded now
    (onboarded,) = await _registry(engine).list()
    assert onboarded.vendor_id == NEW_SUPPLIER.supplier_id
    assert onboarded.onboarded_by == "ada@example.com"
    assert onboarded.approval_id == request["approval_id"]
    assert writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    reply = _reply(done)
    assert f"Onboarded **{NEW_SUPPLIER.name}**" in reply
    assert "Published **" in reply
    executed = await engine.services.audit.list(thread_id="onboard", event="action.executed")
    assert sorted(e.action_kind or "" for e in executed.items) == [
        "product.create",
        "supplier.onboard",
    ]


async def test_a_rejected_onboarding_publishes_nothing(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "onboard-no", GOAL)
    done = await _resume(engine, "onboard-no", result, decision="reject", notes="not yet")
    assert "not yet" in _reply(done)
    assert writes(sandbox) == {}
    assert await _registry(engine).list() == []


async def test_an_onboarded_supplier_is_no_longer_new_for_later_goals(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "only", "Onboard a new supplier")
    done = await _resume(engine, "only", result, decision="approve")
    assert writes(sandbox) == {}  # onboarding only: nothing published
    assert "Onboarded" in _reply(done)
    # The jump rope comes from the onboarded supplier: its publish no longer waits.
    rope = await turn(engine, "rope", "Publish a smart jump rope")
    assert "__interrupt__" not in rope
    assert writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    # And there is no new supplier left to onboard (the other one fails vetting).
    again = await turn(engine, "again", "Onboard a new supplier")
    reply = _reply(again)
    assert "no new supplier passes vetting" in reply
    assert f"{NEW_SUPPLIER.name} is already onboarded" in reply
    assert "BargainHub Express Trading failed vetting" in reply
