"""Runs per second, first-event and resume latency of ``royal serve`` on Postgres (langgraph-sdk).

    uv run python -m bench.server [--runs 200] [--clients 20] [--samples 100] [--workers 4]
                                  [--processes 1 --redis-url redis://…]
                                  [--database-url postgresql://…] [--profile server.pstats]

Starts ``royal serve`` as a subprocess over the trivial graphs of ``bench/trivial`` (``echo``:
one node; ``ask``: one ``interrupt()``) on a fresh Postgres database (created from
``--admin-url`` and dropped afterwards, unless ``--database-url`` names one), then measures
through the official SDK client, from this process:

- ``runs.wait`` runs per second at 1 client and at ``--clients`` concurrent clients, each run on
  a new thread (``if_not_exists="create"``: one request per run; the thread is created in the
  run's transaction);
- the latency of ``runs.stream`` (new thread) from the call to its first event (``metadata``)
  and to its first data event (``values``);
- the resume latency: with an ``ask`` run interrupted, the time from the approve call —
  ``runs.stream(thread, "ask", command={"resume": ...})`` — to the resumed run's first event
  after ``metadata`` (its ``updates`` event).

Thread streaming (v3), with plain HTTP as the SDK's ``threads.stream`` sends it: runs per second
at 1 and ``--clients`` clients, each run a ``run.start`` command on a new thread followed by its
``/stream/events`` read to the root's ``completed``; and the latency from ``run.start`` to the
first event of the stream opened right after it.

It also prints the CPU the server's processes and this client spent per run at ``--clients``
(from Linux's /proc): one server process cannot go faster than one core's worth of that.

The client shares the machine's CPUs with the server and Postgres. ``--profile`` runs the
server under cProfile and writes its stats there when it stops (``python -m pstats``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from bench.support import temporary_postgres

CONFIG = Path(__file__).resolve().parent / "trivial" / "langgraph.json"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Measured:
    single_rps: float
    concurrent_rps: float
    first_event_ms: list[float]
    first_values_ms: list[float]
    resume_ms: list[float]
    server_cpu_ms: float | None
    """CPU the server's processes spent per run at ``--clients`` (None without /proc)."""
    client_cpu_ms: float
    """CPU this client spent per run at ``--clients``."""
    v3_single_rps: float
    v3_concurrent_rps: float
    v3_first_event_ms: list[float]


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of ``pid`` and its children (``--processes``), from Linux's /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for each in [pid, *map(int, children)]:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, IndexError, ValueError):
        return None
    return total


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def royal_serve(
    database_url: str,
    workers: int,
    profile: Path | None,
    processes: int = 1,
    redis_url: str | None = None,
) -> Iterator[Served]:
    """``royal serve`` in a subprocess on a free port; its log goes to a temporary file that
    is printed if it fails to start."""
    port = free_port()
    prefix = [sys.executable] + (["-m", "cProfile", "-o", str(profile)] if profile else [])
    command = [
        *prefix, "-m", "server.cli", "serve", "--port", str(port), "--config", str(CONFIG),
        "--workers", str(workers), "--processes", str(processes),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as data, open(Path(data) / "serve.log", "w+b") as log:
        env = {**os.environ, "DATABASE_URL": database_url, "ROYAL_DATA_DIR": data}
        if redis_url is not None:
            env["REDIS_URL"] = redis_url
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, process, log)
            yield Served(url, process.pid)
        finally:
            # uvicorn re-raises the signal once shut down: SIGINT becomes a KeyboardInterrupt,
            # which lets cProfile write its stats; SIGTERM would end the process first.
            process.send_signal(signal.SIGINT if profile else signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-4000:]
            raise RuntimeError(f"royal serve exited with {process.returncode}:\n{tail}")
        try:
            if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("royal serve did not answer /ok")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def one_wait(client: LangGraphClient) -> None:
    result = await client.runs.wait(
        str(uuid.uuid4()), "echo", input={"text": "hi"}, if_not_exists="create"
    )
    if not isinstance(result, dict) or result.get("text") != "hi":
        raise RuntimeError(f"unexpected wait result: {result!r}")


async def runs_per_second(client: LangGraphClient, runs: int, clients: int) -> float:
    """``runs`` runs of ``echo`` shared out among ``clients`` concurrent callers."""
    remaining = runs

    async def caller() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await one_wait(client)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(clients)))
    return runs / (time.perf_counter() - started)


async def first_events(client: LangGraphClient, samples: int) -> tuple[list[float], list[float]]:
    """Milliseconds from ``runs.stream`` to its first event and to its first ``values``."""
    first: list[float] = []
    values: list[float] = []
    for _ in range(samples):
        started = time.perf_counter()
        seen = False
        async for part in client.runs.stream(
            str(uuid.uuid4()), "echo", input={"text": "hi"}, if_not_exists="create"
        ):
            elapsed = (time.perf_counter() - started) * 1000
            if not seen:
                first.append(elapsed)
                seen = True
            if part.event == "values":
                values.append(elapsed)
                break  # the rest of the run does not matter here
    return first, values


async def resume_latencies(client: LangGraphClient, samples: int) -> list[float]:
    """Milliseconds from the approve call to the resumed run's first event after metadata."""
    latencies: list[float] = []
    for _ in range(samples):
        thread = await client.threads.create()
        paused = await client.runs.wait(thread["thread_id"], "ask", input={"text": "ship it?"})
        if not isinstance(paused, dict) or "__interrupt__" not in paused:
            raise RuntimeError(f"the ask run did not pause: {paused!r}")
        started = time.perf_counter()
        measured = False
        async for part in client.runs.stream(
            thread["thread_id"], "ask", command={"resume": "approved"}, stream_mode="updates"
        ):
            if part.event == "error":
                raise RuntimeError(f"the resumed run failed: {part.data!r}")
            if part.event != "metadata" and not measured:
                latencies.append((time.perf_counter() - started) * 1000)
                measured = True
    return latencies


async def one_v3_run(http: httpx.AsyncClient) -> float:
    """``run.start`` of ``echo`` on a new thread, then its stream to the root's ``completed``;
    returns the milliseconds from the command to the stream's first event."""
    thread_id = str(uuid.uuid4())
    started = time.perf_counter()
    command = {"id": 1, "method": "run.start", "params": {"assistant_id": "echo",
                                                          "input": {"text": "hi"}}}  # fmt: skip
    answer = (await http.post(f"/threads/{thread_id}/commands", json=command)).json()
    if answer.get("type") != "success":
        raise RuntimeError(f"run.start failed: {answer!r}")
    first: float | None = None
    body = {"channels": ["lifecycle", "values"]}
    async with http.stream("POST", f"/threads/{thread_id}/stream/events", json=body) as events:
        async for line in events.aiter_lines():
            if not line.startswith("data:"):
                continue
            if first is None:
                first = (time.perf_counter() - started) * 1000
            event = json.loads(line[5:])
            params = event["params"]
            if event["method"] == "lifecycle" and not params["namespace"]:
                if params["data"]["event"] == "completed":
                    return first
                if params["data"]["event"] == "failed":
                    raise RuntimeError(f"the v3 run failed: {event!r}")
    raise RuntimeError("the v3 stream ended before the run completed")


async def v3_runs_per_second(http: httpx.AsyncClient, runs: int, clients: int) -> float:
    remaining = runs

    async def caller() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await one_v3_run(http)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(clients)))
    return runs / (time.perf_counter() - started)


async def measure_v3(
    server: Served, runs: int, clients: int, samples: int
) -> tuple[float, float, list[float]]:
    limits = httpx.Limits(max_connections=clients * 2 + 4)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
        for _ in range(5):
            await one_v3_run(http)
        single = await v3_runs_per_second(http, runs, 1)
        concurrent = await v3_runs_per_second(http, runs, clients)
        first = [await one_v3_run(http) for _ in range(samples)]
    return single, concurrent, first


async def measure(server: Served, runs: int, clients: int, samples: int) -> Measured:
    client = get_client(url=server.url, timeout=60)
    try:
        for _ in range(10):  # warm-up: imports, pools, prepared statements
            await one_wait(client)
        single = await runs_per_second(client, runs, 1)
        server_before, client_before = cpu_seconds(server.pid), own_cpu_seconds()
        concurrent = await runs_per_second(client, runs * 3, clients)
        server_after, client_after = cpu_seconds(server.pid), own_cpu_seconds()
        first, values = await first_events(client, samples)
        resumes = await resume_latencies(client, samples)
        v3_single, v3_concurrent, v3_first = await measure_v3(server, runs, clients, samples)
    finally:
        await client.http.client.aclose()
    server_ms = None
    if server_before is not None and server_after is not None:
        server_ms = (server_after - server_before) * 1000 / (runs * 3)
    client_ms = (client_after - client_before) * 1000 / (runs * 3)
    return Measured(
        single,
        concurrent,
        first,
        values,
        resumes,
        server_ms,
        client_ms,
        v3_single,
        v3_concurrent,
        v3_first,
    )


def report(result: Measured, clients: int) -> None:
    def spread(samples: list[float]) -> str:
        return f"p50 {statistics.median(samples):.1f} / p95 {percentile(samples, 0.95):.1f} ms"

    rows = [
        ("runs.wait, 1 client", ">= 50 runs/s", f"{result.single_rps:.1f} runs/s",
         result.single_rps >= 50),
        (f"runs.wait, {clients} clients", ">= 150 runs/s", f"{result.concurrent_rps:.1f} runs/s",
         result.concurrent_rps >= 150),
        ("runs.stream -> first event", "p50 <= 15 ms", spread(result.first_event_ms),
         statistics.median(result.first_event_ms) <= 15),
        ("runs.stream -> first values", "", spread(result.first_values_ms), None),
        ("resume -> first event after metadata", "p95 <= 30 ms", spread(result.resume_ms),
         percentile(result.resume_ms, 0.95) <= 30),
        ("v3 run.start + stream, 1 client", "", f"{result.v3_single_rps:.1f} runs/s", None),
        (f"v3 run.start + stream, {clients} clients", "", f"{result.v3_concurrent_rps:.1f} runs/s",
         None),
        ("v3 run.start -> first event", "", spread(result.v3_first_event_ms), None),
    ]  # fmt: skip
    print(f"{'':<38}{'target':<16}{'measured':<30}")
    for name, target, measured, met in rows:
        verdict = "" if met is None else ("met" if met else "MISSED")
        print(f"{name:<38}{target:<16}{measured:<30}{verdict}")
    server = "n/a" if result.server_cpu_ms is None else f"{result.server_cpu_ms:.2f} ms"
    print(
        f"CPU per run at {clients} clients: server {server}, this client "
        f"{result.client_cpu_ms:.2f} ms (one server process tops out near 1000 / its ms runs/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs at 1 client (x3 at N)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--samples", type=int, default=100, help="streams and resumes timed")
    parser.add_argument("--workers", type=int, default=4, help="royal serve --workers")
    parser.add_argument(
        "--processes", type=int, default=1, help="royal serve --processes (needs --redis-url)"
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL"),
        help="REDIS_URL for royal serve (events and wake-ups across processes)",
    )
    parser.add_argument("--database-url", help="an existing Postgres database to use as is")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a database to CREATE/DROP the temporary benchmark database from",
    )
    parser.add_argument("--profile", type=Path, help="write the server's cProfile stats here")
    args = parser.parse_args()
    if args.processes > 1 and not args.redis_url:
        parser.error("--processes above 1 needs --redis-url (or REDIS_URL)")
    redis = ", Redis" if args.redis_url else ""
    print(
        f"royal serve --workers {args.workers} --processes {args.processes} on Postgres"
        f"{redis}, graphs of bench/trivial; "
        f"{os.cpu_count()} CPUs shared by server, Postgres and this client"
    )

    def run(database_url: str) -> None:
        with royal_serve(
            database_url, args.workers, args.profile, args.processes, args.redis_url
        ) as server:
            result = asyncio.run(measure(server, args.runs, args.clients, args.samples))
        report(result, args.clients)

    if args.database_url:
        run(args.database_url)
    else:
        with temporary_postgres(args.admin_url) as database_url:
            run(database_url)


if __name__ == "__main__":
    main()
