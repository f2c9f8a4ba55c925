"""Thread streaming (v3) over real HTTP with the unchanged ``langgraph-sdk`` client's
``threads.stream`` API (SSE and WebSocket transports), on SQLite and on Postgres + Redis:
commands, projections ending at an interrupt, ``input.respond``, the event log's numbering,
replay with ``since``, filters, and protocol errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import websockets
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from settings import Settings
from tests.api.server_support import LiveServer, live_server
from tests.api.test_langgraph_api import ROPE, shopify_writes
from tools.sandbox import SandboxServer

GRAPH = Path(__file__).resolve().parent / "v3_graph.py"
ALL_CHANNELS = ["values", "updates", "messages", "tools", "lifecycle", "input", "custom"]
T = TypeVar("T")
STREAM_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres+redis", marks=[pytest.mark.postgres, pytest.mark.redis]),
]


def v3_config(directory: Path) -> Path:
    config = directory / "langgraph.json"
    config.write_text(json.dumps({"graphs": {"v3": f"{GRAPH}:graph"}}))
    return config


@pytest.fixture(params=STREAM_BACKENDS)
def v3_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    postgres = request.param == "postgres"
    settings = Settings(
        royal_data_dir=tmp_path / "data",
        database_url=request.getfixturevalue("postgres_url") if postgres else None,
        redis_url=request.getfixturevalue("redis_url") if postgres else None,
    )
    with live_server(settings, config_path=v3_config(tmp_path)) as server:
        yield server
        assert server.runtime.unexpected_errors == 0


@pytest.fixture
async def sdk(v3_api: LiveServer) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=v3_api.url)
    yield client
    await client.http.client.aclose()


async def _events(
    base: str, thread_id: str, body: dict[str, Any], *, until: Any, seconds: float = 30
) -> list[dict[str, Any]]:
    """SSE events of ``POST /threads/{id}/stream/events`` until ``until(event)`` holds."""
    found: list[dict[str, Any]] = []

    async def read() -> None:
        async with (
            httpx.AsyncClient(base_url=base, timeout=seconds) as http,
            http.stream("POST", f"/threads/{thread_id}/stream/events", json=body) as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    found.append(json.loads(line[5:]))
                    if until(found[-1]):
                        return

    await asyncio.wait_for(read(), seconds)
    return found


async def _subscribed(thread: Any, projection: AsyncIterable[T]) -> asyncio.Task[list[T]]:
    """Consume an SDK projection in a task, returned once its stream is connected.

    langgraph-sdk ends every open projection on the rising edge of an interrupt that its
    separate lifecycle stream reports, whether or not the projection's own stream has
    delivered the events before it. A projection first iterated after ``run.start`` loses that
    race when the run reaches its interrupt before the projection's stream connects (seen under
    CI load: the thread's log held every event, the projection came back empty). Connected
    before the run starts, it receives the run's events live, in order.
    """

    async def collect() -> list[T]:
        return [item async for item in projection]

    task = asyncio.create_task(collect())
    for _ in range(300):
        shared = thread._shared_stream  # the SDK's one connection for its projections
        if shared is not None and shared.ready.done():
            return task
        await asyncio.sleep(0.01)
    task.cancel()
    raise AssertionError("the projection's stream did not connect within 3 s")


def _root(status: str) -> Any:
    def check(event: dict[str, Any]) -> bool:
        params = event["params"]
        return bool(
            event["method"] == "lifecycle"
            and params["namespace"] == []
            and params["data"]["event"] == status
        )

    return check


async def _command(base: str, thread_id: str, method: str, **params: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.post(
            f"/threads/{thread_id}/commands", json={"id": 1, "method": method, "params": params}
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.timeout(120)
async def test_a_session_streams_interrupts_resumes_and_ends(sdk: LangGraphClient) -> None:
    """The SDK's own flow: run.start, a projection ending at the interrupt, respond, output."""
    thread_id = (await sdk.threads.create())["thread_id"]
    async with sdk.threads.stream(thread_id, assistant_id="v3") as thread:
        progress = await _subscribed(thread, thread.extensions["progress"])
        started = await thread.run.start(input={"items": []})
        assert isinstance(started["run_id"], str)
        steps = [event["step"] for event in await asyncio.wait_for(progress, 30)]
        assert steps == ["talk", "ask"]  # ended by input.requested, before the subgraph ran
        assert thread.interrupted
        (pending,) = thread.interrupts
        assert pending["value"] == {"question": "Are we good?"}
        await thread.run.respond("yes")
        final = await asyncio.wait_for(thread.output, 30)
    assert final["items"] == ["talked", "asked", "nested"]
    assert final["answer"] == "yes"


@pytest.mark.timeout(120)
async def test_messages_stream_token_by_token_to_their_finish(sdk: LangGraphClient) -> None:
    thread_id = (await sdk.threads.create())["thread_id"]
    async with sdk.threads.stream(thread_id, assistant_id="v3") as thread:
        messages = await _subscribed(thread, thread.messages)
        await thread.run.start(input={"items": []})
        streams = await asyncio.wait_for(messages, 30)
        texts = ["".join([part async for part in stream.text]) for stream in streams]
    assert texts == ["Hello, world!"]


@pytest.mark.timeout(120)
async def test_websocket_transport(sdk: LangGraphClient) -> None:
    async with sdk.threads.stream(assistant_id="v3", transport="websocket") as thread:
        await thread.run.start(input={"items": []})
        snapshots = [snapshot async for snapshot in thread.values]
        assert thread.interrupted
        assert snapshots
        await thread.run.respond("fine")
        final = await asyncio.wait_for(thread.output, 30)
    assert final["answer"] == "fine"


@pytest.mark.timeout(120)
async def test_sequence_numbers_lifecycle_namespaces_and_replay(v3_api: LiveServer) -> None:
    """Two runs on one thread: seq 1, 2, 3… and unique event ids across both; each run starts
    with the root's ``running`` and ends with one root terminal event, after its subgraph's
    own lifecycle (in the subgraph's namespace); ``since`` replays exactly what follows."""
    base, thread_id = v3_api.url, "5b7c0c55-52c8-4bcb-a0c1-0d6c55f0d1a7"
    started = await _command(base, thread_id, "run.start", assistant_id="v3", input={"items": []})
    assert started["type"] == "success"
    assert started["meta"]["applied_through_seq"] == 0
    first = await _events(base, thread_id, {"channels": ALL_CHANNELS}, until=_root("interrupted"))
    (asked,) = [e for e in first if e["method"] == "input.requested"]
    assert asked["params"]["data"]["payload"] == {"question": "Are we good?"}
    answer = await _command(
        base, thread_id, "input.respond", interrupt_id=asked["params"]["data"]["interrupt_id"],
        namespace=[], response="ok",
    )  # fmt: skip
    assert answer["type"] == "success"
    everything = await _events(
        base, thread_id, {"channels": ALL_CHANNELS, "since": 0}, until=_root("completed")
    )
    assert [e["seq"] for e in everything] == list(range(1, len(everything) + 1))
    assert len({e["event_id"] for e in everything}) == len(everything)
    assert everything[: len(first)] == first
    root = [
        e["params"]["data"]["event"]
        for e in everything
        if e["method"] == "lifecycle" and e["params"]["namespace"] == []
    ]
    assert root == ["running", "interrupted", "running", "completed"]
    nested = [e for e in everything if e["method"] == "lifecycle" and e["params"]["namespace"]]
    assert [e["params"]["data"]["event"] for e in nested] == ["started", "completed"]
    assert nested[0]["params"]["namespace"][0].startswith("nested:")
    assert everything.index(nested[-1]) < len(everything) - 1  # before the root's end
    messages = [e["params"]["data"] for e in everything if e["method"] == "messages"]
    assert next(m["event"] for m in messages) == "message-start"
    assert messages[-1]["event"] == "message-finish"

    middle = everything[len(first) // 2]["seq"]
    replay = await _events(
        base, thread_id, {"channels": ALL_CHANNELS, "since": middle}, until=_root("completed")
    )
    assert replay == everything[middle:]
    without_since = await _events(
        base, thread_id, {"channels": ["lifecycle"]}, until=_root("completed")
    )
    assert [
        e["params"]["data"]["event"] for e in without_since if not e["params"]["namespace"]
    ] == [
        "running",
        "completed",
    ]  # a stream opened without `since` starts at the latest run


@pytest.mark.timeout(120)
async def test_filters_channels_namespaces_and_depth(v3_api: LiveServer) -> None:
    base, thread_id = v3_api.url, "0f7b3b67-6d38-4a40-8b51-8a7d3b0f8a21"
    await _command(base, thread_id, "run.start", assistant_id="v3", input={"items": []})
    first = await _events(base, thread_id, {"channels": ["input"]}, until=lambda e: True)
    interrupt_id = first[0]["params"]["data"]["interrupt_id"]
    await _command(base, thread_id, "input.respond", interrupt_id=interrupt_id, response="x")
    done = _root("completed")
    custom = await _events(
        base, thread_id, {"channels": ["custom:progress", "lifecycle"], "since": 0}, until=done
    )
    steps = [e["params"]["data"]["step"] for e in custom if e["method"] == "custom"]
    assert steps == ["talk", "ask", "ask", "inner"]  # `ask` runs again on resume
    root_only = await _events(
        base, thread_id, {"channels": ["custom", "lifecycle"], "depth": 0, "since": 0}, until=done
    )
    assert all(e["params"]["namespace"] == [] for e in root_only)
    nested = await _events(
        base,
        thread_id,
        {"channels": ["custom", "lifecycle"], "namespaces": [["nested"]], "since": 0},
        until=lambda e: e["method"] == "lifecycle" and e["params"]["data"]["event"] == "completed",
    )
    assert {e["params"]["namespace"][0].split(":")[0] for e in nested} == {"nested"}
    assert [e["params"]["data"].get("step") for e in nested if e["method"] == "custom"] == ["inner"]


@pytest.mark.timeout(120)
async def test_a_raw_websocket_subscribes_then_gets_events(v3_api: LiveServer) -> None:
    base, thread_id = v3_api.url, "d3c5b1c2-2f55-4d8e-9b57-2a3e1f3c7b10"
    await _command(base, thread_id, "run.start", assistant_id="v3", input={"items": []})
    url = base.replace("http://", "ws://") + f"/threads/{thread_id}/stream/events"
    async with websockets.connect(url) as socket:
        body = {"channels": ["lifecycle", "input"]}
        await socket.send(json.dumps({"id": 1, "method": "subscription.subscribe", "params": body}))
        reply = json.loads(await socket.recv())
        assert reply["type"] == "success"
        assert reply["id"] == 1
        assert reply["result"]["subscription_id"]
        methods = []
        while "input.requested" not in methods:
            frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
            methods.append(frame["method"])
        assert methods[0] == "lifecycle"


@pytest.mark.timeout(120)
async def test_protocol_errors_answer_with_an_error_envelope(v3_api: LiveServer) -> None:
    base, thread_id = v3_api.url, "8d1f9c3e-3a41-4c8f-9f0e-6e1d2c3b4a59"
    unknown = await _command(base, thread_id, "run.teleport")
    assert unknown == {
        "type": "error",
        "id": 1,
        "error": "unknown_command",
        "message": "unknown command 'run.teleport'",
    }
    assert (await _command(base, thread_id, "run.start"))["error"] == "invalid_argument"
    nobody = await _command(base, thread_id, "run.start", assistant_id="nobody")
    assert nobody["error"] == "invalid_argument"
    early = await _command(base, thread_id, "input.respond", interrupt_id="x", response=1)
    assert early["error"] == "no_such_run"
    assert (await _command(base, thread_id, "input.inject"))["error"] == "not_supported"
    await _command(base, thread_id, "run.start", assistant_id="v3", input={"items": []})
    await _events(base, thread_id, {"channels": ["input"]}, until=lambda e: True)
    wrong = await _command(base, thread_id, "input.respond", interrupt_id="f" * 32, response=1)
    assert wrong["error"] == "no_such_interrupt"
    state = await _command(base, thread_id, "state.get", namespace=[], keys=["items"])
    assert state["result"]["values"] == {"items": ["talked"]}
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        bad = await http.post(f"/threads/{thread_id}/stream/events", json={"channels": "values"})
        assert bad.status_code == 422
        extra = await http.post(
            f"/threads/{thread_id}/stream/events", json={"channels": ["values"], "since": -1}
        )
        assert extra.status_code == 422


@pytest.mark.timeout(240)
async def test_an_approval_is_answered_with_input_respond_in_agent_inbox_format(
    client: LangGraphClient, sandbox: SandboxServer
) -> None:
    """Our CEO graph's HIGH-risk approval reaches a v3 client as ``input.requested``; the
    answer in Agent Inbox's format goes through the approval gate and publishes once."""
    async with client.threads.stream(assistant_id="ceo") as thread:
        await thread.run.start(input=ROPE)
        async for _ in thread.values:
            if thread.interrupted:
                break
        (pending,) = thread.interrupts
        assert pending["value"]["risk_level"] == "HIGH"
        assert shopify_writes(sandbox) == {}
        await thread.run.respond([{"type": "accept", "args": None}])
        final = await asyncio.wait_for(thread.output, 120)
    content = final["messages"][-1]["content"]  # under the v3 stream: content blocks
    text = content if isinstance(content, str) else "".join(b["text"] for b in content)
    assert "Published **Smart Jump Rope" in text
    assert shopify_writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}


@pytest.mark.timeout(240)
async def test_an_approval_answer_that_does_not_fit_is_refused(client: LangGraphClient) -> None:
    thread_id = "3c0f5e1a-7b2d-4e9f-8a6c-5d4e3f2a1b0c"
    async with client.threads.stream(assistant_id="ceo", thread_id=thread_id) as thread:
        await thread.run.start(input=ROPE)
        async for _ in thread.values:
            if thread.interrupted:
                break
        (pending,) = thread.interrupts
    answer = await _command(
        str(client.http.client.base_url).rstrip("/"),
        thread_id,
        "input.respond",
        interrupt_id=pending["interrupt_id"],
        response={"decision": "teleport"},
    )
    assert answer["type"] == "error"
    assert answer["error"] == "invalid_argument"
