"""Threads: CRUD, search, state (current, at a checkpoint, update) and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from langchain_core.runnables import RunnableConfig
from langgraph.errors import InvalidUpdateError

from host import threads
from host.encoding import jsonable
from host.graphs import ServedGraph
from host.models import (
    CheckpointRef,
    HistoryRequest,
    ThreadCreate,
    ThreadPatch,
    ThreadPrune,
    ThreadSearch,
    ThreadStateUpdate,
)
from host.runtime import Runtime
from host.state import checkpoint_of, checkpoint_status, thread_interrupts, thread_state
from server.api.deps import RuntimeDep, paginated
from storage import checkpoints
from storage.runs import ConflictError, ThreadRow

router = APIRouter(prefix="/threads")

EMPTY_STATE: dict[str, Any] = {
    "values": {},
    "next": [],
    "tasks": [],
    "metadata": {},
    "created_at": None,
    "checkpoint": None,
    "parent_checkpoint": None,
    "interrupts": [],
    "checkpoint_id": None,
    "parent_checkpoint_id": None,
}


def _graph_of(runtime: Runtime, thread: ThreadRow) -> ServedGraph | None:
    graph_id = thread.metadata.get("graph_id")
    return runtime.graphs.get(graph_id) if isinstance(graph_id, str) else None


def _config(thread_id: str, checkpoint: CheckpointRef | None = None) -> RunnableConfig:
    configurable: dict[str, Any] = {"thread_id": thread_id}
    if checkpoint is not None and checkpoint.checkpoint_id:
        configurable["checkpoint_id"] = checkpoint.checkpoint_id
        configurable["checkpoint_ns"] = checkpoint.checkpoint_ns
    return {"configurable": configurable}


@router.post("")
async def create_thread(body: ThreadCreate, runtime: RuntimeDep) -> dict[str, Any]:
    try:
        thread = await runtime.store.create_thread(
            body.thread_id, body.metadata, if_exists=body.if_exists
        )
    except ConflictError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return thread.to_api()


@router.post("/search")
async def search_threads(
    body: ThreadSearch, runtime: RuntimeDep, response: Response
) -> list[dict[str, Any]]:
    rows, total = await runtime.store.search_threads(
        metadata=body.metadata,
        values=body.values,
        ids=body.ids,
        status=body.status,
        sort_by=body.sort_by,
        sort_order=body.sort_order,
        limit=body.limit,
        offset=body.offset,
    )
    return paginated(response, [row.to_api() for row in rows], offset=body.offset, total=total)


@router.post("/count")
async def count_threads(body: ThreadSearch, runtime: RuntimeDep) -> int:
    return await runtime.store.count_threads(metadata=body.metadata, status=body.status)


@router.post("/prune")
async def prune_threads(body: ThreadPrune, runtime: RuntimeDep) -> dict[str, int]:
    """Delete the threads (their runs cancelled first), or keep only their latest checkpoint."""
    return {"pruned_count": await threads.prune(runtime, body.thread_ids, body.strategy)}


@router.get("/{thread_id}")
async def get_thread(thread_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    return (await runtime.thread(thread_id)).to_api()


@router.patch("/{thread_id}")
async def patch_thread(thread_id: str, body: ThreadPatch, runtime: RuntimeDep) -> dict[str, Any]:
    thread = await runtime.store.patch_thread(thread_id, body.metadata)
    if thread is None:
        await runtime.thread(thread_id)  # raises the 404
        raise AssertionError("unreachable")
    return thread.to_api()


@router.delete("/{thread_id}", status_code=204)
async def delete_thread(thread_id: str, runtime: RuntimeDep) -> Response:
    """Delete a thread and its checkpoints, cancelling its runs first (as the reference); its
    pending approvals are closed with the reason."""
    await threads.delete(runtime, thread_id)
    return Response(status_code=204)


@router.post("/{thread_id}/copy")
async def copy_thread(thread_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """A new thread with this one's metadata, state and every checkpoint (same ids), so its
    history matches; the two evolve independently afterwards."""
    thread = await runtime.thread(thread_id)
    if await runtime.store.thread_has_inflight(thread_id):
        raise HTTPException(status_code=409, detail=f"thread {thread_id} has a run in flight")
    copied = await runtime.store.copy_thread(thread)
    try:
        await checkpoints.copy_thread(runtime.checkpointer, thread_id, copied.thread_id)
    except BaseException:
        await runtime.store.delete_thread(copied.thread_id)
        raise
    return copied.to_api()


async def _state(
    runtime: Runtime, thread_id: str, checkpoint: CheckpointRef | None, subgraphs: bool
) -> dict[str, Any]:
    thread = await runtime.thread(thread_id)
    served = _graph_of(runtime, thread)
    if served is None:
        return {**EMPTY_STATE, "values": thread.values or {}}
    config = _config(thread_id, checkpoint)
    async with served.build("threads.read", config) as graph:
        snapshot = await graph.aget_state(config, subgraphs=subgraphs)
    if checkpoint is not None and snapshot.config is None:
        raise HTTPException(
            status_code=404, detail=f"checkpoint {checkpoint.checkpoint_id} not found"
        )
    return thread_state(snapshot)


@router.get("/{thread_id}/state")
async def get_state(thread_id: str, runtime: RuntimeDep, subgraphs: bool = False) -> dict[str, Any]:
    return await _state(runtime, thread_id, None, subgraphs)


@router.get("/{thread_id}/state/{checkpoint_id}")
async def get_state_at(
    thread_id: str, checkpoint_id: str, runtime: RuntimeDep, subgraphs: bool = False
) -> dict[str, Any]:
    return await _state(runtime, thread_id, CheckpointRef(checkpoint_id=checkpoint_id), subgraphs)


@router.post("/{thread_id}/state/checkpoint")
async def post_state_at(
    thread_id: str, body: dict[str, Any], runtime: RuntimeDep
) -> dict[str, Any]:
    checkpoint = CheckpointRef.model_validate(body.get("checkpoint") or {})
    return await _state(runtime, thread_id, checkpoint, bool(body.get("subgraphs")))


@router.post("/{thread_id}/state")
async def update_state(
    thread_id: str, body: ThreadStateUpdate, runtime: RuntimeDep
) -> dict[str, Any]:
    thread = await runtime.thread(thread_id)
    served = _graph_of(runtime, thread)
    if served is None:
        raise HTTPException(status_code=409, detail=f"thread {thread_id} has no graph yet")
    if await runtime.store.thread_has_inflight(thread_id):
        raise HTTPException(status_code=409, detail=f"thread {thread_id} has a run in flight")
    checkpoint = body.checkpoint
    if checkpoint is None and body.checkpoint_id:
        checkpoint = CheckpointRef(checkpoint_id=body.checkpoint_id)
    async with served.build("threads.update", _config(thread_id, checkpoint)) as graph:
        try:
            config = await graph.aupdate_state(
                _config(thread_id, checkpoint), body.values, as_node=body.as_node
            )
        except (ValueError, KeyError, InvalidUpdateError) as exc:  # unknown node, wrong shape
            raise HTTPException(status_code=400, detail=str(exc) or type(exc).__name__) from None
        snapshot = await graph.aget_state(_config(thread_id))
    await runtime.store.set_thread_state(
        thread_id,
        status=checkpoint_status(snapshot),
        values=jsonable(snapshot.values) or None,
        interrupts=thread_interrupts(snapshot),
    )
    return {"checkpoint": checkpoint_of(config)}


async def _history(runtime: Runtime, thread_id: str, body: HistoryRequest) -> list[Any]:
    thread = await runtime.thread(thread_id)
    served = _graph_of(runtime, thread)
    if served is None:
        return []
    before: RunnableConfig | None = None
    if isinstance(body.before, str):
        before = _config(thread_id, CheckpointRef(checkpoint_id=body.before))
    elif body.before is not None:
        before = _config(thread_id, body.before)
    config = _config(thread_id, body.checkpoint)
    async with served.build("threads.read", config) as graph:
        return [
            thread_state(snapshot)
            async for snapshot in graph.aget_state_history(
                config, limit=body.limit, before=before, filter=body.metadata
            )
        ]


@router.post("/{thread_id}/history")
async def post_history(thread_id: str, body: HistoryRequest, runtime: RuntimeDep) -> list[Any]:
    return await _history(runtime, thread_id, body)


@router.get("/{thread_id}/history")
async def get_history(
    thread_id: str,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    before: str | None = None,
) -> list[Any]:
    return await _history(runtime, thread_id, HistoryRequest(limit=limit, before=before))
