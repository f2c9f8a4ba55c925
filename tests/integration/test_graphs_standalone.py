"""The graphs as langgraph.json exposes them: importable with no configuration, compiled, and
runnable under a bare LangGraph runtime with services built from settings."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.memory import InMemoryStore
from pydantic import ValidationError

from nodes.services import close_default_services
from tests.integration.pipeline_support import point_at, writes
from tools.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


def test_langgraph_json_lists_compiled_graphs() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert set(config["graphs"]) == {
        "ceo",
        "product",
        "catalog",
        "marketing",
        "finance",
        "customer_service",
    }
    for target in config["graphs"].values():
        path, _, attribute = target.partition(":")
        module = path.removeprefix("./").removesuffix(".py").replace("/", ".")
        graph = getattr(__import__(module, fromlist=[attribute]), attribute)
        assert isinstance(graph, CompiledStateGraph)


def test_ceo_graph_speaks_chat_messages() -> None:
    from graphs.ceo import graph

    assert set(graph.get_input_jsonschema()["properties"]) == {"messages"}
    assert set(graph.get_output_jsonschema()["properties"]) == {"messages", "run_info"}
    assert "product:publish" in graph.get_graph(xray=1).nodes


@pytest.fixture
async def default_services_closed() -> AsyncIterator[None]:
    yield
    await close_default_services()


async def test_ceo_graph_runs_with_services_from_settings(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, default_services_closed: None
) -> None:
    """What `langgraph dev` does: its own checkpointer and store, no context passed."""
    from graphs.ceo import build_ceo_graph

    point_at(monkeypatch, sandbox, None)
    graph = build_ceo_graph().compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    result = await graph.ainvoke(
        {"messages": [HumanMessage("Find and publish a white glossy mug")]},
        {"configurable": {"thread_id": "standalone"}},
    )
    assert "Published **White Glossy Mug**" in str(result["messages"][-1].content)
    assert writes(sandbox)["shopify.productSet"] == 1
    goals = await graph.store.asearch(("goals",))  # type: ignore[union-attr]
    assert [g.value["text"] for g in goals] == ["Find and publish a white glossy mug"]


async def test_product_graph_takes_its_task_as_json(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, default_services_closed: None
) -> None:
    """How the API and the webhooks start it: the task is a JSON object, not a ClusterTask."""
    from graphs.product import build_product_graph

    point_at(monkeypatch, sandbox, None)
    graph = build_product_graph().compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    task = {
        "cluster": "product",
        "title": "Re-check sourcing",
        "instructions": "Find a white glossy mug",
        "parameters": {"query": "white glossy mug", "count": 1},
    }
    as_json: Any = {"task": task, "goal": "Re-check sourcing"}
    result = await graph.ainvoke(as_json, {"configurable": {"thread_id": "json-task"}})
    assert [report.cluster for report in result["reports"]] == ["product"]
    bad: Any = {"task": {"title": 3}}
    with pytest.raises(ValidationError):
        await graph.ainvoke(bad, {"configurable": {"thread_id": "bad-task"}})


async def test_run_budget_stops_the_run_with_an_explanation(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, default_services_closed: None
) -> None:
    from graphs.ceo import build_ceo_graph

    monkeypatch.setenv("ROYAL_RUN_TOKEN_BUDGET", "300")
    point_at(monkeypatch, sandbox, None)
    graph = build_ceo_graph().compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    result = await graph.ainvoke(
        {"messages": [HumanMessage("Find and publish a white glossy mug")]},
        {"configurable": {"thread_id": "budget"}},
    )
    reply = str(result["messages"][-1].content)
    assert reply.startswith("I stopped before finishing: run token budget of 300 tokens")
    assert writes(sandbox) == {}


async def test_the_stricter_spend_limit_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    from decimal import Decimal

    from nodes.services import Services
    from settings import Settings

    monkeypatch.setenv("ROYAL_RUN_BUDGET_EUR", "5.00")  # the shipped policy file says 2.00
    async with Services.open(Settings()) as services:
        assert services.models.budget.max_cost_eur == Decimal("2.00")
    monkeypatch.setenv("ROYAL_RUN_BUDGET_EUR", "0.50")
    async with Services.open(Settings()) as services:
        assert services.models.budget.max_cost_eur == Decimal("0.50")
