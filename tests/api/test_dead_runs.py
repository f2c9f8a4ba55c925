"""The run queue gives up cleanly, over real HTTP on SQLite and Postgres: a run whose attempts
fail on a dropped connection is retried with backoff and dead after three attempts with its
error (``error`` to LangGraph SDK clients, ``dead`` in ``/api/v1``); the thread's later run goes
ahead; an operator retries it (it runs again, to success) or discards it (audited); viewers
may only list."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from tests.api.auth_support import headers, secured_settings
from tests.api.conftest import BACKENDS
from tests.api.server_support import LiveServer, live_server, sandboxed_settings
from tools.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]
CRASH_GRAPH = Path(__file__).resolve().parent / "crash_graph.py"
FAST_RETRIES = {"royal_run_retry_base_seconds": 0.05, "royal_run_retry_max_seconds": 0.2}


def crash_config(tmp_path: Path) -> Path:
    """The project's CEO (so its services, e.g. the audit log, are served) and the crash graph."""
    config = tmp_path / "langgraph.json"
    graphs = {"ceo": f"{ROOT / 'graphs' / 'ceo.py'}:graph", "crashy": f"{CRASH_GRAPH}:graph"}
    config.write_text(json.dumps({"graphs": graphs}))
    return config


@pytest.fixture(params=BACKENDS)
def crash_api(
    request: pytest.FixtureRequest,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LiveServer]:
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    settings = sandboxed_settings(
        monkeypatch, sandbox, tmp_path / "data", database_url, **FAST_RETRIES
    )
    with live_server(settings, config_path=crash_config(tmp_path)) as server:
        yield server
        assert server.runtime.unexpected_errors == 0


@pytest.fixture
async def http(crash_api: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=crash_api.url, timeout=60) as client:
        yield client


async def start(http: httpx.AsyncClient, thread_id: str, state: dict[str, Any]) -> str:
    answer = await http.post(
        f"/threads/{thread_id}/runs",
        json={
            "assistant_id": "crashy",
            "input": state,
            "if_not_exists": "create",
            "multitask_strategy": "enqueue",
            "durability": "sync",
        },
    )
    assert answer.status_code == 200, answer.text
    run_id: str = answer.json()["run_id"]
    return run_id


async def dead_run(http: httpx.AsyncClient, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed: list[dict[str, Any]] = (await http.get("/api/v1/runs/dead")).json()
        found = [run for run in listed if run["run_id"] == run_id]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"run {run_id} is not dead after a minute")


async def join(http: httpx.AsyncClient, thread_id: str, run_id: str) -> Any:
    answer = await http.get(f"/threads/{thread_id}/runs/{run_id}/join")
    assert answer.status_code == 200, answer.text
    return answer.json()


def executions(where: Path) -> int:
    return int((where / "count").read_text())


async def test_a_run_failing_three_times_is_dead_then_retried_to_success(
    http: httpx.AsyncClient, crash_api: LiveServer, tmp_path: Path
) -> None:
    where = tmp_path / "poison"
    where.mkdir()
    poison = await start(http, "t-poison", {"dir": str(where), "crash": "reset"})
    later = await start(http, "t-poison", {"dir": str(tmp_path), "crash": ""})

    dead = await dead_run(http, poison)
    assert dead["status"] == "dead"
    assert (dead["failed_attempts"], dead["attempts"]) == (3, 3)
    assert dead["error_class"] == "ConnectionResetError"
    assert dead["error"] == "[Errno 104] Connection reset by peer"
    assert (dead["thread_id"], dead["assistant_id"]) == ("t-poison", "crashy")
    assert executions(where) == 3
    # Its waiters hear the error; LangGraph SDK clients see the status they know.
    assert (await join(http, "t-poison", poison))["__error__"]["error"] == "ConnectionResetError"
    sdk = get_client(url=crash_api.url)
    try:
        assert (await sdk.runs.get("t-poison", poison))["status"] == "error"
        errors = await sdk.runs.list("t-poison", status="error")
        assert [run["run_id"] for run in errors] == [poison]
    finally:
        await sdk.http.client.aclose()

    # The poison run does not block its thread: the later run ran, and the thread is not busy.
    finished = await join(http, "t-poison", later)
    assert finished["log"][-1] == "done"
    assert (await http.get(f"/threads/t-poison/runs/{later}")).json()["status"] == "success"
    assert (await http.get("/threads/t-poison")).json()["status"] == "idle"

    # The bug is fixed; an operator retries the dead run: it runs again, to success.
    (where / "heal").touch()
    retried = await http.post(f"/api/v1/runs/{poison}/retry")
    assert retried.status_code == 202, retried.text
    assert retried.json() == {"run_id": poison, "thread_id": "t-poison", "status": "pending"}
    values = await join(http, "t-poison", poison)
    assert values["log"][-1] == "done"
    assert executions(where) == 4
    assert (await http.get(f"/threads/t-poison/runs/{poison}")).json()["status"] == "success"
    assert (await http.get("/api/v1/runs/dead")).json() == []
    again = await http.post(f"/api/v1/runs/{poison}/retry")
    assert again.status_code == 409
    assert "is success, not dead" in again.json()["detail"]
    audit = (await http.get("/api/v1/audit", params={"event": "run.retried"})).json()
    assert [(entry["run_id"], entry["actor"]) for entry in audit] == [(poison, "dev:anonymous")]


async def test_a_retried_run_resumes_from_its_last_checkpoint(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    run_id = await start(http, "t-resume", {"dir": str(tmp_path), "crash": "reset"})
    await dead_run(http, run_id)
    (tmp_path / "heal").touch()
    assert (await http.post(f"/api/v1/runs/{run_id}/retry")).status_code == 202
    values = await join(http, "t-resume", run_id)
    # ``note`` ran once, in the first attempt; every later attempt resumed at ``boom``.
    assert values["log"] == ["noted", "done"]
    assert executions(tmp_path) == 4


async def test_a_dead_run_discarded_stays_dead_and_is_audited(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    run_id = await start(http, "t-discard", {"dir": str(tmp_path), "crash": "reset"})
    await dead_run(http, run_id)
    assert (await http.get("/threads/t-discard")).json()["status"] == "error"
    discarded = await http.post(f"/api/v1/runs/{run_id}/discard", json={"reason": "a bad input"})
    assert discarded.status_code == 200, discarded.text
    assert discarded.json()["status"] == "dead"
    assert discarded.json()["discarded_at"]
    assert (await http.get("/api/v1/runs/dead")).json() == []
    listed = (await http.get("/api/v1/runs/dead", params={"discarded": "true"})).json()
    assert [run["run_id"] for run in listed] == [run_id]
    for action in ("retry", "discard"):
        refused = await http.post(f"/api/v1/runs/{run_id}/{action}")
        assert refused.status_code == 409
        assert "was discarded" in refused.json()["detail"]
    unknown = await http.post("/api/v1/runs/no-such-run/retry")
    assert unknown.status_code == 404
    audit = (await http.get("/api/v1/audit", params={"event": "run.discarded"})).json()
    assert [(entry["run_id"], entry["reasoning"]) for entry in audit] == [(run_id, "a bad input")]
    dead = (await http.get("/api/v1/audit", params={"event": "run.dead"})).json()
    assert [entry["run_id"] for entry in dead] == [run_id]
    assert dead[0]["payload"]["failed_attempts"] == 3


@pytest.mark.parametrize("backend", [BACKENDS[0]])
def test_viewers_list_dead_runs_and_operators_retry_or_discard(
    backend: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    settings = secured_settings(sandbox, tmp_path / "data").model_copy(update=FAST_RETRIES)
    with live_server(settings) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/api/v1/runs/dead").status_code == 401
        assert client.get("/api/v1/runs/dead", headers=headers("viewer")).json() == []
        for action in ("retry", "discard"):
            path = f"/api/v1/runs/no-such-run/{action}"
            assert client.post(path, headers=headers("viewer")).status_code == 403
            assert client.post(path, headers=headers("operator")).status_code == 404
            assert client.post(path, headers=headers("admin")).status_code == 404
