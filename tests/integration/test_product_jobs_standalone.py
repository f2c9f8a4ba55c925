"""The product graph run on its own (as the API and webhooks start it) with each job's task as
JSON: a price change, a job it does not do, and a price change a model planned without naming
the job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from nodes.services import close_default_services
from tests.integration.pipeline_support import point_at, shop, writes
from tools.sandbox import SandboxServer


@pytest.fixture
async def product_graph(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Any]:
    from graphs.product import build_product_graph

    point_at(monkeypatch, sandbox, None)
    yield build_product_graph().compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    await close_default_services()


def _task(parameters: dict[str, Any]) -> Any:
    task = {"cluster": "product", "title": "Job", "instructions": "do", "parameters": parameters}
    return {"task": task, "goal": "Job"}


async def test_a_job_the_cluster_does_not_do_is_reported_and_nothing_runs(
    product_graph: Any, sandbox: SandboxServer
) -> None:
    result = await product_graph.ainvoke(
        _task({"action": "discount", "discount_pct": 20}), {"configurable": {"thread_id": "d"}}
    )
    (report,) = result["reports"]
    assert report.status == "failed"
    assert "the product cluster does not do 'discount'" in report.summary
    assert writes(sandbox) == {}


async def test_a_price_change_without_its_action_is_still_a_price_change(
    product_graph: Any, sandbox: SandboxServer
) -> None:
    result = await product_graph.ainvoke(
        _task({"product": "LED camping lantern", "new_price_eur": "17.95"}),
        {"configurable": {"thread_id": "lantern"}},
    )
    (report,) = result["reports"]
    assert report.status == "done"
    assert report.items[0]["title"] == "LED Camping Lantern"
    lantern = next(
        p for p in shop(sandbox).store.products.values() if p.title == report.items[0]["title"]
    )
    assert [v.price for v in lantern.variants] == [Decimal("17.95")]
    assert writes(sandbox) == {"shopify.productVariantsBulkUpdate": 1}


async def test_a_price_change_the_cluster_cannot_read_says_why(
    product_graph: Any, sandbox: SandboxServer
) -> None:
    result = await product_graph.ainvoke(
        _task({"action": "reprice", "product": "mug"}), {"configurable": {"thread_id": "m"}}
    )
    (report,) = result["reports"]
    assert report.status == "stopped"
    assert "give exactly one of change_pct, new_price_eur or change_eur" in str(report.items)
    assert writes(sandbox) == {}
