"""Crons through the unchanged SDK on SQLite and Postgres: create (stateless and on a thread),
search, count, update, delete, refusals; and firing: once per tick with two server processes
ticking on one Postgres database (counted by tick), again after every process restarted, and
never after the cron is deleted."""

from __future__ import annotations

import asyncio
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from settings import Settings
from tests.api.foreign_support import GRAPHS, foreign_api, sdk
from tests.api.server_support import LiveServer, live_server
from tests.api.test_runs_complete import entry

__all__ = ["foreign_api", "sdk"]

DISTANT = "0 0 1 1 *"


def as_cron(created: Any) -> dict[str, Any]:
    """What ``crons.create`` answers (the SDK types it as a run; it is a cron)."""
    return cast(dict[str, Any], created)


async def status_of(call: Any) -> int:
    with pytest.raises(httpx.HTTPStatusError) as error:
        await call
    return error.value.response.status_code


async def test_create_search_count_update_delete(sdk: LangGraphClient) -> None:
    stateless = as_cron(
        await sdk.crons.create(
            "hold",
            schedule=DISTANT,
            input=entry("x"),
            metadata={"team": "a"},
            timezone="Europe/Paris",
        )
    )
    assert stateless["thread_id"] is None
    assert stateless["on_run_completed"] == "delete"
    assert stateless["enabled"] is True
    assert stateless["next_run_date"].endswith("-12-31T23:00:00Z")  # Jan 1 in Paris, in UTC
    assert stateless["payload"]["input"] == entry("x")
    thread = await sdk.threads.create()
    on_thread = as_cron(
        await sdk.crons.create_for_thread(
            thread["thread_id"], "reporter", schedule="*/5 * * * *", metadata={"team": "b"}
        )
    )
    assert on_thread["thread_id"] == thread["thread_id"]

    everything = await sdk.crons.search(limit=20)
    assert [c["cron_id"] for c in everything] == [on_thread["cron_id"], stateless["cron_id"]]
    by_thread = await sdk.crons.search(thread_id=thread["thread_id"])
    assert [c["cron_id"] for c in by_thread] == [on_thread["cron_id"]]
    assert await sdk.crons.count(assistant_id="hold") == 1
    assert await sdk.crons.count(metadata={"team": "b"}) == 1
    assert await sdk.crons.count() == 2

    updated = as_cron(
        await sdk.crons.update(stateless["cron_id"], schedule="0 12 * * *", enabled=False)
    )
    assert updated["schedule"] == "0 12 * * *"
    assert updated["enabled"] is False
    assert updated["next_run_date"].endswith("11:00:00Z")  # noon in Paris (winter)
    assert [c["cron_id"] for c in await sdk.crons.search(enabled=False)] == [stateless["cron_id"]]
    changed = await sdk.crons.update(stateless["cron_id"], input=entry("y"))
    assert changed["payload"]["input"] == entry("y")

    await sdk.crons.delete(stateless["cron_id"])
    assert await status_of(sdk.crons.delete(stateless["cron_id"])) == 404
    await sdk.threads.delete(thread["thread_id"])  # its crons go with it
    assert await sdk.crons.count() == 0


async def test_refusals(sdk: LangGraphClient) -> None:
    assert await status_of(sdk.crons.create("hold", schedule="every day")) == 422
    assert await status_of(sdk.crons.create("hold", schedule=DISTANT, timezone="Mars/Base")) == 422
    assert await status_of(sdk.crons.create("nope", schedule=DISTANT)) == 404
    missing_thread = sdk.crons.create_for_thread("no-thread", "hold", schedule=DISTANT)
    assert await status_of(missing_thread) == 404
    assert await status_of(sdk.crons.update("no-cron", schedule=DISTANT)) == 404


# --- firing --------------------------------------------------------------------------------
@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "langgraph.json"
    path.write_text(json.dumps({"graphs": GRAPHS}))
    return path


def servers(stack: ExitStack, count: int, tmp: Path, database_url: str, config: Path) -> list[str]:
    urls = []
    for index in range(count):
        settings = Settings(
            royal_data_dir=tmp / f"data-{index}",
            database_url=database_url,
            royal_cron_tick_seconds=0.2,
        )
        server: LiveServer = stack.enter_context(live_server(settings, config_path=config))
        urls.append(server.url)
    return urls


async def cron_ticks(client: LangGraphClient, thread_id: str) -> list[str]:
    found = await client.runs.list(thread_id, limit=1000)
    return [str((run["metadata"] or {})["cron_tick"]) for run in found]


@pytest.mark.postgres
@pytest.mark.slow
async def test_fires_once_per_tick_across_processes_and_restarts(
    postgres_url: str, tmp_path: Path, config: Path
) -> None:
    with ExitStack() as stack:
        first, _second = servers(stack, 2, tmp_path / "a", postgres_url, config)
        client = get_client(url=first)
        thread_id = (await client.threads.create())["thread_id"]
        cron = as_cron(
            await client.crons.create_for_thread(
                thread_id, "hold", schedule="* * * * * *", input=entry("tick")
            )
        )
        await asyncio.sleep(4)
        ticks = await cron_ticks(client, thread_id)
        await client.http.client.aclose()
    assert len(ticks) >= 3
    assert len(set(ticks)) == len(ticks), f"a tick fired twice: {sorted(ticks)}"

    with ExitStack() as stack:  # every process restarted: the schedule goes on
        (url,) = servers(stack, 1, tmp_path / "b", postgres_url, config)
        client = get_client(url=url)
        await asyncio.sleep(3)
        after = await cron_ticks(client, thread_id)
        assert len(after) >= len(ticks) + 2
        assert len(set(after)) == len(after)
        await client.crons.delete(cron["cron_id"])
        await asyncio.sleep(0.5)
        stopped = len(await cron_ticks(client, thread_id))
        await asyncio.sleep(2.5)
        assert len(await cron_ticks(client, thread_id)) == stopped  # deleted: no more runs
        await client.http.client.aclose()


async def test_a_stateless_cron_runs_on_new_threads(
    foreign_api: LiveServer, sdk: LangGraphClient
) -> None:
    await sdk.crons.create(
        "reporter",
        schedule="* * * * * *",
        input={"text": "start"},
        config={"configurable": {"greeting": "cron"}},
        on_run_completed="keep",
    )
    from host import crons

    deadline = asyncio.get_running_loop().time() + 20
    while not (found := await sdk.threads.search(values={"text": "cron/None"})):
        await crons.tick(foreign_api.runtime)  # the test server ticks every 5 s by default
        assert asyncio.get_running_loop().time() < deadline, "the cron never ran"
        await asyncio.sleep(0.3)
    assert found[0]["metadata"] is not None
    assert found[0]["metadata"]["graph_id"] == "reporter"
