"""``/store``: items of the LangGraph store the graphs use (``host.store_api``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from host import store_api
from host.store_api import StoreDelete, StoreNamespaces, StorePut, StoreSearch
from server.api.deps import RuntimeDep

router = APIRouter(prefix="/store")


@router.put("/items", status_code=204)
async def put_item(body: StorePut, runtime: RuntimeDep) -> Response:
    await store_api.put(runtime, body)
    return Response(status_code=204)


@router.get("/items")
async def get_item(
    runtime: RuntimeDep, key: str, namespace: str = "", refresh_ttl: bool | None = None
) -> dict[str, Any] | None:
    """The item, or ``null`` when there is none (as the reference answers)."""
    return await store_api.get(runtime, namespace, key, refresh_ttl)


@router.delete("/items", status_code=204)
async def delete_item(body: StoreDelete, runtime: RuntimeDep) -> Response:
    await store_api.delete(runtime, body)
    return Response(status_code=204)


@router.post("/items/search")
async def search_items(body: StoreSearch, runtime: RuntimeDep) -> dict[str, Any]:
    return await store_api.search(runtime, body)


@router.post("/namespaces")
async def list_namespaces(body: StoreNamespaces, runtime: RuntimeDep) -> dict[str, Any]:
    return await store_api.namespaces(runtime, body)
