"""Operations endpoints and logs: /metrics after a real run, /healthz, /readyz, JSON log lines."""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from host.logging_setup import make_handler
from server.cli_worker import serve_worker_metrics
from storage import Database, EffectsLedger
from tests.api.server_support import LiveServer

ROPE: dict[str, Any] = {"messages": [{"role": "human", "content": "Publish a smart jump rope"}]}


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Sample name -> [(labels, value)], plus each family's name with no samples."""
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        found.setdefault(family.name, [])
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def value(found: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for got, v in found.get(name, []) if labels.items() <= got.items())


async def test_metrics_after_a_run(api: LiveServer, client: LangGraphClient) -> None:
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "ceo", input=ROPE)  # pauses at an approval
    await _left_started(api)
    async with httpx.AsyncClient(base_url=api.url) as http:
        answer = await http.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found = samples(answer.text)

    route = "/threads/{thread_id}/runs/wait"
    assert value(found, "royal_http_requests_total", method="POST", route=route, status="200") == 1
    assert value(found, "royal_http_request_duration_seconds_count", route=route) == 1
    assert (
        value(found, "royal_runs", status="success")
        + value(found, "royal_runs", status="interrupted")
        == 1
    )
    assert value(found, "royal_runs", status="pending") == 0
    assert value(found, "royal_run_queue_depth") == 0
    assert value(found, "royal_run_start_delay_seconds_count") == 1
    assert value(found, "royal_approvals_pending") >= 1
    assert value(found, "royal_approval_oldest_pending_age_seconds") >= 0
    assert value(found, "royal_node_duration_seconds_count", graph="ceo", node="plan") == 1
    assert value(found, "royal_node_duration_seconds_count", node="product/scout") == 1
    assert value(found, "royal_llm_tokens_total", kind="input") > 0
    assert value(found, "royal_llm_cost_eur_total") >= 0
    for family in ("royal_tool_duration_seconds", "royal_webhook_deliveries", "royal_llm_cost_eur"):
        assert family in found
    assert value(found, "royal_effects_started", tool="a_tool_nobody_resolves") == 1


class _Died(BaseException):
    """A process dying between claiming a write and recording it."""


async def _left_started(api: LiveServer) -> None:
    """A write of a tool no sweeper resolver knows, left STARTED."""

    async def die() -> None:
        raise _Died

    async with Database(api.runtime.store.database.url) as database:  # on this test's loop
        with pytest.raises(_Died):
            await EffectsLedger(database).run_once(
                "key-metrics",
                thread_id="t-metrics",
                task_id="task",
                action_kind="ticket.reply",
                tool="a_tool_nobody_resolves",
                args={},
                apply=die,
            )


async def test_a_worker_serves_its_run_metrics(api: LiveServer, client: LangGraphClient) -> None:
    """What `royal worker --metrics-port` serves: the run-level families of its own runs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve_worker_metrics(api.runtime, port)
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "ceo", input=ROPE)
    async with httpx.AsyncClient() as http:
        scraped = await http.get(f"http://127.0.0.1:{port}/metrics")
    found = samples(scraped.text)
    assert value(found, "royal_node_duration_seconds_count", graph="ceo", node="plan") == 1
    assert value(found, "royal_run_start_delay_seconds_count") == 1


async def test_healthz_and_readyz(api: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=api.url) as http:
        health = await http.get("/healthz")
        ready = await http.get("/readyz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "redis", "workers"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["redis"]["detail"] == "not configured"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there now: connections are refused


async def test_readyz_is_503_when_redis_is_configured_but_unreachable(api: LiveServer) -> None:
    runtime = api.runtime
    original = runtime.settings
    runtime.settings = original.model_copy(
        update={"redis_url": SecretStr(f"redis://127.0.0.1:{closed_port()}/0")}
    )
    try:
        async with httpx.AsyncClient(base_url=api.url) as http:
            ready = await http.get("/readyz")
    finally:
        runtime.settings = original
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["detail"] == "not ready: redis"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the process logs, as ``royal serve`` formats it (JSON lines)."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_json_log_lines_carry_request_and_run_ids(
    api: LiveServer, json_log: io.StringIO
) -> None:
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
        thread = (await http.post("/threads", json={})).json()
        answer = await http.post(
            f"/threads/{thread['thread_id']}/runs/wait",
            json={"assistant_id": "ceo", "input": ROPE},
            headers={"X-Request-ID": "req-abc-123"},
        )
        generated = await http.get("/healthz")
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == "req-abc-123"
    assert len(generated.headers["x-request-id"]) == 32  # none given: one is made up

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert all({"timestamp", "level", "logger", "message"} <= line.keys() for line in lines)
    access = [line for line in lines if line.get("request_id") == "req-abc-123"]
    assert any(
        line["logger"] == "royal.http" and line["route"] == "/threads/{thread_id}/runs/wait"
        for line in access
    )
    started = [line for line in lines if line["message"] == "run started"]
    assert len(started) == 1
    assert started[0]["thread_id"] == thread["thread_id"]
    assert started[0]["run_id"]
    assert "request_id" not in started[0]  # a run outlives its request: ids do not leak across
