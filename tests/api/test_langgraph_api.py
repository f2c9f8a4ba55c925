"""The LangGraph Server API driven by the official ``langgraph-sdk`` client over real HTTP, on
SQLite and Postgres, with the CEO graph publishing to the sandbox store."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.schema import Command, StreamPart

from tests.api.server_support import LiveServer
from tests.integration.pipeline_support import shop
from tools.sandbox import SandboxServer

ROPE: dict[str, Any] = {"messages": [{"role": "human", "content": "Publish a smart jump rope"}]}
MUG: dict[str, Any] = {
    "messages": [{"role": "human", "content": "Find and publish a white glossy mug"}]
}
HELLO: dict[str, Any] = {"messages": [{"role": "human", "content": "hello"}]}


def as_dict(value: Any) -> dict[str, Any]:
    """The SDK types many fields loosely (``dict | None``, ``dict | list``): narrow them."""
    assert isinstance(value, dict), value
    return value


def shopify_writes(sandbox: SandboxServer) -> dict[str, int]:
    counts = sandbox.sandbox.ledger.counts()
    return {key: value for key, value in counts.items() if key.startswith("shopify.")}


async def _stream(client: LangGraphClient, thread_id: str, **options: Any) -> list[StreamPart]:
    return [part async for part in client.runs.stream(thread_id, "ceo", **options)]


async def test_assistants_are_the_served_graphs(client: LangGraphClient) -> None:
    assistants = await client.assistants.search()
    assert sorted(a["assistant_id"] for a in assistants) == [
        "catalog",
        "ceo",
        "customer_service",
        "finance",
        "marketing",
        "product",
    ]
    ceo = await client.assistants.get("ceo")
    assert ceo["graph_id"] == "ceo"
    drawing = await client.assistants.get_graph("ceo")
    assert {"plan", "product", "respond"} <= {node["id"] for node in drawing["nodes"]}
    schemas = await client.assistants.get_schemas("ceo")
    assert "messages" in as_dict(schemas["input_schema"])["properties"]
    assert set(as_dict(schemas["context_schema"])["properties"]) == {"operator", "kill_switch"}


async def test_stream_interrupt_search_and_resume_in_agent_inbox_format(
    client: LangGraphClient, sandbox: SandboxServer
) -> None:
    thread = await client.threads.create(metadata={"owner": "ada"})
    thread_id = thread["thread_id"]
    parts = await _stream(
        client,
        thread_id,
        input=ROPE,
        stream_mode=["values", "updates", "messages-tuple", "custom"],
        stream_subgraphs=True,
    )
    events = [part.event for part in parts]
    assert events[0] == "metadata"
    assert parts[0].data["attempt"] == 1
    assert events[-1] == "end"
    assert {"values", "updates", "messages"} <= set(events)
    assert any(e.startswith("messages|product:") for e in events)  # subgraph namespaces
    custom = [p.data for p in parts if p.event.startswith("custom|product:")]
    assert any(item["type"] == "approval_requested" for item in custom)
    message, meta = next(p.data for p in parts if p.event.startswith("messages"))
    assert message["type"] == "AIMessageChunk"
    assert "langgraph_node" in meta
    interrupt_values = [p.data for p in parts if p.event == "values" and "__interrupt__" in p.data]
    assert interrupt_values, "interrupts surface in values events"
    assert shopify_writes(sandbox) == {}

    (found,) = await client.threads.search(status="interrupted", metadata={"owner": "ada"})
    assert found["thread_id"] == thread_id
    assert as_dict(found["metadata"])["graph_id"] == "ceo"
    assert as_dict(found["metadata"])["assistant_id"] == "ceo"
    (pending,) = [item for items in found["interrupts"].values() for item in items]
    assert pending["value"]["risk_level"] == "HIGH"
    assert pending["id"] == interrupt_values[-1]["__interrupt__"][0]["id"]

    # Agent Inbox resumes with a one-element list of HumanResponse.
    result = await client.runs.wait(
        thread_id, "ceo", command={"resume": [{"type": "accept", "args": None}]}
    )
    assert isinstance(result, dict)
    assert "Published **Smart Jump Rope" in result["messages"][-1]["content"]
    assert shopify_writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    done = await client.threads.get(thread_id)
    assert done["status"] == "idle"
    assert done["interrupts"] == {}
    assert await client.threads.search(status="interrupted") == []


async def test_resume_map_by_interrupt_id_in_our_format(
    client: LangGraphClient, sandbox: SandboxServer
) -> None:
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    paused = await client.runs.wait(thread_id, "ceo", input=ROPE)
    assert isinstance(paused, dict)
    (pending,) = paused["__interrupt__"]
    state = await client.threads.get_state(thread_id)
    assert state["next"] == ["product"]
    assert state["interrupts"][0]["id"] == pending["id"]

    resume = {pending["id"]: {"decision": "reject", "notes": "supplier too new"}}
    parts = await _stream(client, thread_id, command={"resume": resume}, stream_mode="updates")
    assert parts[0].event == "metadata"
    assert any(p.event == "updates" for p in parts)
    assert shopify_writes(sandbox) == {}
    final = await client.threads.get_state(thread_id)
    assert "supplier too new" in as_dict(final["values"])["messages"][-1]["content"]
    runs = await client.runs.list(thread_id)
    assert [run["status"] for run in runs] == ["success", "interrupted"]


async def test_background_run_join_history_and_double_texting(
    client: LangGraphClient, sandbox: SandboxServer
) -> None:
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    run = await client.runs.create(thread_id, "ceo", input=MUG)
    assert run["status"] == "pending"
    with pytest.raises(httpx.HTTPStatusError) as rejected:
        await client.runs.create(thread_id, "ceo", input=MUG, multitask_strategy="reject")
    assert rejected.value.response.status_code == 409
    assert "already running" in rejected.value.response.json()["detail"]

    result = await client.runs.join(thread_id, run["run_id"])
    assert isinstance(result, dict)
    assert "Published **White Glossy Mug**" in result["messages"][-1]["content"]
    assert (await client.runs.get(thread_id, run["run_id"]))["status"] == "success"
    assert shopify_writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}

    history = await client.threads.get_history(thread_id, limit=50)
    assert len(history) > 3
    assert history[0]["next"] == []
    assert as_dict(history[-1]["metadata"])["source"] == "input"
    assert history[0]["checkpoint"]["checkpoint_id"] != history[1]["checkpoint"]["checkpoint_id"]

    # Replay of a finished run's stream: everything it emitted, then the end.
    replay = [p async for p in client.runs.join_stream(thread_id, run["run_id"])]
    assert replay[0].event == "metadata"
    assert replay[-1].event == "end"


async def test_enqueue_runs_one_after_the_other(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    first = await client.runs.create(thread_id, "ceo", input=MUG)
    second = await client.runs.create(
        thread_id,
        "ceo",
        input=HELLO,
        multitask_strategy="enqueue",
    )
    await client.runs.join(thread_id, second["run_id"])
    statuses = {run["run_id"]: run["status"] for run in await client.runs.list(thread_id)}
    assert statuses == {first["run_id"]: "success", second["run_id"]: "success"}
    state = await client.threads.get_state(thread_id)
    humans = [m["content"] for m in as_dict(state["values"])["messages"] if m["type"] == "human"]
    assert humans == ["Find and publish a white glossy mug", "hello"]


async def test_stateless_wait_and_update_state(client: LangGraphClient) -> None:
    result = await client.runs.wait(None, "ceo", input=HELLO)
    assert isinstance(result, dict)
    assert result["messages"][-1]["type"] == "ai"

    thread = await client.threads.create(thread_id="fixed-id")
    assert thread["thread_id"] == "fixed-id"
    again = await client.threads.create(thread_id="fixed-id", if_exists="do_nothing")
    assert again["created_at"] == thread["created_at"]
    await client.runs.wait("fixed-id", "ceo", input=ROPE)
    assert (await client.threads.get("fixed-id"))["status"] == "interrupted"
    # Agent Inbox's "mark as resolved".
    update = await client.threads.update_state("fixed-id", None, as_node="__end__")
    assert update["checkpoint"]["checkpoint_id"]
    assert (await client.threads.get("fixed-id"))["status"] == "idle"
    patched = await client.threads.update("fixed-id", metadata={"label": "x"})
    assert as_dict(patched["metadata"])["label"] == "x"
    assert as_dict(patched["metadata"])["graph_id"] == "ceo"
    await client.threads.delete("fixed-id")
    with pytest.raises(httpx.HTTPStatusError) as gone:
        await client.threads.get("fixed-id")
    assert gone.value.response.status_code == 404


async def test_search_pagination_headers(api: LiveServer, client: LangGraphClient) -> None:
    for index in range(3):
        await client.threads.create(metadata={"batch": "p", "n": index})
    async with httpx.AsyncClient(base_url=api.url) as http:
        response = await http.post(
            "/threads/search", json={"metadata": {"batch": "p"}, "limit": 2, "offset": 0}
        )
        assert response.headers["x-pagination-total"] == "3"
        assert response.headers["x-pagination-next"] == "2"
        assert len(response.json()) == 2
        last = await http.post(
            "/threads/search", json={"metadata": {"batch": "p"}, "limit": 2, "offset": 2}
        )
        assert "x-pagination-next" not in last.headers
        assert await client.threads.count(metadata={"batch": "p"}) == 3


async def test_cancel_a_queued_run(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    first = await client.runs.create(thread_id, "ceo", input=MUG)
    queued = await client.runs.create(thread_id, "ceo", input=MUG, after_seconds=60)
    await client.runs.cancel(thread_id, queued["run_id"])
    assert (await client.runs.get(thread_id, queued["run_id"]))["status"] == "interrupted"
    await client.runs.join(thread_id, first["run_id"])
    assert (await client.runs.get(thread_id, first["run_id"]))["status"] == "success"
    assert (await client.threads.get(thread_id))["status"] == "idle"


def inbox_card(value: dict[str, Any]) -> dict[str, Any]:
    """What the unchanged Agent Inbox makes of an interrupt value: its ``normalizeInterrupt``
    (src/components/agent-inbox/contexts/utils.ts) reads a HITL request first, taking the
    arguments from ``action_requests[0].arguments`` and the buttons from ``allowed_decisions``."""
    request = value["action_requests"][0]
    decisions = value["review_configs"][0]["allowed_decisions"]
    return {
        "action_request": {"action": request["name"], "args": request.get("arguments") or {}},
        "config": {
            "allow_accept": "approve" in decisions,
            "allow_edit": "edit" in decisions,
            "allow_respond": "reject" in decisions,
            "allow_ignore": False,
        },
        "description": request.get("description"),
    }


async def _pending_rope(client: LangGraphClient) -> tuple[str, dict[str, Any]]:
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "ceo", input=ROPE)
    found = await client.threads.get(thread["thread_id"])
    (pending,) = [item for items in found["interrupts"].values() for item in items]
    return thread["thread_id"], as_dict(pending["value"])


async def test_agent_inbox_shows_every_set_argument_and_edits_them_as_text(
    client: LangGraphClient, sandbox: SandboxServer
) -> None:
    """The inbox's card holds the action's arguments (it showed none when it read ``arguments``
    and found only LangChain's ``args``), no ``null`` (its edit form fails on one), and its
    edit — every changed field sent back as text — publishes with the edited, typed values."""
    thread_id, value = await _pending_rope(client)
    args = value["args"]
    assert args["compare_at_price"] is None  # an unset field the action has
    card = inbox_card(value)
    assert card["action_request"]["action"] == value["tool"]
    assert card["action_request"]["args"] == {k: v for k, v in args.items() if v is not None}
    assert "compare_at_price" not in card["action_request"]["args"]
    assert card["config"] == {
        "allow_accept": True,
        "allow_edit": True,
        "allow_respond": True,
        "allow_ignore": False,
    }
    assert "Risk: HIGH" in card["description"]
    assert value["action_requests"][0]["args"] == args  # LangChain's own key stays exact

    price = Decimal(str(args["price"])) + Decimal("1.00")
    edited = card["action_request"]["args"] | {"price": f"{price}"}
    action = card["action_request"]["action"]
    resume = [{"type": "edit", "args": {"action": action, "args": edited}}]
    result = await client.runs.wait(thread_id, "ceo", command={"resume": resume})
    assert isinstance(result, dict)
    assert "Published **Smart Jump Rope" in result["messages"][-1]["content"], result
    product = shop(sandbox).store.product_by_handle(args["handle"])
    assert product is not None
    assert product.variants[0].price == price
    assert product.variants[0].compare_at_price is None


async def test_agent_chat_ui_edit_with_text_values_is_typed_before_the_gate(
    client: LangGraphClient, sandbox: SandboxServer
) -> None:
    """agent-chat-ui answers in LangChain's HITL format, its edit boxes also sending text; a
    value that does not fit the field is refused with the reason and nothing executes."""
    thread_id, value = await _pending_rope(client)
    args = value["args"]
    tool = value["action_requests"][0]["name"]

    def edit(changes: dict[str, Any]) -> Command:
        action = {"name": tool, "args": args | changes}
        return {"resume": {"decisions": [{"type": "edit", "edited_action": action}]}}

    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(thread_id, "ceo", command=edit({"price": "free"}))
    assert refused.value.response.status_code == 422
    assert "price" in refused.value.response.json()["detail"]
    assert shopify_writes(sandbox) == {}

    result = await client.runs.wait(
        thread_id, "ceo", command=edit({"price": "29.99", "compare_at_price": "39.99"})
    )
    assert isinstance(result, dict)
    assert "Published **Smart Jump Rope" in result["messages"][-1]["content"], result
    product = shop(sandbox).store.product_by_handle(args["handle"])
    assert product is not None
    assert (product.variants[0].price, product.variants[0].compare_at_price) == (
        Decimal("29.99"),
        Decimal("39.99"),
    )
