"""A private Postgres cluster restarted twice under load (``fast``: clients disconnected, then
``immediate``: crash recovery): while it is away the API answers 503 with ``Retry-After`` and a
JSON detail, never 500; it recovers without a restart (pooled connections are checked before
use); every run created after it is back completes; no thread stays busy, no write doubles.

A run whose step was executing while the database went away is retried from its last
checkpoint once the database answers (not counted towards ``ROYAL_RUN_MAX_ATTEMPTS``): every run
must complete. Runs alternate between two products, each product's runs queued on one thread
(``harness.GOALS``), so a re-executed write is measured exactly."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.api.server_support import live_server, sandboxed_settings
from tests.chaos.harness import GOALS, Driver, Figures, shopify_writes
from tests.integration.pipeline_support import shop
from tests.private_services import PrivatePostgres, private_postgres
from tools.sandbox import SandboxServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

RUNS = 6
DOWN_SECONDS = 3.0
RESTART_AFTER = {1: "fast", 3: "immediate"}
"""After starting the run of this index, restart the database in this mode."""


async def _probe_while_down(http: httpx.AsyncClient, thread_id: str) -> list[int]:
    """Statuses of reads and writes sent while the database is away."""
    statuses: list[int] = []
    for method, path, body in (
        ("GET", f"/threads/{thread_id}/state", None),
        ("POST", "/threads/search", {}),
        ("POST", "/threads", {}),
    ):
        answer = await http.request(method, path, json=body)
        statuses.append(answer.status_code)
        if answer.status_code == 503:
            assert answer.headers["retry-after"]
            assert answer.json()["detail"]
    return statuses


async def _until_answering(http: httpx.AsyncClient, thread_id: str) -> float:
    began = time.monotonic()
    while time.monotonic() - began < 60:
        answer = await http.get(f"/threads/{thread_id}/state")
        if answer.status_code == 200:
            return time.monotonic() - began
        assert answer.status_code == 503, answer.text
        await asyncio.sleep(0.2)
    raise AssertionError("the API did not recover within 60 s")


async def _restart(
    database: PrivatePostgres, http: httpx.AsyncClient, thread_id: str, mode: str
) -> tuple[list[int], float]:
    await asyncio.to_thread(database.stop, mode)
    down = await _probe_while_down(http, thread_id)
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(database.start)
    return down, await _until_answering(http, thread_id)


async def test_postgres_restarts_delay_runs_and_answer_503(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = Figures("postgres restarted (fast, then immediate)")
    (tmp_path / "pg").mkdir()
    with private_postgres(tmp_path / "pg") as database:
        settings = sandboxed_settings(monkeypatch, sandbox, tmp_path / "data", database.url)
        with live_server(settings) as server:
            driver = Driver(server.url)
            async with driver.client() as http:
                probe_thread = str(uuid.uuid4())
                assert (await http.post("/threads", json={"thread_id": probe_thread})).is_success
                down_statuses: list[int] = []
                recoveries: list[float] = []
                back_at = time.monotonic()
                threads = {goal: str(uuid.uuid4()) for goal in GOALS}
                for index in range(RUNS):
                    goal = GOALS[index % len(GOALS)]
                    await driver.start(http, threads[goal], goal)
                    if index in RESTART_AFTER:
                        mode = RESTART_AFTER[index]
                        down, recovered = await _restart(database, http, probe_thread, mode)
                        down_statuses += down
                        recoveries.append(recovered)
                    if index == max(RESTART_AFTER):
                        back_at = time.monotonic()
                    await asyncio.sleep(0.5)
                statuses = await driver.finish(http)
                figures.notes.append(
                    f"all runs done {time.monotonic() - back_at:.1f} s after the last restart"
                )
                figures.recovery_seconds = max(recoveries)
                await figures.tally(statuses, sandbox, server.runtime.store)
                after = [
                    (await http.get(f"/threads/{thread_id}/state")).status_code
                    for thread_id in threads.values()
                ]
    print(f"CHAOS postgres: {'; '.join(figures.notes)}")  # noqa: T201
    figures.report()
    assert set(down_statuses) <= {503}, down_statuses
    assert set(after) == {200}, after
    assert figures.stuck == 0
    # A write waits until the checkpoint its task id derives from is saved (storage.lineage),
    # so a run re-executed after a restart writes under the same effect key: each run upserts
    # its product once, and the shop holds one product per goal.
    assert figures.duplicated == 0, shopify_writes(sandbox)
    ours = [p for p in shop(sandbox).store.products.values() if "royal-orchestrator" in p.tags]
    assert len(ours) == len(GOALS), [p.handle for p in ours]  # one product per goal
    ordered = [statuses[run_id] for _, run_id in driver.runs]
    after_last_restart = ordered[max(RESTART_AFTER) + 1 :]
    assert set(after_last_restart) == {"success"}, ordered
    assert figures.completed + figures.errored == figures.started, ordered
    assert figures.errored == 0, ordered
