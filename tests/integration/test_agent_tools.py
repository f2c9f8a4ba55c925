"""Agent tools over real HTTP against the sandbox, writing through the real approval gate inside
a LangGraph graph: MEDIUM executes, HIGH waits for a human, a rejection writes nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from typing_extensions import TypedDict

from nodes.approval import GateServices
from nodes.approval.tool_gate import gate_for_runtime
from policies import PolicyEngine
from settings import get_settings, reset_settings_cache
from storage import (
    ApprovalRepository,
    ApprovalStatus,
    AuditLog,
    EffectsLedger,
    NotificationRepository,
)
from tests.agent_tools_support import BAND_GREEN, BAND_KIT
from tests.integration.storage_support import FrozenClock, migrated
from tools.agent_tools import ToolClients, build_agent_tools, tools_for
from tools.github import GitHubClient
from tools.sandbox import SandboxServer
from tools.shopify import ShopifyClient
from tools.suppliers import build_suppliers


class State(TypedDict, total=False):
    tool: str
    args: dict[str, Any]
    status: str
    result: Any


@dataclass
class ToolContext:
    gate: GateServices
    clients: ToolClients


async def act(state: State, runtime: Runtime[ToolContext]) -> State:
    """One tool call per task, as an agent's tool node makes it, with the real gate."""
    context = runtime.context
    tools = build_agent_tools(
        shopify=context.clients.shopify,
        github=context.clients.github,
        suppliers=context.clients.suppliers,
        gate=gate_for_runtime(context.gate, runtime.execution_info, runtime.stream_writer),
        cluster="product",
        agent="pricing",
    )
    (tool,) = tools_for(tools, names=[state["tool"]])
    call = {"type": "tool_call", "id": "call-1", "name": state["tool"], "args": state["args"]}
    message = await tool.ainvoke(call)
    assert isinstance(message, ToolMessage)
    return {"status": message.status, "result": json.loads(str(message.content))}


def build_graph() -> CompiledStateGraph[State, ToolContext, State, State]:
    builder = StateGraph(State, context_schema=ToolContext)
    builder.add_node("act", act)
    builder.add_edge(START, "act")
    builder.add_edge("act", END)
    return builder.compile(checkpointer=InMemorySaver())


@pytest.fixture
async def clients(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ToolClients]:
    where = urlsplit(sandbox.url)
    monkeypatch.setenv("ROYAL_SANDBOX_HOST", where.hostname or "127.0.0.1")
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", str(where.port))
    reset_settings_cache()
    settings = get_settings()
    async with (
        ShopifyClient.from_settings(settings) as shopify,
        GitHubClient.from_settings(settings) as github,
    ):
        suppliers = build_suppliers(settings)
        yield ToolClients(shopify=shopify, github=github, suppliers=suppliers)
        for supplier in suppliers.values():
            await supplier.aclose()


@pytest.fixture
async def context(clients: ToolClients, tmp_path: Path) -> AsyncIterator[ToolContext]:
    clock = FrozenClock()
    async with migrated(f"sqlite:///{tmp_path / 'royal.sqlite3'}") as database:
        gate = GateServices(
            policy=PolicyEngine.load(),
            approvals=ApprovalRepository(database, clock=clock),
            audit=AuditLog(database, clock=clock),
            effects=EffectsLedger(database, clock=clock),
            notifications=NotificationRepository(database, clock=clock),
            clock=clock,
        )
        yield ToolContext(gate=gate, clients=clients)


def config(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread}}


def reprice(price: str) -> State:
    args = {"product_id": BAND_KIT, "variants": [{"variant_id": BAND_GREEN, "price": price}]}
    return {"tool": "shopify_update_prices", "args": args}


async def green_price(clients: ToolClients) -> Decimal:
    product = await clients.shopify.get_product(BAND_KIT)
    assert product is not None
    return next(v.price for v in product.variants if v.id == BAND_GREEN)


async def test_read_tools_return_data(clients: ToolClients) -> None:
    tools = {
        t.name: t
        for t in build_agent_tools(
            shopify=clients.shopify,
            github=clients.github,
            suppliers=clients.suppliers,
            cluster="product",
            agent="scout",
        )
    }
    products = await tools["shopify_list_products"].ainvoke({"query": "tag:fitness", "limit": 5})
    assert products["count"] == 5
    assert all("fitness" in p["tags"] for p in products["products"])

    product = await tools["shopify_get_product"].ainvoke({"product_id": BAND_KIT})
    green = next(v for v in product["variants"] if v["id"] == BAND_GREEN)
    assert green["price"] == "24.95"

    orders = await tools["shopify_list_orders"].ainvoke({"financial_status": "paid", "limit": 3})
    assert 1 <= orders["count"] <= 3
    order = await tools["shopify_get_order"].ainvoke({"order_id": orders["orders"][0]["id"]})
    assert order["line_items"]
    assert order["total_price"]["shop_money"]["currency_code"] == "EUR"

    found = await tools["supplier_search"].ainvoke({"query": "resistance bands", "limit": 3})
    assert found["items"]
    assert all(Decimal(item["cost"]["amount"]) > 0 for item in found["items"])

    readme = await tools["github_get_file"].ainvoke({"path": "README.md"})
    assert readme["text"].startswith("# Royal Equips storefront")


async def test_a_10_percent_price_rise_executes_as_medium(
    context: ToolContext, sandbox: SandboxServer
) -> None:
    graph = build_graph()
    result = await graph.ainvoke(reprice("27.45"), config("t-medium"), context=context)
    assert result["status"] == "success"
    outcome = result["result"]
    assert outcome["status"] == "executed"
    assert outcome["risk_level"] == "MEDIUM"
    assert sandbox.sandbox.ledger.counts() == {"shopify.productVariantsBulkUpdate": 1}
    assert await green_price(context.clients) == Decimal("27.45")
    assert await context.gate.notifications.count_unread() == 1


async def test_a_30_percent_price_rise_waits_and_executes_once_when_approved(
    context: ToolContext, sandbox: SandboxServer
) -> None:
    graph = build_graph()
    paused = await graph.ainvoke(reprice("32.44"), config("t-high"), context=context)
    (pending,) = paused["__interrupt__"]
    request = pending.value
    assert request["risk_level"] == "HIGH"
    assert request["tool"] == "shopify_update_prices"
    assert "24.95 → 32.44 EUR" in request["description"]
    assert sandbox.sandbox.ledger.counts() == {}
    assert await green_price(context.clients) == Decimal("24.95")

    resumed = await graph.ainvoke(
        Command(resume={"decision": "approve", "decided_by": "ada"}),
        config("t-high"),
        context=context,
    )
    outcome = resumed["result"]
    assert outcome["status"] == "executed"
    assert outcome["by"] == "ada"
    assert sandbox.sandbox.ledger.counts() == {"shopify.productVariantsBulkUpdate": 1}
    assert await green_price(context.clients) == Decimal("32.44")
    record = await context.gate.approvals.get_by_interrupt("t-high", pending.id)
    assert record is not None
    assert record.status is ApprovalStatus.APPROVED


async def test_a_75_eur_refund_waits_and_a_rejection_writes_nothing(
    context: ToolContext, sandbox: SandboxServer
) -> None:
    orders = context.clients.shopify.iter_orders(limit=1)
    (order,) = [o async for o in orders]
    graph = build_graph()
    state: State = {
        "tool": "shopify_create_refund",
        "args": {"order_id": order.id, "amount": "75.00", "reasoning": "Parcel lost."},
    }
    paused = await graph.ainvoke(state, config("t-refund"), context=context)
    (pending,) = paused["__interrupt__"]
    assert pending.value["risk_level"] == "HIGH"
    assert pending.value["estimated_cost"] == "75.00"
    assert pending.value["reasoning"] == "Parcel lost."

    resumed = await graph.ainvoke(
        Command(resume={"decision": "reject", "decided_by": "ada", "notes": "ask for a photo"}),
        config("t-refund"),
        context=context,
    )
    assert resumed["status"] == "success"
    outcome = resumed["result"]
    assert (outcome["status"], outcome["by"], outcome["notes"]) == (
        "rejected",
        "ada",
        "ask for a photo",
    )
    assert "do not retry" in outcome["message"]
    assert sandbox.sandbox.ledger.counts() == {}


async def test_an_approver_edit_is_reclassified_and_executed_as_edited(
    context: ToolContext, sandbox: SandboxServer
) -> None:
    graph = build_graph()
    paused = await graph.ainvoke(reprice("32.44"), config("t-modify"), context=context)
    (pending,) = paused["__interrupt__"]
    edited = reprice("27.45")["args"]
    resumed = await graph.ainvoke(
        Command(resume={"decision": "modify", "args": edited, "decided_by": "ada"}),
        config("t-modify"),
        context=context,
    )
    outcome = resumed["result"]
    assert (outcome["status"], outcome["modified"], outcome["risk_level"]) == (
        "executed",
        True,
        "MEDIUM",
    )
    assert sandbox.sandbox.ledger.counts() == {"shopify.productVariantsBulkUpdate": 1}
    assert await green_price(context.clients) == Decimal("27.45")
    record = await context.gate.approvals.get_by_interrupt("t-modify", pending.id)
    assert record is not None
    assert record.reclassified_level == "MEDIUM"
