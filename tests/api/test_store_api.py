"""``/store`` through the unchanged SDK on SQLite and Postgres: the same LangGraph store the
graphs write to; put/get/delete, search (prefix, filter, paging; ``query`` refused without an
embedding index), namespaces, bad namespaces, and item TTLs swept as the reference does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.api.conftest import BACKENDS
from tests.api.foreign_support import foreign_api, foreign_server, sdk
from tests.api.server_support import LiveServer

__all__ = ["foreign_api", "sdk"]


def unique(label: str) -> list[str]:
    return ["tests", label, uuid.uuid4().hex[:8]]


async def test_put_get_delete(sdk: LangGraphClient) -> None:
    ns = unique("crud")
    await sdk.store.put_item(ns, "doc", {"title": "Hello"})
    item = await sdk.store.get_item(ns, "doc")
    assert item is not None
    assert (item["namespace"], item["key"], item["value"]) == (ns, "doc", {"title": "Hello"})
    assert item["created_at"]
    assert item["updated_at"]
    await sdk.store.put_item(ns, "doc", {"title": "Bye"})
    again = await sdk.store.get_item(ns, "doc")
    assert again is not None
    assert again["value"] == {"title": "Bye"}
    await sdk.store.delete_item(ns, "doc")
    assert await sdk.store.get_item(ns, "doc") is None


async def test_search_and_namespaces(sdk: LangGraphClient) -> None:
    ns = unique("search")
    for key, kind in (("a", "alpha"), ("b", "beta"), ("c", "alpha")):
        await sdk.store.put_item([*ns, "docs"], key, {"kind": kind})
    await sdk.store.put_item([*ns, "other"], "z", {"kind": "alpha"})

    found = await sdk.store.search_items([*ns, "docs"], limit=10)
    assert sorted(i["key"] for i in found["items"]) == ["a", "b", "c"]
    alphas = await sdk.store.search_items(ns, filter={"kind": "alpha"}, limit=10)
    assert sorted(i["key"] for i in alphas["items"]) == ["a", "c", "z"]
    first = await sdk.store.search_items(ns, limit=2, offset=0)
    rest = await sdk.store.search_items(ns, limit=2, offset=2)
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 2
    assert {i["key"] for i in first["items"] + rest["items"]} == {"a", "b", "c", "z"}

    listed = await sdk.store.list_namespaces(prefix=ns, limit=100)
    assert sorted(listed["namespaces"]) == [[*ns, "docs"], [*ns, "other"]]
    shallow = await sdk.store.list_namespaces(prefix=ns, max_depth=2, limit=100)
    assert shallow["namespaces"] == [ns[:2]]
    by_suffix = await sdk.store.list_namespaces(prefix=ns, suffix=["other"], limit=100)
    assert by_suffix["namespaces"] == [[*ns, "other"]]


async def test_refusals(sdk: LangGraphClient) -> None:
    for bad in ([], ["langgraph", "x"], ["ok", ""]):
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await sdk.store.put_item(bad, "k", {"v": 1})
        assert refused.value.response.status_code == 422
    with pytest.raises(httpx.HTTPStatusError) as dotted:  # the SDK refuses dots itself
        await sdk.http.put("/store/items", json={"namespace": ["a.b"], "key": "k", "value": {}})
    assert dotted.value.response.status_code == 422
    for label in ("a\u0000b", "ok\u0000"):  # NUL in a label: refused by get and delete too
        with pytest.raises(httpx.HTTPStatusError) as nul_get:
            await sdk.store.get_item(["tests", label], "k")
        assert nul_get.value.response.status_code == 422
        with pytest.raises(httpx.HTTPStatusError) as nul_delete:
            await sdk.store.delete_item(["tests", label], "k")
        assert nul_delete.value.response.status_code == 422
        assert "NUL" in nul_delete.value.response.json()["detail"]
    with pytest.raises(httpx.HTTPStatusError) as semantic:
        await sdk.store.search_items(["tests"], query="hello")
    assert semantic.value.response.status_code == 422
    assert "embedding" in semantic.value.response.json()["detail"]


async def test_what_a_graph_stores_is_served(sdk: LangGraphClient) -> None:
    thread = await sdk.threads.create()
    await sdk.runs.wait(thread["thread_id"], "remember", input={"text": "from the graph"})
    item = await sdk.store.get_item(["memos"], "last")
    assert item is not None
    assert item["value"] == {"text": "from the graph"}


@pytest.fixture(params=BACKENDS)
def sweeping_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    yield from foreign_server(request, tmp_path, royal_store_sweep_minutes=0.005)


@pytest.fixture
async def sweeping_sdk(sweeping_api: LiveServer) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=sweeping_api.url)
    yield client
    await client.http.client.aclose()


async def test_items_expire_after_their_ttl(sweeping_sdk: LangGraphClient) -> None:
    ns = unique("ttl")
    # 0.6 s: the SDK types minutes as int, the server takes any JSON number
    await sweeping_sdk.store.put_item(ns, "brief", {"v": 1}, ttl=0.01)  # type: ignore[arg-type]
    await sweeping_sdk.store.put_item(ns, "kept", {"v": 2})
    assert await sweeping_sdk.store.get_item(ns, "brief") is not None
    deadline = asyncio.get_running_loop().time() + 30
    while await sweeping_sdk.store.get_item(ns, "brief", refresh_ttl=False) is not None:
        assert asyncio.get_running_loop().time() < deadline, "the item did not expire"
        await asyncio.sleep(0.2)
    assert await sweeping_sdk.store.get_item(ns, "kept") is not None
