"""Assistants: the graph-id ones (one per served graph, id = graph id, read-only) and those
created over the API (a graph with its own config, context, metadata; versioned).

A run names either; a created assistant's config and context are the run's defaults (the run's
own values win key by key), as the reference server merges them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from host.errors import ConflictError, InvalidRequestError, NotFoundError
from host.graphs import ServedGraph
from host.models import (
    AssistantCreate,
    AssistantPatch,
    AssistantSearch,
    RunConfig,
    RunCreate,
)
from host.runtime import Runtime
from storage.assistants import AssistantExistsError, AssistantRow

BUILTIN_METADATA = {"created_by": "system"}


@dataclass(frozen=True)
class Resolved:
    """What an assistant id names: the graph to run and, for a created assistant, its row."""

    served: ServedGraph
    row: AssistantRow | None

    @property
    def assistant_id(self) -> str:
        return self.served.graph_id if self.row is None else self.row.assistant_id

    def to_api(self, runtime: Runtime) -> dict[str, Any]:
        return builtin(runtime, self.served) if self.row is None else self.row.to_api()

    def run_body(self, body: RunCreate) -> RunCreate:
        """The run with this assistant's config and context under its own."""
        if self.row is None or not (self.row.config or self.row.context):
            return body
        mine = self.row.config
        theirs = body.config.model_dump(exclude_none=True) if body.config else {}
        config: dict[str, Any] = {**mine, **theirs}
        config["configurable"] = {
            **(mine.get("configurable") or {}),
            **(theirs.get("configurable") or {}),
        }
        if mine.get("tags") or theirs.get("tags"):
            config["tags"] = [*(mine.get("tags") or []), *(theirs.get("tags") or [])]
        context = {**self.row.context, **(body.context or {})} or None
        return RunCreate.model_validate(
            {**body.model_dump(exclude_unset=True), "config": config, "context": context}
        )


def builtin(runtime: Runtime, served: ServedGraph) -> dict[str, Any]:
    started = runtime.started_at.isoformat()
    graph = served.graph
    return {
        "assistant_id": served.graph_id,
        "graph_id": served.graph_id,
        "config": {},
        "context": {},
        "metadata": dict(BUILTIN_METADATA),
        "version": 1,
        "name": served.graph_id,
        "description": graph.get_name() if graph.name != "LangGraph" else None,
        "created_at": started,
        "updated_at": started,
    }


async def resolve(runtime: Runtime, assistant_id: str) -> Resolved:
    """The assistant ``assistant_id`` names, or ``NotFoundError``."""
    served = runtime.graphs.get(assistant_id)
    if served is not None:
        return Resolved(served, None)
    row = await runtime.assistants.get(assistant_id)
    if row is None:
        raise NotFoundError("assistant", assistant_id)
    served = runtime.graphs.get(row.graph_id)
    if served is None:
        raise NotFoundError("graph", row.graph_id)
    return Resolved(served, row)


def _graph(runtime: Runtime, graph_id: str) -> ServedGraph:
    served = runtime.graphs.get(graph_id)
    if served is None:
        raise NotFoundError("graph", graph_id)
    return served


def _check_context(served: ServedGraph, context: dict[str, Any] | None) -> None:
    served.context(context, None)  # refused now (422), not when a run starts


def _check_config(config: dict[str, Any] | None) -> None:
    try:
        RunConfig.model_validate(config or {})
    except ValidationError as exc:
        raise InvalidRequestError(f"invalid config: {exc.errors()[0]['msg']}") from None


async def create(runtime: Runtime, body: AssistantCreate) -> dict[str, Any]:
    served = _graph(runtime, body.graph_id)
    _check_context(served, body.context)
    _check_config(body.config)
    if body.assistant_id is not None and body.assistant_id in runtime.graphs:
        if body.if_exists == "do_nothing":
            return builtin(runtime, runtime.graphs[body.assistant_id])
        raise ConflictError(f"assistant {body.assistant_id} exists (a served graph's id)")
    try:
        row = await runtime.assistants.create(
            assistant_id=body.assistant_id,
            graph_id=served.graph_id,
            name=body.name or "Untitled",
            description=body.description,
            config=body.config or {},
            context=body.context or {},
            metadata=body.metadata or {},
            if_exists=body.if_exists,
        )
    except AssistantExistsError as exc:
        raise ConflictError(str(exc)) from None
    return row.to_api()


async def _created(runtime: Runtime, assistant_id: str) -> AssistantRow:
    if assistant_id in runtime.graphs:
        raise InvalidRequestError(
            f"assistant {assistant_id} is a served graph's own and cannot be changed: "
            "create an assistant for that graph instead"
        )
    row = await runtime.assistants.get(assistant_id)
    if row is None:
        raise NotFoundError("assistant", assistant_id)
    return row


async def patch(runtime: Runtime, assistant_id: str, body: AssistantPatch) -> dict[str, Any]:
    row = await _created(runtime, assistant_id)
    changes = body.model_dump(exclude_unset=True)
    served = _graph(runtime, changes.get("graph_id") or row.graph_id)
    if "context" in changes:
        _check_context(served, body.context)
    _check_config(body.config)
    for key in ("config", "context", "metadata"):
        if key in changes and changes[key] is None:
            changes[key] = {}
    if changes.get("name") is None:
        changes.pop("name", None)
    updated = await runtime.assistants.patch(assistant_id, changes)
    if updated is None:
        raise NotFoundError("assistant", assistant_id)
    return updated.to_api()


async def delete(runtime: Runtime, assistant_id: str) -> None:
    await _created(runtime, assistant_id)
    if not await runtime.assistants.delete(assistant_id):
        raise NotFoundError("assistant", assistant_id)


async def versions(
    runtime: Runtime, assistant_id: str, metadata: dict[str, Any] | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    if assistant_id in runtime.graphs:
        return [{**builtin(runtime, runtime.graphs[assistant_id])}] if offset == 0 else []
    await _created(runtime, assistant_id)
    found = await runtime.assistants.versions(assistant_id, metadata, limit, offset)
    return [row.to_api() for row in found]


async def set_latest(runtime: Runtime, assistant_id: str, version: int) -> dict[str, Any]:
    await _created(runtime, assistant_id)
    row = await runtime.assistants.set_latest(assistant_id, version)
    if row is None:
        raise NotFoundError("assistant version", f"{assistant_id}@{version}")
    return row.to_api()


def _builtin_matches(item: dict[str, Any], search: AssistantSearch) -> bool:
    if search.graph_id is not None and search.graph_id != item["graph_id"]:
        return False
    if search.name and search.name.lower() not in item["name"].lower():
        return False
    return all(item["metadata"].get(k) == v for k, v in (search.metadata or {}).items())


def _sort_key(item: dict[str, Any], field: str) -> Any:
    value = item.get(field)
    if field.endswith("_at") and isinstance(value, str):
        return datetime.fromisoformat(value)
    return str(value or "")


async def search(runtime: Runtime, body: AssistantSearch) -> tuple[list[dict[str, Any]], int]:
    """One page of the matching assistants, built-in and created, and how many match."""
    found = [builtin(runtime, served) for served in runtime.graphs.values()]
    found = [item for item in found if _builtin_matches(item, body)]
    rows = await runtime.assistants.search(
        graph_id=body.graph_id, name=body.name, metadata=body.metadata
    )
    found += [row.to_api() for row in rows]
    found.sort(key=lambda item: _sort_key(item, body.sort_by), reverse=body.sort_order == "desc")
    page = found[body.offset : body.offset + body.limit]
    if body.select:
        page = [{k: v for k, v in item.items() if k in body.select} for item in page]
    return page, len(found)
