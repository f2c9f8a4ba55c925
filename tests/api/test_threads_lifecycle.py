"""Deleting a busy thread cancels its runs first (as the reference), pruning (delete or keep
the latest checkpoint) and the thread TTL sweeper, through the unchanged SDK on SQLite and
Postgres."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.api.conftest import BACKENDS
from tests.api.foreign_support import foreign_api, foreign_server, sdk
from tests.api.server_support import LiveServer
from tests.api.test_runs_complete import entry, held

__all__ = ["foreign_api", "sdk"]


async def gone(call: object) -> int:
    with pytest.raises(httpx.HTTPStatusError) as error:
        await call  # type: ignore[misc]
    return error.value.response.status_code


async def test_deleting_a_busy_thread_cancels_its_runs_and_deletes(
    sdk: LangGraphClient, foreign_api: LiveServer
) -> None:
    thread_id = (await sdk.threads.create())["thread_id"]
    running = await held(sdk, thread_id, input=entry(hold=True))
    queued = await sdk.runs.create(thread_id, "hold", input=entry(), multitask_strategy="enqueue")
    assert (await sdk.threads.get(thread_id))["status"] == "busy"

    await sdk.threads.delete(thread_id)

    assert await gone(sdk.threads.get(thread_id)) == 404
    assert await gone(sdk.runs.get(thread_id, running)) == 404
    assert await gone(sdk.runs.get(thread_id, queued["run_id"])) == 404
    runtime = foreign_api.runtime
    assert not await runtime.store.inflight_runs(thread_id=thread_id)
    config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    assert await runtime.checkpointer.aget_tuple(config) is None  # type: ignore[arg-type]
    await asyncio.sleep(0.3)  # nothing writes a checkpoint after the delete
    assert await runtime.checkpointer.aget_tuple(config) is None  # type: ignore[arg-type]


async def test_prune_deletes_threads(sdk: LangGraphClient) -> None:
    first, second, kept = [(await sdk.threads.create())["thread_id"] for _ in range(3)]
    await sdk.runs.wait(first, "hold", input=entry("a"))
    result = await sdk.threads.prune([first, second, "no-such-thread"])
    assert result == {"pruned_count": 2}
    assert await gone(sdk.threads.get(first)) == 404
    assert await gone(sdk.threads.get(second)) == 404
    assert (await sdk.threads.get(kept))["thread_id"] == kept


async def test_prune_keep_latest_keeps_the_state_and_one_checkpoint(sdk: LangGraphClient) -> None:
    thread_id = (await sdk.threads.create())["thread_id"]
    await sdk.runs.wait(thread_id, "hold", input=entry("a"))
    await sdk.runs.wait(thread_id, "hold", input=entry("b"))
    before = await sdk.threads.get_state(thread_id)
    assert len(await sdk.threads.get_history(thread_id, limit=100)) > 2

    result = await sdk.threads.prune([thread_id], strategy="keep_latest")

    assert result == {"pruned_count": 1}
    history = await sdk.threads.get_history(thread_id, limit=100)
    assert len(history) == 1
    after = await sdk.threads.get_state(thread_id)
    assert after["values"] == before["values"]
    assert after["checkpoint"] == before["checkpoint"]
    again = await sdk.runs.wait(thread_id, "hold", input=entry("c"))  # the thread still runs
    assert isinstance(again, dict)
    assert again["log"][-2:] == ["noted", "done"]


@pytest.fixture(params=BACKENDS)
def ttl_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    yield from foreign_server(
        request, tmp_path, royal_thread_ttl_minutes=0.01, royal_thread_sweep_seconds=0.2
    )


@pytest.fixture
async def ttl_sdk(ttl_api: LiveServer) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=ttl_api.url)
    yield client
    await client.http.client.aclose()


async def test_idle_threads_expire_busy_ones_do_not(ttl_sdk: LangGraphClient) -> None:
    idle = (await ttl_sdk.threads.create())["thread_id"]
    await ttl_sdk.runs.wait(idle, "hold", input=entry("x"))
    busy = (await ttl_sdk.threads.create())["thread_id"]
    running = await held(ttl_sdk, busy, input=entry(hold=True))

    deadline = asyncio.get_running_loop().time() + 20
    while await ttl_sdk.threads.search(ids=[idle]):
        assert asyncio.get_running_loop().time() < deadline, "the idle thread did not expire"
        await asyncio.sleep(0.1)
    assert await gone(ttl_sdk.threads.get(idle)) == 404
    await asyncio.sleep(1.0)  # several sweeps past the TTL
    assert (await ttl_sdk.threads.get(busy))["status"] == "busy"
    await ttl_sdk.runs.cancel(busy, running, wait=True)
