"""``/api/v1/sync``: the catalog sync's records, per-product history, rollback and conflicts."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from host.catalog_sync import decide_conflict, request_rollback, start_export, syncs
from server.api.deps import (
    Approver,
    Limit,
    Offset,
    Operator,
    RuntimeDep,
    ServicesDep,
    Viewer,
    paged,
)
from server.api.errors import not_found
from storage.sync import ConflictRecord, HistoryEntry, SyncChange, SyncRecord
from storage.sync_schema import ConflictStatus, Resolution, SyncDirection

router = APIRouter(prefix="/sync", tags=["sync"])


class RunStarted(BaseModel):
    """The catalog cluster works on it in a background run (follow it like any run)."""

    thread_id: str
    run_id: str
    assistant_id: str = "catalog"


class SyncDetail(BaseModel):
    sync: SyncRecord
    changes: list[SyncChange]


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Literal["ours", "theirs", "edited"] = Field(
        description="ours: Shopify's value; theirs: the repository's; edited: ``value``."
    )
    value: JsonValue = Field(default=None, description="The value to apply, for ``edited``.")


class ConflictDecided(BaseModel):
    conflict: ConflictRecord
    thread_id: str
    run_id: str


@router.get("", response_model=list[SyncRecord])
async def list_syncs(
    services: ServicesDep,
    response: Response,
    _: Viewer,
    direction: SyncDirection | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[SyncRecord]:
    """Every sync, newest first."""
    return paged(
        response, await syncs(services).syncs(direction=direction, limit=limit, offset=offset)
    )


@router.post("/export", status_code=202)
async def export(runtime: RuntimeDep, principal: Operator) -> RunStarted:
    """Export the whole Shopify catalog to the repository as a pull request (one export at a
    time: ``409`` while one is pending or running)."""
    run = await start_export(runtime, principal.subject)
    return RunStarted(thread_id=run.thread_id, run_id=run.run_id)


@router.get("/conflicts", response_model=list[ConflictRecord])
async def list_conflicts(
    services: ServicesDep,
    response: Response,
    _: Viewer,
    status: ConflictStatus | None = ConflictStatus.OPEN,
    handle: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[ConflictRecord]:
    page = await syncs(services).conflicts(status=status, handle=handle, limit=limit, offset=offset)
    return paged(response, page)


@router.get("/conflicts/{conflict_id}")
async def get_conflict(conflict_id: str, services: ServicesDep, _: Viewer) -> ConflictRecord:
    found = await syncs(services).get_conflict(conflict_id)
    if found is None:
        raise not_found("conflict", conflict_id)
    return found


@router.post("/conflicts/{conflict_id}/resolve", status_code=202)
async def resolve(
    conflict_id: str,
    body: ResolveBody,
    runtime: RuntimeDep,
    services: ServicesDep,
    principal: Approver,
) -> ConflictDecided:
    """Choose Shopify's value, the repository's, or an edited one; the choice is recorded with
    who made it and applied to both sides by a catalog run (Shopify writes through the gate)."""
    resolution = Resolution(body.resolution)
    if resolution is Resolution.EDITED and body.value is None:
        raise HTTPException(status_code=422, detail="an edited resolution needs a value")
    decided, run = await decide_conflict(
        runtime, services, conflict_id, resolution, body.value, principal.subject
    )
    return ConflictDecided(conflict=decided, thread_id=run.thread_id, run_id=run.run_id)


@router.get("/products/{handle}/history", response_model=list[HistoryEntry])
async def history(handle: str, services: ServicesDep, _: Viewer) -> list[HistoryEntry]:
    """Every recorded change of one product, newest first, with its sync."""
    return await syncs(services).history(handle)


@router.get("/{sync_id}")
async def get_sync(sync_id: str, services: ServicesDep, _: Viewer) -> SyncDetail:
    repository = syncs(services)
    record = await repository.get(sync_id)
    if record is None:
        raise not_found("sync", sync_id)
    return SyncDetail(sync=record, changes=await repository.changes(sync_id))


@router.post("/{sync_id}/rollback", status_code=202)
async def rollback(
    sync_id: str, runtime: RuntimeDep, services: ServicesDep, principal: Operator
) -> RunStarted:
    """Restore, on Shopify, the values this sync replaced (through the gate; a large price move
    waits for approval), recorded as a new sync."""
    run = await request_rollback(runtime, services, sync_id, principal.subject)
    return RunStarted(thread_id=run.thread_id, run_id=run.run_id)
