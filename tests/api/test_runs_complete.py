"""The rest of the runs/threads surface, driven by the unchanged ``langgraph-sdk`` client on
SQLite and Postgres: legacy ``messages`` and ``events`` stream modes, rollback (double texting
and ``cancel?action=rollback``), cancel many, thread copy, forks, ``Last-Event-ID`` reconnects,
the LangChain HITL resume format and run webhooks (with the SSRF guard)."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.schema import StreamPart

from host.webhooks_out import WebhookRefusedError, check_url
from server.api import routes_runs
from settings import Settings
from tests.api.conftest import BACKENDS
from tests.api.server_support import LiveServer, live_server
from tests.api.test_langgraph_api import HELLO, ROPE, as_dict, shopify_writes
from tools.sandbox import SandboxServer

HOLD_GRAPH = Path(__file__).resolve().parent / "hold_graph.py"


# --- a server with the hold graph and webhooks allowed to loopback ----------------------------
@pytest.fixture(params=BACKENDS)
def hold_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    config = tmp_path / "langgraph.json"
    config.write_text(json.dumps({"graphs": {"hold": f"{HOLD_GRAPH}:graph"}}))
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    settings = Settings(
        royal_data_dir=tmp_path / "data",
        database_url=database_url,
        royal_webhook_allow_private=True,
    )
    with live_server(settings, config_path=config) as server:
        yield server
        assert server.runtime.unexpected_errors == 0


@pytest.fixture
async def hold(hold_api: LiveServer) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=hold_api.url)
    yield client
    await client.http.client.aclose()


def entry(*log: str, **flags: bool) -> dict[str, Any]:
    """Input of the hold graph: log lines and flags (``hold``, ``ask``)."""
    return {"log": list(log), **flags}


def resume(value: Any) -> Any:
    """A resume command (typed loosely: the SDK's ``Command`` wants exact JSON types)."""
    return {"resume": value}


def checkpoint_id(state: Any, key: str = "checkpoint") -> str | None:
    found = as_dict(state).get(key)
    return None if found is None else str(found["checkpoint_id"])


def log_of(state: Any) -> list[str]:
    values = as_dict(as_dict(state)["values"])
    return list(values.get("log", []))


async def held(client: LangGraphClient, thread_id: str, **options: Any) -> str:
    """Start a run that will hold; return its id once it holds (its checkpoints written)."""
    run = await client.runs.create(
        thread_id, "hold", durability="sync", stream_mode=["values", "custom"], **options
    )
    parts = client.runs.join_stream(thread_id, run["run_id"], stream_mode="custom")
    try:
        async for part in parts:
            if part.event == "custom" and part.data == {"holding": True}:
                return run["run_id"]
    finally:
        await cast(AsyncGenerator[StreamPart, None], parts).aclose()
    raise AssertionError("the run ended without holding")


async def assert_gone(client: LangGraphClient, thread_id: str, run_id: str) -> None:
    with pytest.raises(httpx.HTTPStatusError) as gone:
        await client.runs.get(thread_id, run_id)
    assert gone.value.response.status_code == 404


# --- stream modes ------------------------------------------------------------------------------
async def test_legacy_messages_mode(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    parts = [
        p
        async for p in client.runs.stream(
            thread["thread_id"], "ceo", input=HELLO, stream_mode=["messages", "values"]
        )
    ]
    events = [p.event for p in parts]
    assert events[0] == "metadata"
    assert "messages/metadata" in events
    assert {"messages/partial", "messages/complete"} & set(events)
    assert "messages" not in events  # the tuple form only comes with messages-tuple
    seen: set[str] = set()
    latest: dict[str, dict[str, Any]] = {}
    for part in parts:
        if part.event == "messages/metadata":
            (message_id,) = part.data
            assert "langgraph_node" in part.data[message_id]["metadata"]
            seen.add(message_id)
        elif part.event in ("messages/partial", "messages/complete"):
            (message,) = part.data
            assert message["id"] in seen, "metadata comes before a message's first part"
            latest[message["id"]] = message
    final = await client.threads.get_state(thread["thread_id"])
    last_ai = as_dict(final["values"])["messages"][-1]
    assert last_ai["type"] == "ai"
    assert latest[last_ai["id"]]["content"] == last_ai["content"]  # partials accumulate


async def test_events_mode(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    parts = [
        p
        async for p in client.runs.stream(
            thread["thread_id"], "ceo", input=HELLO, stream_mode=["events", "values"]
        )
    ]
    events = [p for p in parts if p.event == "events"]
    kinds = {p.data["event"] for p in events}
    assert {"on_chain_start", "on_chain_end"} <= kinds
    assert kinds & {"on_chat_model_start", "on_chat_model_stream"}
    for part in events:
        assert {"event", "name", "run_id", "metadata", "data"} <= set(part.data)
    nodes = {
        p.data["metadata"].get("langgraph_node")
        for p in events
        if p.data["event"] == "on_chain_start"
    }
    assert "plan" in nodes  # what Agent Inbox shows while a run streams
    values = [p.data for p in parts if p.event == "values"]
    assert values
    assert values[-1]["messages"][-1]["type"] == "ai"


# --- reconnect ----------------------------------------------------------------------------
async def test_reconnect_with_last_event_id_gets_exactly_the_rest(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    stream = client.runs.stream(
        thread_id,
        "ceo",
        input=ROPE,
        stream_mode=["values", "updates", "messages-tuple"],
        stream_resumable=True,
    )
    first: list[StreamPart] = []
    async for part in stream:
        first.append(part)
        if len(first) == 4:
            break
    await cast(AsyncGenerator[StreamPart, None], stream).aclose()  # the client goes away
    run_id = first[0].data["run_id"]
    assert first[-1].id is not None
    rest = [p async for p in client.runs.join_stream(thread_id, run_id, last_event_id=first[-1].id)]
    everything = [p async for p in client.runs.join_stream(thread_id, run_id)]
    assert first + rest == everything
    assert rest[-1].event == "end"
    ids = [int(p.id or 0) for p in everything[:-1]]  # the SDK repeats the last id on "end"
    assert ids == sorted(set(ids))


# --- rollback -----------------------------------------------------------------------------
async def test_rollback_double_texting_drops_the_run_and_its_checkpoints(
    hold: LangGraphClient,
) -> None:
    thread = await hold.threads.create()
    thread_id = thread["thread_id"]
    first = await hold.runs.wait(thread_id, "hold", input=entry("one"))
    assert as_dict(first)["log"] == ["one", "noted", "done"]
    before = await hold.threads.get_history(thread_id, limit=100)

    doomed = await held(hold, thread_id, input=entry("two", hold=True))
    during = await hold.threads.get_history(thread_id, limit=100)
    assert len(during) > len(before), "the held run wrote checkpoints"

    second = await hold.runs.create(
        thread_id, "hold", input=entry("three"), multitask_strategy="rollback"
    )
    result = await hold.runs.join(thread_id, second["run_id"])
    assert as_dict(result)["log"] == ["one", "noted", "done", "three", "noted", "done"]
    await assert_gone(hold, thread_id, doomed)
    assert {run["run_id"] for run in await hold.runs.list(thread_id)} == {
        second["run_id"],
        first_run_id(before),
    }
    after = await hold.threads.get_history(thread_id, limit=100)
    assert all(as_dict(s["metadata"]).get("run_id") != doomed for s in after)
    kept = {checkpoint_id(s) for s in after}
    assert {checkpoint_id(s) for s in before} <= kept
    assert (await hold.threads.get(thread_id))["status"] == "idle"


def first_run_id(history: list[Any]) -> str:
    (run_id,) = {as_dict(s["metadata"])["run_id"] for s in history}
    return str(run_id)


async def test_cancel_with_rollback_restores_the_interrupted_thread(
    hold: LangGraphClient,
) -> None:
    thread = await hold.threads.create()
    thread_id = thread["thread_id"]
    paused = await hold.runs.wait(thread_id, "hold", input=entry("one", ask=True))
    assert as_dict(paused)["__interrupt__"][0]["value"] == "continue?"
    state_before = await hold.threads.get_state(thread_id)
    history_before = await hold.threads.get_history(thread_id, limit=100)
    thread_before = await hold.threads.get(thread_id)

    # The resume writes onto the interrupted checkpoint, then holds after a checkpoint of its own.
    doomed = await held(hold, thread_id, command=resume("hold"))
    assert len(await hold.threads.get_history(thread_id, limit=100)) > len(history_before)

    await hold.runs.cancel(thread_id, doomed, wait=True, action="rollback")
    await assert_gone(hold, thread_id, doomed)
    assert await hold.threads.get_state(thread_id) == state_before
    assert await hold.threads.get_history(thread_id, limit=100) == history_before
    restored = await hold.threads.get(thread_id)
    assert restored["status"] == "interrupted"
    assert restored["values"] == thread_before["values"]
    assert restored["interrupts"] == thread_before["interrupts"]

    # The thread resumes as if the rolled-back run never happened.
    done = await hold.runs.wait(thread_id, "hold", command=resume("fine"))
    assert as_dict(done)["log"] == ["one", "noted", "answer fine", "done"]


async def test_rollback_of_a_queued_run_deletes_it(hold: LangGraphClient) -> None:
    thread = await hold.threads.create()
    thread_id = thread["thread_id"]
    blocker = await held(hold, thread_id, input=entry("one", hold=True))
    queued = await hold.runs.create(thread_id, "hold", input=entry("two"))
    await hold.runs.cancel(thread_id, queued["run_id"], action="rollback")
    await assert_gone(hold, thread_id, queued["run_id"])
    await hold.runs.cancel(thread_id, blocker, wait=True)
    assert (await hold.runs.get(thread_id, blocker))["status"] == "interrupted"


# --- wait and join ----------------------------------------------------------------------------
async def test_join_answers_at_once_or_keeps_the_connection_alive_with_newlines(
    hold: LangGraphClient, hold_api: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_runs, "HEARTBEAT_SECONDS", 0.2)
    thread_id = (await hold.threads.create())["thread_id"]
    async with httpx.AsyncClient(base_url=hold_api.url, timeout=30) as http:
        quick = await http.post(
            f"/threads/{thread_id}/runs/wait", json={"assistant_id": "hold", "input": entry("a")}
        )
        assert quick.headers["content-length"] == str(len(quick.content))  # not streamed
        assert quick.json()["log"] == ["a", "noted", "done"]

        run_id = await held(hold, thread_id, input=entry("b", hold=True))
        received = b""
        async with http.stream("GET", f"/threads/{thread_id}/runs/{run_id}/join") as slow:
            assert slow.headers["content-location"] == f"/threads/{thread_id}/runs/{run_id}"
            chunks = slow.aiter_bytes()
            received += await anext(chunks)
            assert received.strip() == b""  # a heartbeat while the run holds
            await hold.runs.cancel(thread_id, run_id)
            async for chunk in chunks:
                received += chunk
    assert received.startswith(b"\n")
    assert json.loads(received)["log"] == ["a", "noted", "done", "b", "noted"]


async def test_if_not_exists_create_makes_the_thread_once_then_runs_on_it(
    hold: LangGraphClient,
) -> None:
    thread_id = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(httpx.HTTPStatusError) as unknown:
        await hold.runs.wait(thread_id, "hold", input=entry("a"))
    assert unknown.value.response.status_code == 404
    first = await hold.runs.wait(thread_id, "hold", input=entry("a"), if_not_exists="create")
    again = await hold.runs.wait(thread_id, "hold", input=entry("b"), if_not_exists="create")
    assert as_dict(first)["log"] == ["a", "noted", "done"]
    assert as_dict(again)["log"] == ["a", "noted", "done", "b", "noted", "done"]
    thread = await hold.threads.get(thread_id)
    assert thread["status"] == "idle"
    assert thread["metadata"] == {"graph_id": "hold", "assistant_id": "hold"}
    assert [run["status"] for run in await hold.runs.list(thread_id)] == ["success", "success"]


# --- cancel many ----------------------------------------------------------------------------
async def test_cancel_many_by_ids_and_by_status(hold: LangGraphClient) -> None:
    a = (await hold.threads.create())["thread_id"]
    b = (await hold.threads.create())["thread_id"]
    running_a = await held(hold, a, input=entry("a", hold=True))
    queued_a = await hold.runs.create(a, "hold", input=entry("a2"))
    running_b = await held(hold, b, input=entry("b", hold=True))

    await hold.runs.cancel_many(thread_id=a, run_ids=[queued_a["run_id"]])
    assert (await hold.runs.get(a, queued_a["run_id"]))["status"] == "interrupted"
    assert (await hold.runs.get(a, running_a))["status"] == "running"

    await hold.runs.cancel_many(status="running")
    for thread_id, run_id in ((a, running_a), (b, running_b)):
        await hold.runs.join(thread_id, run_id)
        assert (await hold.runs.get(thread_id, run_id))["status"] == "interrupted"
    # Stopped inside ``hold``: the checkpoint still has work to do, as the reference reports.
    assert {t["status"] for t in await hold.threads.search(ids=[a, b])} == {"interrupted"}


async def test_busy_thread_copy_is_409_and_cancel_many_can_roll_back(
    hold: LangGraphClient,
) -> None:
    thread_id = (await hold.threads.create())["thread_id"]
    doomed = await held(hold, thread_id, input=entry("one", hold=True))
    copy_thread: Any = hold.threads.copy
    with pytest.raises(httpx.HTTPStatusError) as busy:
        await copy_thread(thread_id)
    assert busy.value.response.status_code == 409
    assert await hold.threads.get_history(thread_id, limit=100) != []

    watch = cast(AsyncGenerator[StreamPart, None], hold.runs.join_stream(thread_id, doomed))
    assert (await anext(watch)).event == "metadata"  # watching before the run goes away
    await hold.runs.cancel_many(thread_id=thread_id, action="rollback")
    assert [part.event async for part in watch][-1] == "end"
    await assert_gone(hold, thread_id, doomed)
    assert await hold.threads.get_history(thread_id, limit=100) == []
    assert (await hold.threads.get(thread_id))["values"] is None


async def test_cancel_many_bad_selection_is_422(hold_api: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=hold_api.url) as http:
        neither = await http.post("/runs/cancel", json={})
        both = await http.post("/runs/cancel", json={"status": "all", "thread_id": "x"})
        bad_action = await http.post("/runs/cancel?action=explode", json={"status": "all"})
        unknown = await http.post("/runs/cancel", json={"thread_id": "nope", "run_ids": ["r"]})
    assert [r.status_code for r in (neither, both, bad_action)] == [422, 422, 422]
    assert all("detail" in r.json() for r in (neither, both, bad_action))
    assert unknown.status_code == 404


# --- thread copy and forks -------------------------------------------------------------------
async def test_copy_thread_is_equal_then_independent(
    client: LangGraphClient, sandbox: SandboxServer
) -> None:
    thread = await client.threads.create(metadata={"owner": "ada"})
    source = thread["thread_id"]
    await client.runs.wait(source, "ceo", input=ROPE)  # interrupted on the approval
    copy_thread: Any = client.threads.copy  # the SDK types its answer as None; it is a Thread
    copy = as_dict(await copy_thread(source))
    target = copy["thread_id"]
    assert target != source
    assert copy["status"] == "interrupted"
    assert as_dict(copy["metadata"])["owner"] == "ada"
    assert copy["interrupts"] == (await client.threads.get(source))["interrupts"]

    def without_thread(state: Any) -> Any:
        state = json.loads(json.dumps(state))
        for key in ("checkpoint", "parent_checkpoint"):
            if state.get(key):
                state[key].pop("thread_id", None)
        state["metadata"].pop("thread_id", None)
        return state

    source_state = await client.threads.get_state(source)
    assert without_thread(await client.threads.get_state(target)) == without_thread(source_state)
    source_history = await client.threads.get_history(source, limit=100)
    copy_history = await client.threads.get_history(target, limit=100)
    assert [without_thread(s) for s in copy_history] == [without_thread(s) for s in source_history]
    assert all(as_dict(s["metadata"]).get("thread_id") in (None, target) for s in copy_history)

    # Approving on the copy publishes there; the original still waits.
    done = await client.runs.wait(target, "ceo", command=resume({"decision": "approve"}))
    assert "Published **Smart Jump Rope" in as_dict(done)["messages"][-1]["content"]
    assert (await client.threads.get(target))["status"] == "idle"
    assert (await client.threads.get(source))["status"] == "interrupted"
    assert await client.threads.get_state(source) == source_state
    assert shopify_writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}


async def test_copy_unknown_thread_is_404(client: LangGraphClient) -> None:
    with pytest.raises(httpx.HTTPStatusError) as missing:
        await client.threads.copy("no-such-thread")
    assert missing.value.response.status_code == 404


async def test_fork_from_an_earlier_checkpoint_keeps_both_branches(
    hold: LangGraphClient,
) -> None:
    thread = await hold.threads.create()
    thread_id = thread["thread_id"]
    await hold.runs.wait(thread_id, "hold", input=entry("a"))
    fork_point = checkpoint_id(await hold.threads.get_state(thread_id))
    await hold.runs.wait(thread_id, "hold", input=entry("b"))
    forked = await hold.runs.wait(thread_id, "hold", input=entry("c"), checkpoint_id=fork_point)
    assert as_dict(forked)["log"] == ["a", "noted", "done", "c", "noted", "done"]
    assert log_of(await hold.threads.get_state(thread_id)) == as_dict(forked)["log"]

    history = await hold.threads.get_history(thread_id, limit=100)
    children = [s for s in history if checkpoint_id(s, "parent_checkpoint") == fork_point]
    assert len(children) == 2, "the b and c branches both start at the fork point"
    tips = {tuple(log_of(s)) for s in history if not s["next"]}
    assert ("a", "noted", "done", "b", "noted", "done") in tips
    assert ("a", "noted", "done", "c", "noted", "done") in tips


# --- LangChain HITL resume ---------------------------------------------------------------------
async def test_high_risk_resume_in_langchain_hitl_format(
    client: LangGraphClient, sandbox: SandboxServer
) -> None:
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    paused = await client.runs.wait(thread_id, "ceo", input=ROPE)
    (pending,) = as_dict(paused)["__interrupt__"]
    assert pending["value"]["risk_level"] == "HIGH"
    assert shopify_writes(sandbox) == {}
    done = await client.runs.wait(
        thread_id, "ceo", command=resume({"decisions": [{"type": "approve"}]})
    )
    assert "Published **Smart Jump Rope" in as_dict(done)["messages"][-1]["content"]
    assert shopify_writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    assert (await client.threads.get(thread_id))["status"] == "idle"


# --- webhooks ---------------------------------------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    """Answers 503 to the first delivery (the sender retries), 200 afterwards."""

    received: queue.Queue[tuple[str, dict[str, Any]]]
    answered: list[int]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        status = 503 if not self.answered else 200
        self.answered.append(status)
        self.send_response(status)
        self.end_headers()
        if status == 200:
            self.received.put((self.path, body))

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[tuple[str, queue.Queue[tuple[str, dict[str, Any]]], list[int]]]:
    received: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
    answered: list[int] = []
    handler = type("Receiver", (_Receiver,), {"received": received, "answered": answered})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received, answered
    finally:
        server.shutdown()
        server.server_close()


async def test_webhook_delivers_the_finished_run_with_retries(
    hold: LangGraphClient,
    receiver: tuple[str, queue.Queue[tuple[str, dict[str, Any]]], list[int]],
) -> None:
    url, received, answered = receiver
    thread = await hold.threads.create()
    thread_id = thread["thread_id"]
    run = await hold.runs.create(
        thread_id, "hold", input=entry("x"), webhook=f"{url}/hooks/run?k=1"
    )
    await hold.runs.join(thread_id, run["run_id"])
    path, body = await asyncio.to_thread(received.get, True, 30)
    assert path == "/hooks/run?k=1"
    assert answered == [503, 200]
    assert body["run_id"] == run["run_id"]
    assert body["thread_id"] == thread_id
    assert body["assistant_id"] == "hold"
    assert body["status"] == "success"
    assert body["values"]["log"] == ["x", "noted", "done"]
    assert body["kwargs"]["webhook"] == f"{url}/hooks/run?k=1"
    for stamp in ("run_started_at", "run_ended_at", "webhook_sent_at", "created_at"):
        assert isinstance(body[stamp], str)
    assert "error" not in body


async def test_private_webhook_is_refused_with_422(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    for url in ("http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "ftp://example.com/x"):
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.runs.create(thread["thread_id"], "ceo", input=HELLO, webhook=url)
        assert refused.value.response.status_code == 422
        assert "webhook" in refused.value.response.json()["detail"]
    assert await client.runs.list(thread["thread_id"]) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data",
        "http://192.168.1.10/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "http://224.0.0.1/x",
        "http://user:pw@93.184.215.14/x",
        "javascript:alert(1)",
        "http://",
    ],
)
async def test_ssrf_guard_refuses_non_public_targets(url: str) -> None:
    with pytest.raises(WebhookRefusedError):
        await check_url(url, allow_private=False)


async def test_ssrf_guard_allows_public_and_allow_listed_private_targets() -> None:
    await check_url("https://93.184.215.14/hook", allow_private=False)
    await check_url("http://127.0.0.1:8080/hook", allow_private=True)
    with pytest.raises(WebhookRefusedError):
        await check_url("file:///etc/passwd", allow_private=True)
