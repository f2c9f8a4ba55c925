"""The LangGraph Server API's ``/store``: the same LangGraph store the graphs use (Postgres or
SQLite), read and written over HTTP.

Semantic search (``query``) needs an embedding index on the store, which this server does not
configure: a search with ``query`` is refused (422) rather than silently answering unranked.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.store.base import (
    NOT_PROVIDED,
    BaseStore,
    InvalidNamespaceError,
    Item,
    SearchItem,
)
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from host.errors import InvalidRequestError, UnavailableError
from host.runtime import Runtime

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000
MAX_TTL_MINUTES = 100 * 365 * 24 * 60
#: What the store raises for a namespace, filter or figure it cannot take: answered 422.
REFUSED = (InvalidNamespaceError, ValueError, OverflowError)


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StorePut(_Body):
    namespace: list[str]
    key: str = Field(min_length=1)
    value: dict[str, JsonValue]
    index: Literal[False] | list[str] | None = None
    ttl: float | None = Field(default=None, gt=0, le=MAX_TTL_MINUTES)


class StoreDelete(_Body):
    namespace: list[str]
    key: str = Field(min_length=1)


class StoreSearch(_Body):
    namespace_prefix: list[str] = Field(default_factory=list)
    filter: dict[str, JsonValue] | None = None
    limit: int = Field(default=10, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    query: str | None = None
    refresh_ttl: bool | None = None


class StoreNamespaces(_Body):
    prefix: list[str] | None = None
    suffix: list[str] | None = None
    max_depth: int | None = Field(default=None, ge=1, le=1000)
    limit: int = Field(default=100, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


def store_of(runtime: Runtime) -> BaseStore:
    if runtime.persistence is None:
        raise UnavailableError("this server has no LangGraph store")
    return runtime.persistence.store


def _namespace(namespace: list[str]) -> tuple[str, ...]:
    """A namespace the store accepts (no empty labels, no dots, not ``langgraph``), or 422."""
    if not namespace:
        raise InvalidRequestError("namespace must have at least one label")
    for label in namespace:
        if not label or "." in label:
            raise InvalidRequestError(f"namespace label {label!r} is empty or contains '.'")
    if namespace[0] == "langgraph":
        raise InvalidRequestError('namespaces may not start with "langgraph" (reserved)')
    return tuple(namespace)


def item_json(item: Item) -> dict[str, Any]:
    body: dict[str, Any] = {
        "namespace": list(item.namespace),
        "key": item.key,
        "value": item.value,
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
    }
    if isinstance(item, SearchItem):
        body["score"] = item.score
    return body


async def put(runtime: Runtime, body: StorePut) -> None:
    namespace = _namespace(body.namespace)
    try:
        await store_of(runtime).aput(
            namespace,
            body.key,
            body.value,
            index=False if body.index is False else None,
            ttl=NOT_PROVIDED if body.ttl is None else body.ttl,  # unset: the default TTL
        )
    except REFUSED as exc:
        raise InvalidRequestError(str(exc)) from None


async def get(
    runtime: Runtime, namespace: str, key: str, refresh_ttl: bool | None
) -> dict[str, Any] | None:
    labels = _namespace(namespace.split(".") if namespace else [])
    try:
        item = await store_of(runtime).aget(labels, key, refresh_ttl=refresh_ttl)
    except REFUSED as exc:
        raise InvalidRequestError(str(exc)) from None
    return None if item is None else item_json(item)


async def delete(runtime: Runtime, body: StoreDelete) -> None:
    try:
        await store_of(runtime).adelete(_namespace(body.namespace), body.key)
    except REFUSED as exc:
        raise InvalidRequestError(str(exc)) from None


async def search(runtime: Runtime, body: StoreSearch) -> dict[str, Any]:
    if body.query:
        raise InvalidRequestError(
            "semantic search (query) needs an embedding index on the store, and none is "
            "configured on this server: search by namespace_prefix and filter instead"
        )
    try:
        items = await store_of(runtime).asearch(
            tuple(body.namespace_prefix),
            filter=body.filter,
            limit=body.limit,
            offset=body.offset,
            refresh_ttl=body.refresh_ttl,
        )
    except REFUSED as exc:
        raise InvalidRequestError(str(exc)) from None
    return {"items": [item_json(item) for item in items]}


async def namespaces(runtime: Runtime, body: StoreNamespaces) -> dict[str, Any]:
    try:
        found = await store_of(runtime).alist_namespaces(
            prefix=tuple(body.prefix) if body.prefix else None,
            suffix=tuple(body.suffix) if body.suffix else None,
            max_depth=body.max_depth,
            limit=body.limit,
            offset=body.offset,
        )
    except REFUSED as exc:
        raise InvalidRequestError(str(exc)) from None
    return {"namespaces": [list(namespace) for namespace in found]}
