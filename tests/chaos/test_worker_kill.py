"""A `royal worker` process killed with SIGKILL under load, right after a Shopify write: the
runs it held are resumed by the other worker from their last checkpoint once their leases
lapse; every run completes, each product is written once (the effects ledger and the listing's
effect tag cover the write the dead process never recorded), no thread stays busy and no
effect STARTED.

Scaled out as deployed: an API that only enqueues (in the test's process) and two `royal
worker` processes on PostgreSQL and
a Redis of the test's own (the processes of ``tests/api/test_scale_out.py``)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from nodes.product.shopify_listing import effect_tag
from storage.clock import utcnow
from storage.runs import RunStore
from tests.api.server_support import live_server, sandboxed_settings
from tests.api.test_scale_out import STARTUP, cluster
from tests.chaos.harness import GOALS, TERMINAL, Driver, Figures
from tests.integration.pipeline_support import shop
from tests.integration.storage_support import migrated
from tests.private_services import private_redis
from tools.sandbox import FaultSettings, SandboxServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.timeout(600)]

RUNS_PER_GOAL = 4
"""Each goal's runs are queued on one thread (see ``harness.GOALS``)."""
RUNS = RUNS_PER_GOAL * len(GOALS)
SLOW_SHOPIFY = FaultSettings(latency_ms=300)
"""Slow enough that runs are in flight when the worker dies."""


async def _running(postgres_url: str) -> dict[str, tuple[int, str | None]]:
    """Runs executing now: the pid of the worker holding each, and the key of the effect it
    claimed since it started (``None`` before its write)."""
    async with await psycopg.AsyncConnection.connect(postgres_url) as connection:
        cursor = await connection.execute(
            "SELECT r.run_id, r.worker_id, e.idempotency_key FROM runs r"
            " LEFT JOIN effects e ON e.thread_id = r.thread_id AND e.created_at >= r.updated_at"
            " WHERE r.status = 'running' AND r.worker_id IS NOT NULL"
        )
        rows = await cursor.fetchall()
    # worker ids are royal-<host>-<pid>-<suffix>
    return {str(run): (int(str(worker).rsplit("-", 2)[1]), key) for run, worker, key in rows}


def _landed(sandbox: SandboxServer, key: str) -> bool:
    """Whether the product write of the effect ``key`` reached the Shopify emulator."""
    tag = effect_tag(key)
    return any(tag in product.tags for product in shop(sandbox).store.products.values())


async def _written(sandbox: SandboxServer, postgres_url: str) -> tuple[str, dict[str, int]]:
    """Once a running run's product write landed: that run, and every running run's worker."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = await _running(postgres_url)
        for run_id, (_, key) in running.items():
            if key is not None and _landed(sandbox, key):
                return run_id, {run: pid for run, (pid, _) in running.items()}
        await asyncio.sleep(0.05)
    raise AssertionError("no running run's Shopify write landed")


async def test_a_worker_killed_mid_run_loses_and_doubles_nothing(
    tmp_path: Path, sandbox: SandboxServer, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = Figures("worker SIGKILLed after a Shopify write")
    async with migrated(postgres_url):
        pass  # the API and workers find the schema in place
    (tmp_path / "redis").mkdir()
    with (
        private_redis(tmp_path / "redis") as redis,
        cluster(tmp_path, sandbox, postgres_url, redis.url) as deployment,
    ):
        settings = sandboxed_settings(
            monkeypatch, sandbox, tmp_path / "data", postgres_url, redis_url=redis.url
        )
        began = time.monotonic()
        workers = {w.pid: w for w in (deployment.worker("worker-1"), deployment.worker("worker-2"))}
        with live_server(settings, deployment.config, workers=0) as api:  # in this process
            url = api.url
            await asyncio.to_thread(deployment.wait_until_up, [url])
            figures.notes.append(f"processes up in {time.monotonic() - began:.1f} s")
            sandbox.sandbox.faults.set("shopify", SLOW_SHOPIFY)
            driver = Driver(url)
            async with driver.client() as http:
                threads = {goal: str(uuid.uuid4()) for goal in GOALS}
                for _ in range(RUNS_PER_GOAL):
                    for goal, thread_id in threads.items():
                        await driver.start(http, thread_id, goal)
                wrote, running = await _written(sandbox, postgres_url)
                victim = running[wrote]
                held = [run_id for run_id, pid in running.items() if pid == victim]
                killed_at = time.monotonic()
                workers.pop(victim).kill()
                sandbox.sandbox.faults.set("shopify", FaultSettings())
                thread_of = {run_id: thread_id for thread_id, run_id in driver.runs}
                while True:  # recovery: until every run the dead worker held has finished
                    statuses = {
                        r: (await http.get(f"/threads/{thread_of[r]}/runs/{r}")).json()["status"]
                        for r in held
                    }
                    if set(statuses.values()) <= TERMINAL:
                        break
                    assert time.monotonic() - killed_at < STARTUP, statuses
                    await asyncio.sleep(0.2)
                figures.recovery_seconds = time.monotonic() - killed_at
                statuses = await driver.finish(http)
            async with migrated(postgres_url) as database:
                await figures.tally(statuses, sandbox, RunStore(database, clock=utcnow))
        figures.notes.append(f"{len(held)} run(s) held by the killed worker")
    print(f"CHAOS worker kill: {'; '.join(figures.notes)}")  # noqa: T201
    figures.report()
    assert held, "the killed worker held no run"
    assert figures.errored == 0, statuses
    assert figures.completed == figures.started == RUNS, statuses
    assert figures.duplicated == 0
    assert figures.stuck == 0
