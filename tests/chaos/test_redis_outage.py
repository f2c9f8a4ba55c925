"""Redis stopped under load: runs keep executing and complete, each write once, and every stream,
join and wait opened during the outage or just after it returns the run's final values (from the
database where Redis lost the events)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.api.server_support import live_server, sandboxed_settings
from tests.chaos.harness import (
    PUBLISHED,
    Driver,
    Figures,
    answer_of,
    goal_input,
    run_body,
    shopify_writes,
    sse_events,
)
from tests.private_services import private_redis
from tools.sandbox import SandboxServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.timeout(600)]

RUNS = 16
"""Started by the driver; with the followers (a stream, a join and a wait during the outage and
again just after it) 22 publishing runs while Redis is down for 20 s."""
OUTAGE_SECONDS = 20.0


async def _stream(http: httpx.AsyncClient) -> str:
    thread_id = str(uuid.uuid4())
    answer = await http.post(f"/threads/{thread_id}/runs/stream", json=run_body())
    assert answer.status_code == 200, answer.text
    values = [data for name, data in sse_events(answer.text) if name == "values"]
    assert values, answer.text
    return answer_of(values[-1])


async def _join(driver: Driver, http: httpx.AsyncClient) -> str:
    thread_id = str(uuid.uuid4())
    run_id = await driver.start(http, thread_id)
    answer = await http.get(f"/threads/{thread_id}/runs/{run_id}/join")
    assert answer.status_code == 200, answer.text
    return answer_of(answer.json())


async def _wait(http: httpx.AsyncClient) -> str:
    answer = await http.post("/runs/wait", json={"assistant_id": "ceo", "input": goal_input()})
    assert answer.status_code == 200, answer.text
    return answer_of(answer.json())


async def test_redis_outage_delays_runs_and_loses_nothing(
    tmp_path: Path,
    sandbox: SandboxServer,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    figures = Figures(f"redis stopped for {OUTAGE_SECONDS:.0f} s")
    with private_redis(tmp_path) as redis:
        settings = sandboxed_settings(
            monkeypatch, sandbox, tmp_path / "data", postgres_url, redis_url=redis.url
        )
        with live_server(settings) as server:
            driver = Driver(server.url)
            async with driver.client() as http:
                followers: list[asyncio.Task[str]] = []
                for index in range(RUNS):
                    await driver.start(http, str(uuid.uuid4()))
                    if index == 1:
                        redis.stop()
                        stopped = time.monotonic()
                        followers += [
                            asyncio.create_task(_stream(http)),
                            asyncio.create_task(_join(driver, http)),
                            asyncio.create_task(_wait(http)),
                        ]
                    await asyncio.sleep(0.7)
                await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
                redis.start()
                back = time.monotonic()
                await asyncio.sleep(2.0)  # within 5 s of Redis' return
                followers += [
                    asyncio.create_task(_stream(http)),
                    asyncio.create_task(_join(driver, http)),
                    asyncio.create_task(_wait(http)),
                ]
                answers = await asyncio.gather(*followers)
                statuses = await driver.finish(http)
                figures.recovery_seconds = time.monotonic() - back
                # and the streamed and stateless runs, checked above to have answered
                await figures.tally(statuses, sandbox, server.runtime.store, followed=4)
    figures.report()
    assert all(PUBLISHED in answer for answer in answers), answers
    assert figures.completed == figures.started
    assert figures.errored == 0
    assert figures.duplicated == 0
    assert shopify_writes(sandbox)["shopify.productSet"] == figures.started  # each run once
    assert figures.stuck == 0
