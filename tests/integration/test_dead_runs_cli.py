"""`royal runs dead|retry|discard` as a user runs them: the dead run is listed with its error;
discarding it says so; anything that changes nothing is one line on stderr and exit 1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.runs import RunStore
from tests.cli_support import royal
from tests.integration.storage_support import migrated
from tools.sandbox import SandboxServer


async def a_dead_run(data_dir: Path) -> str:
    """A run of thread ``t-cli`` that failed its only attempt (as the worker records it)."""
    async with migrated(f"sqlite:///{data_dir / 'royal.sqlite3'}") as database:
        store = RunStore(database, clock=lambda: datetime.now(UTC))
        run, _ = await store.create_run(
            thread_id="t-cli",
            assistant_id="ceo",
            graph_id="ceo",
            kwargs={"input": {}},
            metadata={},
            multitask_strategy="enqueue",
            if_not_exists="create",
            after_seconds=None,
        )
        assert await store.claim_run("w", timedelta(seconds=30)) is not None
        error = {"error": "OperationalError", "message": "the database is locked"}
        dead = await store.fail_run(run.run_id, "w", error, max_attempts=1, delay=lambda _: 0)
        assert dead is not None
        assert dead.status == "dead"
        return run.run_id


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_royal_runs_lists_and_discards_a_dead_run(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    run_id = await a_dead_run(data)
    env = {
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_DATA_DIR": str(data),
    }
    listed = royal(env, "runs", "dead")
    assert listed.returncode == 0, listed.stderr
    assert run_id in listed.stdout
    assert "OperationalError: the database is locked" in listed.stdout

    discarded = royal(env, "runs", "discard", run_id, "--reason", "stale input")
    assert discarded.returncode == 0, discarded.stderr
    assert f"run {run_id} discarded" in discarded.stdout

    again = royal(env, "runs", "retry", run_id)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"royal: run {run_id} was discarded: it stays dead and cannot be retried"
    )
    unknown = royal(env, "runs", "discard", "no-such-run")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "royal: run no-such-run not found"
