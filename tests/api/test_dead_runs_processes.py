"""A run that kills its worker process, for real: ``royal worker`` processes on PostgreSQL
execute a node that ends the process on the spot (``os._exit``, as an out-of-memory kill would:
no outcome recorded). Each death is noticed by a surviving worker when the lease lapses and
counted; after three the run is dead with its error, the thread's later run goes ahead, and
a retry (the bug fixed) runs it again to success."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from storage.runs import RunRow, RunStore
from tests.integration.storage_support import migrated

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CRASH_GRAPH = Path(__file__).resolve().parent / "crash_graph.py"
STARTUP = 300.0
"""Four processes importing the whole system at once on a busy 2-core machine take long."""


@contextmanager
def workers(
    tmp_path: Path, postgres_url: str, count: int
) -> Iterator[list[subprocess.Popen[bytes]]]:
    config = tmp_path / "langgraph.json"
    config.write_text(json.dumps({"graphs": {"crashy": f"{CRASH_GRAPH}:graph"}}))
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
        "ROYAL_RUN_LEASE_SECONDS": "1",
        "ROYAL_RUN_MAX_ATTEMPTS": "3",
        "ROYAL_RUN_RETRY_BASE_SECONDS": "0.1",
        "ROYAL_RUN_RETRY_MAX_SECONDS": "0.4",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)  # workers poll the database
    processes = []
    for n in range(count):
        with (tmp_path / f"worker-{n}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "server.cli",
                        "worker",
                        "--concurrency",
                        "1",
                        "--config",
                        str(config),
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            )
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


async def until(store: RunStore, run_id: str, status: str) -> RunRow:
    """The run once it has ``status`` (other processes move it)."""
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        found = await store.get_run(run_id)
        assert found is not None
        if found.status == status:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} is not {status} after {STARTUP:g}s")


def logs(tmp_path: Path) -> str:
    return "".join(log.read_text() for log in sorted(tmp_path.glob("worker-*.log")))


async def enqueue(store: RunStore, state: dict[str, Any]) -> RunRow:
    run, _ = await store.create_run(
        thread_id="t-killer",
        assistant_id="crashy",
        graph_id="crashy",
        kwargs={"input": state, "durability": "sync", "stream_mode": ["values"]},
        metadata={},
        multitask_strategy="enqueue",
        if_not_exists="create",
        after_seconds=None,
    )
    return run


@pytest.mark.timeout(STARTUP + 300)
async def test_a_run_that_kills_its_worker_three_times_is_dead(
    tmp_path: Path, postgres_url: str
) -> None:
    where = tmp_path / "poison"
    where.mkdir()
    async with migrated(postgres_url) as database:
        store = RunStore(database, clock=lambda: datetime.now(UTC))
        poison = await enqueue(store, {"dir": str(where), "crash": "exit"})
        later = await enqueue(store, {"dir": str(tmp_path), "crash": ""})

        with workers(tmp_path, postgres_url, 4) as processes:
            dead = await until(store, poison.run_id, "dead")
            assert dead.failed_attempts == 3
            assert dead.attempt == 3
            assert dead.error["error"] == "WorkerLost"
            assert "stopped renewing the run's lease" in dead.error["message"]
            assert (where / "count").read_text() == "3"
            exits = sorted(code for p in processes if (code := p.poll()) is not None)
            assert exits == [70, 70, 70]  # three workers killed, one still serving

            # The thread's later run was not blocked by the poison run.
            await until(store, later.run_id, "success")

            (where / "heal").touch()  # the cause is fixed; an operator retries
            assert await store.revive_run(poison.run_id) is not None
            await until(store, poison.run_id, "success")
            assert (where / "count").read_text() == "4"
            survivor = next(p for p in processes if p.poll() is None)
            survivor.send_signal(signal.SIGTERM)
            assert survivor.wait(timeout=60) == 0
        thread = await store.get_thread("t-killer")
        assert thread is not None
        assert thread.status == "idle"
        assert "is dead after 3 failed attempts" in logs(tmp_path)
