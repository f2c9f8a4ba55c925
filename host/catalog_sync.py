"""Catalog sync operations every front end shares (the sync API and the console): start catalog
runs (export, rollback) and decide a conflict, with the same checks and errors."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import JsonValue

from host import runs
from host.errors import ConflictError, InvalidRequestError, NotFoundError, UnavailableError
from host.runtime import Runtime
from nodes.clusters import ClusterTask
from nodes.services import Services
from storage import ActorKind, AuditEntry
from storage.runs import RunRow
from storage.sync import ConflictAlreadyResolvedError, ConflictRecord, SyncRepository
from storage.sync_schema import Resolution, SyncDirection

CATALOG_ASSISTANT = "catalog"
ROLLBACKABLE = frozenset(
    {SyncDirection.GITHUB_TO_SHOPIFY, SyncDirection.ROLLBACK, SyncDirection.RESOLUTION}
)


def syncs(services: Services) -> SyncRepository:
    return SyncRepository(services.database, clock=services.clock)


EXPORT_THREAD = "catalog-export"
"""Exports share one thread and refuse to queue: one full export at a time is enough."""


async def start_catalog_run(
    runtime: Runtime,
    operation: str,
    title: str,
    by: str,
    *,
    thread_id: str | None = None,
    strategy: str = "enqueue",
    **parameters: Any,
) -> RunRow:
    """A background run of the catalog cluster through the same path as any other run."""
    if CATALOG_ASSISTANT not in runtime.graphs:
        raise UnavailableError("the catalog graph is not served here")
    task = ClusterTask(
        cluster="catalog",
        title=title,
        instructions=f"Run the catalog operation {operation}.",
        parameters={"operation": operation, **parameters},
    )
    return await runs.start(
        runtime,
        thread_id or f"catalog-{operation}-{uuid.uuid4()}",
        CATALOG_ASSISTANT,
        input={"task": task.model_dump(mode="json"), "goal": title},
        context={"operator": by},
        metadata={"catalog_operation": operation, "requested_by": by},
        strategy=strategy,
    )


async def start_export(runtime: Runtime, by: str) -> RunRow:
    """A full export, unless one is already pending or running (a conflict then)."""
    try:
        return await start_catalog_run(
            runtime, "export", "Export the catalog", by, thread_id=EXPORT_THREAD, strategy="reject"
        )
    except ConflictError:
        raise ConflictError("an export is already running") from None


async def request_rollback(runtime: Runtime, services: Services, sync_id: str, by: str) -> RunRow:
    record = await syncs(services).get(sync_id)
    if record is None:
        raise NotFoundError("sync", sync_id)
    if record.direction not in ROLLBACKABLE:
        raise InvalidRequestError(
            f"a {record.direction} sync changed nothing on Shopify; there is nothing to "
            "roll back (revert its pull request instead)"
        )
    return await start_catalog_run(
        runtime, "rollback", f"Roll back sync {sync_id[:8]}", by, sync_id=sync_id
    )


async def decide_conflict(
    runtime: Runtime,
    services: Services,
    conflict_id: str,
    resolution: Resolution,
    value: JsonValue,
    by: str,
) -> tuple[ConflictRecord, RunRow]:
    """Record who chose what (once: a second decision is a 409), audit it, and start the run
    that applies it to both sides."""
    repository = syncs(services)
    conflict = await repository.get_conflict(conflict_id)
    if conflict is None:
        raise NotFoundError("conflict", conflict_id)
    chosen = {Resolution.OURS: conflict.ours, Resolution.THEIRS: conflict.theirs}.get(
        resolution, value
    )
    run_thread = str(uuid.uuid4())
    try:
        decided = await repository.resolve_conflict(
            conflict_id, resolution, chosen, by=by, resolution_sync_id=run_thread
        )
    except ConflictAlreadyResolvedError as exc:
        raise ConflictError(str(exc)) from None
    await services.audit.append(
        AuditEntry(
            event="conflict.resolved",
            actor=by,
            actor_kind=ActorKind.HUMAN,
            cluster="catalog",
            payload={
                "conflict_id": conflict_id,
                "handle": conflict.handle,
                "field": conflict.field,
                "resolution": resolution.value,
                "value": chosen,
                "ours": conflict.ours,
                "theirs": conflict.theirs,
            },
            reasoning=f"{by} chose {resolution.value} for {conflict.handle} {conflict.field}",
            dedupe_key=f"conflict:{conflict_id}:resolved",
        )
    )
    run = await start_catalog_run(
        runtime,
        "resolve",
        f"Apply the resolution of {conflict.handle} {conflict.field}",
        by,
        conflict_id=conflict_id,
    )
    return decided, run
