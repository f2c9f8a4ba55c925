"""Assistants created over the API, through the unchanged SDK on SQLite and Postgres: create
(``if_exists``), get, patch (a new version), versions, set latest, search and count with
filters, delete (``delete_threads``), and runs that take their config and context."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from tests.api.foreign_support import foreign_api, sdk

__all__ = ["foreign_api", "sdk"]


def status_of(error: pytest.ExceptionInfo[httpx.HTTPStatusError]) -> int:
    return error.value.response.status_code


async def test_create_get_patch_versions_latest(sdk: LangGraphClient) -> None:
    created = await sdk.assistants.create(
        "reporter",
        config={"configurable": {"greeting": "hello"}},
        context={"tenant": "t1"},
        metadata={"team": "ops", "stage": "a"},
        name="Greeter",
        description="says hello",
    )
    aid = created["assistant_id"]
    assert created["graph_id"] == "reporter"
    assert created["version"] == 1
    assert created["name"] == "Greeter"
    assert (await sdk.assistants.get(aid))["metadata"] == {"team": "ops", "stage": "a"}

    updated = await sdk.assistants.update(aid, metadata={"stage": "b"}, name="Greeter 2")
    assert updated["version"] == 2
    assert updated["metadata"] == {"team": "ops", "stage": "b"}  # merged, as the reference
    assert updated["config"] == {"configurable": {"greeting": "hello"}}  # kept
    versions = await sdk.assistants.get_versions(aid)
    assert [v["version"] for v in versions] == [2, 1]
    assert [v["name"] for v in versions] == ["Greeter 2", "Greeter"]
    assert [v["version"] for v in await sdk.assistants.get_versions(aid, limit=1, offset=1)] == [1]

    back = await sdk.assistants.set_latest(aid, 1)
    assert (back["version"], back["name"], (back["metadata"] or {})["stage"]) == (1, "Greeter", "a")
    assert (await sdk.assistants.get(aid))["name"] == "Greeter"
    with pytest.raises(httpx.HTTPStatusError) as missing:
        await sdk.assistants.set_latest(aid, 7)
    assert status_of(missing) == 404


async def test_if_exists(sdk: LangGraphClient) -> None:
    first = await sdk.assistants.create("hold", assistant_id="my-hold", name="one")
    with pytest.raises(httpx.HTTPStatusError) as exists:
        await sdk.assistants.create("hold", assistant_id="my-hold", name="two")
    assert status_of(exists) == 409
    same = await sdk.assistants.create(
        "hold", assistant_id="my-hold", name="two", if_exists="do_nothing"
    )
    assert same == first
    with pytest.raises(httpx.HTTPStatusError) as unknown_graph:
        await sdk.assistants.create("nope")
    assert status_of(unknown_graph) == 404


async def test_search_and_count_with_filters(sdk: LangGraphClient) -> None:
    a = await sdk.assistants.create("hold", metadata={"kind": "x"}, name="Alpha one")
    b = await sdk.assistants.create("reporter", metadata={"kind": "x"}, name="Beta")
    await sdk.assistants.create("reporter", metadata={"kind": "y"}, name="Gamma")

    found = await sdk.assistants.search(metadata={"kind": "x"})
    assert {x["assistant_id"] for x in found} == {a["assistant_id"], b["assistant_id"]}
    assert [x["assistant_id"] for x in found] == [b["assistant_id"], a["assistant_id"]]  # newest
    assert await sdk.assistants.count(metadata={"kind": "x"}) == 2
    by_graph = await sdk.assistants.search(graph_id="reporter")
    assert {x["name"] for x in by_graph} == {"Beta", "Gamma", "reporter"}  # with the built-in
    assert await sdk.assistants.count(graph_id="reporter") == 3
    assert [x["name"] for x in await sdk.assistants.search(name="alpha")] == ["Alpha one"]
    page = await sdk.assistants.search(limit=2, offset=0, sort_by="name", sort_order="asc")
    assert [x["name"] for x in page] == ["Alpha one", "Beta"]
    selected = await sdk.assistants.search(graph_id="hold", select=["assistant_id", "name"])
    assert all(set(x) == {"assistant_id", "name"} for x in selected)
    built_in = await sdk.assistants.search(metadata={"created_by": "system"})
    assert {x["assistant_id"] for x in built_in} == {"hold", "reporter", "factory", "remember"}


async def test_a_run_takes_the_assistants_config_and_context(sdk: LangGraphClient) -> None:
    created = await sdk.assistants.create(
        "reporter", config={"configurable": {"greeting": "hi"}}, context={"tenant": "t1"}
    )
    aid = created["assistant_id"]
    thread = await sdk.threads.create()
    result = await sdk.runs.wait(thread["thread_id"], aid, input={})
    assert result == {"text": "hi/t1"}
    own = await sdk.runs.wait(
        thread["thread_id"], aid, input={}, config={"configurable": {"greeting": "yo"}}
    )
    assert own == {"text": "yo/t1"}  # the run's own values win
    runs = await sdk.runs.list(thread["thread_id"])
    assert {r["assistant_id"] for r in runs} == {aid}
    stamped = (await sdk.threads.get(thread["thread_id"]))["metadata"] or {}
    assert stamped["graph_id"] == "reporter"
    state = await sdk.threads.get_state(thread["thread_id"])
    assert state["values"] == {"text": "yo/t1"}


async def test_delete(sdk: LangGraphClient) -> None:
    created = await sdk.assistants.create("reporter")
    aid = created["assistant_id"]
    thread = await sdk.threads.create()
    await sdk.runs.wait(thread["thread_id"], aid, input={})
    keep = await sdk.threads.create()
    await sdk.runs.wait(keep["thread_id"], "reporter", input={})

    await sdk.assistants.delete(aid, delete_threads=True)
    with pytest.raises(httpx.HTTPStatusError) as gone:
        await sdk.assistants.get(aid)
    assert status_of(gone) == 404
    with pytest.raises(httpx.HTTPStatusError) as thread_gone:
        await sdk.threads.get(thread["thread_id"])
    assert status_of(thread_gone) == 404
    assert (await sdk.threads.get(keep["thread_id"]))["thread_id"] == keep["thread_id"]
    with pytest.raises(httpx.HTTPStatusError) as again:
        await sdk.assistants.delete(aid)
    assert status_of(again) == 404
    for change in (sdk.assistants.delete("reporter"), sdk.assistants.update("reporter", name="x")):
        with pytest.raises(httpx.HTTPStatusError) as built_in:
            await change
        assert status_of(built_in) == 422
