"""The run queue gives up cleanly (storage): a run whose worker keeps dying is re-queued with
backoff, then dead-lettered; its thread's next run proceeds; an operator revives or discards
it. On SQLite and the real PostgreSQL, with a clock that only moves when told to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage.engine import Database
from storage.runs import RunRow, RunStore
from tests.integration.storage_support import BACKENDS, FrozenClock, backend_url, migrated

LEASE = timedelta(seconds=30)


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated(backend_url(request, tmp_path)) as opened:
        yield opened


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def store(database: Database, clock: FrozenClock) -> RunStore:
    return RunStore(database, clock=clock)


async def enqueue(store: RunStore, thread_id: str) -> RunRow:
    run, _ = await store.create_run(
        thread_id=thread_id,
        assistant_id="g",
        graph_id="g",
        kwargs={"input": {"n": 1}},
        metadata={},
        multitask_strategy="enqueue",
        if_not_exists="create",
        after_seconds=None,
    )
    return run


def backoff(failures: int) -> float:
    return 10.0 * failures


async def test_a_run_whose_worker_dies_three_times_is_dead_and_the_next_run_proceeds(
    store: RunStore, clock: FrozenClock
) -> None:
    poison = await enqueue(store, "t1")
    clock.advance(timedelta(seconds=1))
    later = await enqueue(store, "t1")
    for attempt in (1, 2, 3):
        claimed = await store.claim_run(f"worker-{attempt}", LEASE)
        assert claimed is not None
        assert claimed.run_id == poison.run_id
        assert claimed.attempt == attempt
        clock.advance(LEASE / 2)
        assert await store.requeue_expired(max_attempts=3, delay=backoff) == []  # still leased
        clock.advance(LEASE)  # the worker died: nobody renews the lease
        (failed,) = await store.requeue_expired(max_attempts=3, delay=backoff)
        assert failed.failed_attempts == attempt
        assert failed.error["error"] == "WorkerLost"
        assert f"worker-{attempt}" in failed.error["message"]
        if attempt < 3:
            assert failed.status == "pending"
            assert failed.available_at == clock.now + timedelta(seconds=10 * attempt)
            # Backing off: nothing is claimed, and the later run waits behind it (in order).
            assert await store.claim_run("other", LEASE) is None
            clock.advance(timedelta(seconds=10 * attempt))
    assert failed.status == "dead"
    stored = await store.get_run(poison.run_id)
    assert stored is not None
    assert (stored.status, stored.failed_attempts, stored.attempt) == ("dead", 3, 3)
    assert stored.worker_id is None
    assert stored.lease_expires_at is None
    assert stored.to_api()["status"] == "error"  # what LangGraph SDK clients see
    thread = await store.get_thread("t1")
    assert thread is not None
    assert thread.status == "busy"

    nxt = await store.claim_run("worker-4", LEASE)
    assert nxt is not None
    assert nxt.run_id == later.run_id

    dead = await store.dead_runs(limit=10, offset=0)
    assert [run.run_id for run in dead.items] == [poison.run_id]
    assert dead.total == 1
    errors = await store.list_runs("t1", limit=10, offset=0, status="error")
    assert [run.run_id for run in errors] == [poison.run_id]


async def test_the_last_failed_attempt_leaves_the_thread_in_error_not_busy(
    store: RunStore, clock: FrozenClock
) -> None:
    run = await enqueue(store, "t2")
    claimed = await store.claim_run("w", LEASE)
    assert claimed is not None
    error = {"error": "OperationalError", "message": "server closed the connection"}
    assert await store.fail_run(run.run_id, "not-w", error, max_attempts=2, delay=backoff) is None
    first = await store.fail_run(run.run_id, "w", error, max_attempts=2, delay=backoff)
    assert first is not None
    assert (first.status, first.failed_attempts) == ("pending", 1)
    thread = await store.get_thread("t2")
    assert thread is not None
    assert thread.status == "busy"
    clock.advance(timedelta(seconds=10))
    again = await store.claim_run("w", LEASE)
    assert again is not None
    assert again.failed_attempts == 1
    last = await store.fail_run(run.run_id, "w", error, max_attempts=2, delay=backoff)
    assert last is not None
    assert (last.status, last.error) == ("dead", error)
    thread = await store.get_thread("t2")
    assert thread is not None
    assert (thread.status, thread.error) == ("error", error)
    assert await store.claim_run("w", LEASE) is None  # a dead run is never claimed again


async def test_an_operator_revives_or_discards_a_dead_run(
    store: RunStore, clock: FrozenClock
) -> None:
    revived, discarded = await enqueue(store, "t3"), await enqueue(store, "t4")
    error = {"error": "SystemExit", "message": "1"}
    for run in (revived, discarded):
        assert await store.claim_run("w", LEASE, thread_ids=[run.thread_id]) is not None
        dead = await store.fail_run(run.run_id, "w", error, max_attempts=1, delay=backoff)
        assert dead is not None
        assert dead.status == "dead"

    assert await store.revive_run("no-such-run") is None
    back = await store.revive_run(revived.run_id)
    assert back is not None
    assert (back.status, back.failed_attempts, back.error) == ("pending", 0, None)
    assert await store.revive_run(revived.run_id) is None  # not dead any more
    assert await store.discard_run(revived.run_id) is None
    thread = await store.get_thread("t3")
    assert thread is not None
    assert thread.status == "busy"
    again = await store.claim_run("w", LEASE, thread_ids=["t3"])
    assert again is not None
    assert again.attempt == 2

    clock.advance(timedelta(seconds=5))
    gone = await store.discard_run(discarded.run_id)
    assert gone is not None
    assert gone.status == "dead"
    assert gone.discarded_at == clock.now
    assert await store.discard_run(discarded.run_id) is None
    assert await store.revive_run(discarded.run_id) is None  # discarded is final
    assert (await store.dead_runs(limit=10, offset=0)).total == 0
    listed = await store.dead_runs(limit=10, offset=0, discarded=True)
    assert [run.run_id for run in listed.items] == [discarded.run_id]


async def test_a_run_that_lost_the_database_is_requeued_without_counting_a_failure(
    store: RunStore, clock: FrozenClock
) -> None:
    run = await enqueue(store, "t4")
    assert await store.claim_run("w", LEASE) is not None
    error = {"error": "OperationalError", "message": "terminating connection"}
    for _ in range(3):  # more outages than the run has attempts: never dead for them
        lost = await store.fail_run(
            run.run_id, "w", error, max_attempts=2, delay=backoff, counted=False
        )
        assert lost is not None
        assert (lost.status, lost.failed_attempts, lost.error) == ("pending", 0, error)
        assert await store.claim_run("w", LEASE) is None  # after its backoff, not before
        clock.advance(timedelta(seconds=10))
        again = await store.claim_run("w", LEASE)
        assert again is not None
        assert again.run_id == run.run_id
    counted = await store.fail_run(run.run_id, "w", error, max_attempts=2, delay=backoff)
    assert counted is not None
    assert (counted.status, counted.failed_attempts) == ("pending", 1)
