"""Assistants: one per served graph (id = graph id) and those created over the API (versioned),
plus ``/ok`` and ``/info``."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from fastapi import APIRouter, Request, Response

from host import assistants, threads
from host.encoding import jsonable
from host.graphs import schemas
from host.models import (
    AssistantCreate,
    AssistantLatest,
    AssistantPatch,
    AssistantSearch,
    AssistantVersionsSearch,
)
from server.api.deps import RuntimeDep, paginated

router = APIRouter()


@router.get("/ok")
async def ok() -> dict[str, bool]:
    return {"ok": True}


@router.get("/info")
async def info(request: Request) -> dict[str, Any]:
    return {
        "version": version("royal-orchestrator"),
        "langgraph_py_version": version("langgraph"),
        "flags": {"assistants": True, "crons": True, "langsmith": False},
        "host": {"kind": "royal", "project_id": None, "revision_id": None},
        "served_by": str(request.base_url),
    }


@router.post("/assistants")
async def create_assistant(body: AssistantCreate, runtime: RuntimeDep) -> dict[str, Any]:
    return await assistants.create(runtime, body)


@router.post("/assistants/search")
async def search_assistants(
    body: AssistantSearch, runtime: RuntimeDep, response: Response
) -> list[dict[str, Any]]:
    page, total = await assistants.search(runtime, body)
    return paginated(response, page, offset=body.offset, total=total)


@router.post("/assistants/count")
async def count_assistants(body: AssistantSearch, runtime: RuntimeDep) -> int:
    _, total = await assistants.search(runtime, body.model_copy(update={"limit": 1}))
    return total


@router.get("/assistants/{assistant_id}")
async def get_assistant(assistant_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    return (await assistants.resolve(runtime, assistant_id)).to_api(runtime)


@router.patch("/assistants/{assistant_id}")
async def patch_assistant(
    assistant_id: str, body: AssistantPatch, runtime: RuntimeDep
) -> dict[str, Any]:
    """A new version with the changes (metadata merged), made the latest."""
    return await assistants.patch(runtime, assistant_id, body)


@router.delete("/assistants/{assistant_id}", status_code=204)
async def delete_assistant(
    assistant_id: str, runtime: RuntimeDep, delete_threads: bool = False
) -> Response:
    await assistants.delete(runtime, assistant_id)
    if delete_threads:
        rows, _ = await runtime.store.search_threads(
            metadata={"assistant_id": assistant_id}, limit=10_000
        )
        for row in rows:
            await threads.delete(runtime, row.thread_id)
    return Response(status_code=204)


@router.post("/assistants/{assistant_id}/versions")
async def list_versions(
    assistant_id: str, body: AssistantVersionsSearch, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    return await assistants.versions(runtime, assistant_id, body.metadata, body.limit, body.offset)


@router.post("/assistants/{assistant_id}/latest")
async def set_latest(
    assistant_id: str, body: AssistantLatest, runtime: RuntimeDep
) -> dict[str, Any]:
    return await assistants.set_latest(runtime, assistant_id, body.version)


@router.get("/assistants/{assistant_id}/graph")
async def get_assistant_graph(
    assistant_id: str,
    runtime: RuntimeDep,
    xray: bool | int = False,
) -> dict[str, Any]:
    served = (await assistants.resolve(runtime, assistant_id)).served
    async with served.build("assistants.read") as graph:
        drawing = await graph.aget_graph(xray=xray)
    result: dict[str, Any] = jsonable(drawing.to_json())
    return result


@router.get("/assistants/{assistant_id}/schemas")
async def get_assistant_schemas(assistant_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    return schemas((await assistants.resolve(runtime, assistant_id)).served)


@router.get("/assistants/{assistant_id}/subgraphs")
async def get_assistant_subgraphs(
    assistant_id: str, runtime: RuntimeDep, recurse: bool = False
) -> dict[str, Any]:
    served = (await assistants.resolve(runtime, assistant_id)).served
    found: dict[str, Any] = {}
    async with served.build("assistants.read") as graph:
        async for namespace, subgraph in graph.aget_subgraphs(recurse=recurse):
            found[namespace] = {
                "graph_id": served.graph_id,
                "input_schema": subgraph.get_input_jsonschema(),
                "output_schema": subgraph.get_output_jsonschema(),
            }
    return found
