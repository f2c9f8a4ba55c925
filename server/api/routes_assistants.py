"""Assistants: one per served graph (assistant id = graph id), plus ``/ok`` and ``/info``."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from fastapi import APIRouter, Request, Response

from host.encoding import jsonable
from host.graphs import schemas
from host.models import AssistantSearch
from host.runtime import Runtime
from server.api.deps import RuntimeDep

router = APIRouter()


def assistant(runtime: Runtime, graph_id: str) -> dict[str, Any]:
    started = runtime.started_at.isoformat()
    served = runtime.graphs[graph_id]
    return {
        "assistant_id": graph_id,
        "graph_id": graph_id,
        "config": {},
        "context": {},
        "metadata": {"created_by": "system"},
        "version": 1,
        "name": graph_id,
        "description": served.graph.get_name() if served.graph.name != "LangGraph" else None,
        "created_at": started,
        "updated_at": started,
    }


@router.get("/ok")
async def ok() -> dict[str, bool]:
    return {"ok": True}


@router.get("/info")
async def info(request: Request) -> dict[str, Any]:
    return {
        "version": version("royal-orchestrator"),
        "langgraph_py_version": version("langgraph"),
        "flags": {"assistants": True, "crons": False, "langsmith": False},
        "host": {"kind": "royal", "project_id": None, "revision_id": None},
        "served_by": str(request.base_url),
    }


def _matches(runtime: Runtime, graph_id: str, search: AssistantSearch) -> bool:
    item = assistant(runtime, graph_id)
    if search.graph_id is not None and search.graph_id != graph_id:
        return False
    if search.name is not None and search.name not in item["name"]:
        return False
    metadata = search.metadata or {}
    return all(item["metadata"].get(key) == value for key, value in metadata.items())


@router.post("/assistants/search")
async def search_assistants(
    body: AssistantSearch, runtime: RuntimeDep, response: Response
) -> list[dict[str, Any]]:
    found = [gid for gid in runtime.graphs if _matches(runtime, gid, body)]
    page = found[body.offset : body.offset + body.limit]
    response.headers["X-Pagination-Total"] = str(len(found))
    if body.offset + len(page) < len(found):
        response.headers["X-Pagination-Next"] = str(body.offset + len(page))
    return [assistant(runtime, gid) for gid in page]


@router.post("/assistants/count")
async def count_assistants(body: AssistantSearch, runtime: RuntimeDep) -> int:
    return sum(_matches(runtime, gid, body) for gid in runtime.graphs)


@router.get("/assistants/{assistant_id}")
async def get_assistant(assistant_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    return assistant(runtime, runtime.served(assistant_id).graph_id)


@router.get("/assistants/{assistant_id}/graph")
async def get_assistant_graph(
    assistant_id: str,
    runtime: RuntimeDep,
    xray: bool | int = False,
) -> dict[str, Any]:
    served = runtime.served(assistant_id)
    async with served.build("assistants.read") as graph:
        drawing = await graph.aget_graph(xray=xray)
    result: dict[str, Any] = jsonable(drawing.to_json())
    return result


@router.get("/assistants/{assistant_id}/schemas")
async def get_assistant_schemas(assistant_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    return schemas(runtime.served(assistant_id))


@router.get("/assistants/{assistant_id}/subgraphs")
async def get_assistant_subgraphs(
    assistant_id: str, runtime: RuntimeDep, recurse: bool = False
) -> dict[str, Any]:
    served = runtime.served(assistant_id)
    found: dict[str, Any] = {}
    async with served.build("assistants.read") as graph:
        async for namespace, subgraph in graph.aget_subgraphs(recurse=recurse):
            found[namespace] = {
                "graph_id": served.graph_id,
                "input_schema": subgraph.get_input_jsonschema(),
                "output_schema": subgraph.get_output_jsonschema(),
            }
    return found
