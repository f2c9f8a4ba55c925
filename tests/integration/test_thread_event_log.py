"""The thread streaming (v3) event log on SQLite and PostgreSQL: two writers (as an API process
and a worker) appending to one thread at once get dense, unique numbers; a reader replays after
``since`` and follows live, each event once and in order, and a deleted thread's log is gone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from host.thread_events import ThreadEventLog
from host.v3_protocol import event
from storage.engine import Database
from tests.integration.storage_support import BACKENDS, backend_url, migrated


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    (tmp_path / "data").mkdir()
    async with migrated(backend_url(request, tmp_path)) as opened:
        yield opened


async def _take(log: ThreadEventLog, thread_id: str, since: int | None, n: int) -> list[Any]:
    found: list[Any] = []
    async for item in log.follow(thread_id, since):
        found.append(item)
        if len(found) == n:
            break
    return found


@pytest.mark.timeout(120)
async def test_two_writers_number_densely_and_a_reader_sees_each_event_once(
    database: Database,
) -> None:
    api, worker = ThreadEventLog(database), ThreadEventLog(database)  # two processes' views
    reader = asyncio.ensure_future(_take(api, "t", 0, 60))

    async def write(log: ThreadEventLog, who: str) -> None:
        for n in range(30):
            await log.append("t", f"run-{who}", [event("custom", [], {"who": who, "n": n})])

    await asyncio.gather(write(api, "api"), write(worker, "worker"))
    seen = await asyncio.wait_for(reader, 60)
    assert [item["seq"] for item in seen] == list(range(1, 61))
    assert [item["event_id"] for item in seen] == [str(n) for n in range(1, 61)]
    for who in ("api", "worker"):  # each writer's events keep their order
        mine = [
            item["params"]["data"]["n"] for item in seen if item["params"]["data"]["who"] == who
        ]
        assert mine == list(range(30))
    assert await _take(worker, "t", 55, 5) == seen[55:]


@pytest.mark.timeout(60)
async def test_a_stream_without_since_starts_at_the_latest_run(database: Database) -> None:
    log = ThreadEventLog(database)
    await log.append("t", "first", [event("lifecycle", [], {"event": "running"})] * 3)
    await log.append("t", "second", [event("lifecycle", [], {"event": "running"})] * 2)
    assert await log.start_of_latest_run("t") == 3
    replay = await _take(log, "t", None, 2)
    assert [item["seq"] for item in replay] == [4, 5]
    assert await log.enabled("t")
    await log.forget("t")
    assert not await ThreadEventLog(database).enabled("t")
    assert await log.last_seq("t") == 0
