"""Scaled out: `royal serve --no-workers` API processes and `royal worker` processes sharing
Postgres and Redis. Runs created through one API process stream through another, survive a
worker killed mid-run (each Shopify write once) or stopped by SIGTERM (re-queued at once, exit 0),
cancel across processes, and still complete, join and wait with Redis gone."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from host.broker import RunEvent
from host.broker_redis import RedisBroker
from host.graphs import DEFAULT_CONFIG
from settings import Settings
from storage.langgraph import open_persistence
from tools.sandbox import FaultSettings, SandboxServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

MUG: dict[str, Any] = {
    "messages": [{"role": "human", "content": "Find and publish a white glossy mug"}]
}

#: A graph whose one node marks that it started (with the worker's pid) and then waits for
#: the test to open its gate: runs that are reliably "in the middle" when the test acts.
GATE_GRAPH = """
import asyncio
import os
from pathlib import Path

from typing_extensions import TypedDict
from langgraph.graph import StateGraph, START, END


class State(TypedDict, total=False):
    key: str
    pid: int


async def wait(state: State) -> State:
    gates = Path(os.environ["ROYAL_TEST_GATES"])
    (gates / f"{state['key']}.{os.getpid()}.started").touch()
    while not (gates / state["key"]).exists():
        await asyncio.sleep(0.05)
    return {"pid": os.getpid()}


builder = StateGraph(State)
builder.add_node("wait", wait)
builder.add_edge(START, "wait")
builder.add_edge("wait", END)
graph = builder.compile()
"""

DEADLINE = 60.0
STARTUP = 480.0
"""Processes import the whole system; several starting at once on a busy 2-core CI take long."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _eventually(condition: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    """Another process's progress is seen by looking (files, database rows)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Gates:
    """Start markers and gates of GATE_GRAPH runs, in a directory the workers share."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def started(self, key: str, *, not_by: set[int] | frozenset[int] = frozenset()) -> int:
        """The pid of a worker that started ``key`` (other than ``not_by``), once one did."""

        def find() -> int | None:
            for marker in self.directory.glob(f"{key}.*.started"):
                pid = int(marker.name.split(".")[1])
                if pid not in not_by:
                    return pid
            return None

        pid: int = _eventually(find, f"run {key} to start")
        return pid

    def open(self, key: str) -> None:
        (self.directory / key).touch()


class Cluster:
    """Processes of one deployment: shared database, Redis, sandbox, graphs and settings."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.env = env
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []
        self.gates = Gates(tmp_path / "gates")
        self.gates.directory.mkdir()
        config = tmp_path / "langgraph.json"
        (tmp_path / "gate.py").write_text(GATE_GRAPH)
        ceo = (DEFAULT_CONFIG.parent / "graphs" / "ceo.py").resolve()
        config.write_text(
            json.dumps({"graphs": {"ceo": f"{ceo}:graph", "gate": "./gate.py:graph"}})
        )
        self.config = config

    def _spawn(self, name: str, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.tmp_path / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", *args, "--config", str(self.config)],
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env, "ROYAL_TEST_GATES": str(self.gates.directory)},
            )
        self.processes.append((process, log))
        return process, log

    def api(self, name: str) -> str:
        port = _free_port()
        self._spawn(name, "serve", "--no-workers", "--port", str(port))
        return f"http://127.0.0.1:{port}"

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        process, _ = self._spawn(name, "worker", "--concurrency", "2")
        return process

    def wait_until_up(self, urls: list[str]) -> None:
        """Every API answers and every worker said it is executing runs."""

        def up(url: str) -> bool:
            try:
                return httpx.get(f"{url}/ok", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        for url in urls:
            _eventually(lambda: self._died() or up(url), f"{url} to answer", STARTUP)  # noqa: B023
        for _, log in self.processes:
            if log.name.startswith("worker"):
                ready = lambda: self._died() or b"executing runs" in log.read_bytes()  # noqa: B023, E731
                _eventually(ready, f"{log.name} to start", STARTUP)

    def process(self, name: str) -> subprocess.Popen[bytes]:
        (found,) = [process for process, log in self.processes if log.stem == name]
        return found

    def _died(self) -> bool:
        for process, log in self.processes:
            code = process.poll()
            if code is not None and code != 0 and code != -signal.SIGKILL:
                raise AssertionError(f"{log.name} exited {code}: {log.read_text()}")
        return False

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()}" for _, log in self.processes)

    def stop(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


@contextmanager
def cluster(
    tmp_path: Path, sandbox: SandboxServer, postgres_url: str, redis: str
) -> Iterator[Cluster]:
    env = {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis,
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_RUN_LEASE_SECONDS": "3",
        "ROYAL_SHUTDOWN_GRACE_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",
    }
    deployment = Cluster(tmp_path, env)
    try:
        yield deployment
    finally:
        deployment.stop()
    assert "Traceback" not in deployment.output(), deployment.output()


async def _close(*made: LangGraphClient) -> None:
    for client in made:
        await client.http.client.aclose()


async def _worker_pid(postgres_url: str, run_id: str) -> int | None:
    async with await psycopg.AsyncConnection.connect(postgres_url) as connection:
        cursor = await connection.execute("SELECT worker_id FROM runs WHERE run_id = %s", (run_id,))
        row = await cursor.fetchone()
    if row is None or row[0] is None:
        return None
    return int(str(row[0]).rsplit("-", 2)[1])  # royal-<host>-<pid>-<suffix>


def _shopify_writes(sandbox: SandboxServer) -> dict[str, int]:
    counts = sandbox.sandbox.ledger.counts()
    return {k: v for k, v in counts.items() if k.startswith("shopify.")}


async def _collect(parts: AsyncIterator[Any]) -> list[Any]:
    return [part async for part in parts]


@contextmanager
def private_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis of this test's own, which it may stop (the shared one stays up)."""
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"redis://127.0.0.1:{port}/0", server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.timeout(STARTUP + 300)
async def test_scaled_out_deployment(
    tmp_path: Path, sandbox: SandboxServer, postgres_url: str
) -> None:
    """One deployment through its life (process start-up dominates the time, so one test)."""
    with (
        private_redis() as (redis_url, redis),
        cluster(tmp_path, sandbox, postgres_url, redis_url) as deployment,
    ):
        first_url, second_url = deployment.api("api-1"), deployment.api("api-2")
        workers = {p.pid: p for p in (deployment.worker("worker-1"), deployment.worker("worker-2"))}
        await asyncio.to_thread(deployment.wait_until_up, [first_url, second_url])
        first, second = get_client(url=first_url), get_client(url=second_url)
        try:
            await _sigkill_mid_run(deployment, workers, first, second, sandbox, postgres_url)
            await _sigterm_mid_run(deployment, workers, first, second)
            await _cancel_across_processes(deployment, first, second, "cancel-1")
            await _redis_gone(deployment, redis, first, second)
        finally:
            await _close(first, second)
        api = deployment.process("api-2")  # an API process stops cleanly on SIGTERM, too
        api.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(api.wait, DEADLINE) == 0
    for _, log in deployment.processes:  # an outage is logged once per process, not per call
        assert log.read_text().count("Redis unreachable") <= 1, log.read_text()


async def _sigkill_mid_run(
    deployment: Cluster,
    workers: dict[int, subprocess.Popen[bytes]],
    first: LangGraphClient,
    second: LangGraphClient,
    sandbox: SandboxServer,
    postgres_url: str,
) -> None:
    """A CEO run created through API 1 and streamed through API 2; its worker is killed with
    SIGKILL after the Shopify product write; the other worker finishes it, writing once."""
    sandbox.sandbox.faults.set("shopify", FaultSettings(latency_ms=700))
    thread_id = (await first.threads.create())["thread_id"]
    run = await first.runs.create(thread_id, "ceo", input=MUG)
    stream = asyncio.create_task(
        _collect(second.runs.join_stream(thread_id, run["run_id"], stream_mode="values"))
    )
    await asyncio.to_thread(
        _eventually, lambda: _shopify_writes(sandbox).get("shopify.productSet"), "a write"
    )
    victim = await _worker_pid(postgres_url, run["run_id"])
    assert victim in workers
    workers.pop(victim).kill()
    sandbox.sandbox.faults.set("shopify", FaultSettings())
    replacement = deployment.worker("worker-3")  # starts while the run recovers
    parts = await asyncio.wait_for(stream, STARTUP)
    assert parts[0].event == "metadata"
    assert parts[-1].event == "end"
    assert "Published **White Glossy Mug**" in parts[-2].data["messages"][-1]["content"]
    assert (await first.runs.get(thread_id, run["run_id"]))["status"] == "success"
    assert _shopify_writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    await asyncio.to_thread(deployment.wait_until_up, [])
    workers[replacement.pid] = replacement


async def _sigterm_mid_run(
    deployment: Cluster,
    workers: dict[int, subprocess.Popen[bytes]],
    first: LangGraphClient,
    second: LangGraphClient,
) -> None:
    """SIGTERM on the worker in the middle of a run: the run is re-queued at once and resumed
    by another worker; the stopped worker exits 0."""
    thread_id = (await second.threads.create())["thread_id"]
    run = await second.runs.create(thread_id, "gate", input={"key": "term"})
    owner = await asyncio.to_thread(deployment.gates.started, "term")
    workers[owner].send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(workers.pop(owner).wait, DEADLINE) == 0
    successor = await asyncio.to_thread(deployment.gates.started, "term", not_by={owner})
    deployment.gates.open("term")
    assert await first.runs.join(thread_id, run["run_id"]) == {"key": "term", "pid": successor}


async def _cancel_across_processes(
    deployment: Cluster, first: LangGraphClient, second: LangGraphClient, key: str
) -> None:
    """Cancelled through an API process; the worker executing the run stops it (told over
    Redis, or at its next heartbeat when Redis is down)."""
    thread_id = (await first.threads.create())["thread_id"]
    run = await first.runs.create(thread_id, "gate", input={"key": key})
    await asyncio.to_thread(deployment.gates.started, key)
    await second.runs.cancel(thread_id, run["run_id"], wait=True)
    assert (await first.runs.get(thread_id, run["run_id"]))["status"] == "interrupted"


async def _redis_gone(
    deployment: Cluster,
    redis: subprocess.Popen[bytes],
    first: LangGraphClient,
    second: LangGraphClient,
) -> None:
    """Redis stopped while runs execute and a join waits: the runs complete, the join and a
    wait return (from the database), workers find new runs by polling, cancels still land."""
    threads = [(await first.threads.create())["thread_id"] for _ in range(3)]
    runs = [
        await first.runs.create(thread_id, "gate", input={"key": key})
        for thread_id, key in zip(threads, ("a", "b", "c"), strict=True)
    ]
    for key in ("a", "b"):  # "c" may still be in the queue
        await asyncio.to_thread(deployment.gates.started, key)
    join = asyncio.create_task(second.runs.join(threads[0], runs[0]["run_id"]))
    redis.kill()
    await asyncio.to_thread(redis.wait, 30)

    for key in ("a", "b", "c", "d"):
        deployment.gates.open(key)
    assert await asyncio.wait_for(join, DEADLINE) == {
        "key": "a",
        "pid": deployment.gates.started("a"),
    }
    thread_id = (await second.threads.create())["thread_id"]
    done = await second.runs.wait(thread_id, "gate", input={"key": "d"})
    assert isinstance(done, dict)
    assert done["key"] == "d"
    for thread_id, run in zip(threads[1:], runs[1:], strict=True):
        result = await first.runs.join(thread_id, run["run_id"])
        assert isinstance(result, dict)
        assert result["key"] in ("b", "c")
        assert (await second.runs.get(thread_id, run["run_id"]))["status"] == "success"
    await _cancel_across_processes(deployment, first, second, "cancel-2")


async def _events(broker: RedisBroker, run_id: str, after: int | None = None) -> list[RunEvent]:
    return [event async for event in broker.subscribe(run_id, after)]


async def test_redis_broker_replays_streams_live_and_degrades(redis_url: str) -> None:
    finished: set[str] = set()
    asked: list[str] = []

    async def is_finished(run_id: str) -> bool:
        asked.append(run_id)
        return run_id in finished

    broker = RedisBroker.from_url(redis_url, is_finished, retention=60)
    try:
        starting = broker.subscribe("r0", in_flight=True)  # seen pending: no database query
        first = asyncio.ensure_future(anext(starting))
        await asyncio.sleep(0.2)  # its first read finds nothing yet
        await broker.publish("r0", "metadata", {"run_id": "r0"})
        assert (await first).event == "metadata"
        await broker.close("r0")
        assert [event async for event in starting] == []
        assert asked == []

        live = asyncio.create_task(_events(broker, "r1"))
        await broker.publish("r1", "metadata", {"run_id": "r1"})
        await broker.publish("r1", "values", {"n": 1})
        await broker.publish("r1", "values", {"n": 2})
        await broker.close("r1")
        await broker.publish("r1", "values", {"n": 3})  # after close: dropped
        assert [(e.id, e.event, e.data) for e in await live] == [
            (1, "metadata", {"run_id": "r1"}),
            (2, "values", {"n": 1}),
            (3, "values", {"n": 2}),
        ]
        assert [e.id for e in await _events(broker, "r1", after=2)] == [3]  # Last-Event-ID
        finished.add("gone")  # finished long ago: nothing left in Redis, the stream ends
        assert await _events(broker, "gone") == []
    finally:
        await broker.aclose()

    down = RedisBroker.from_url(f"redis://127.0.0.1:{_free_port()}/0", is_finished)
    try:
        await down.publish("r2", "values", {"n": 1})  # no error: dropped, logged once
        waiting = asyncio.create_task(_events(down, "r2"))
        finished.add("r2")  # the database says it is over: the subscriber ends
        assert await asyncio.wait_for(waiting, 30) == []
    finally:
        await down.aclose()


async def test_processes_starting_together_on_a_fresh_database(
    postgres_url: str, tmp_path: Path
) -> None:
    """API and worker processes started at once (as `docker compose up` does) all get past
    LangGraph's table set-up: waiting for its lock must not hold a snapshot that the holder's
    CREATE INDEX CONCURRENTLY waits for."""
    settings = Settings(royal_data_dir=tmp_path, database_url=postgres_url)

    async def start() -> None:
        async with open_persistence(settings, pool_size=2):
            pass

    await asyncio.wait_for(asyncio.gather(*(start() for _ in range(4))), 60)
