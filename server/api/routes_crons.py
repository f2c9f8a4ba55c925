"""Crons: ``/runs/crons`` (stateless: a new thread per run) and ``/threads/{id}/runs/crons``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from host import crons
from host.models import CronCreate, CronPatch, CronSearch
from server.api.deps import RuntimeDep, paginated

router = APIRouter()


@router.post("/runs/crons")
async def create_cron(body: CronCreate, runtime: RuntimeDep) -> dict[str, Any]:
    return await crons.create(runtime, None, body)


@router.post("/threads/{thread_id}/runs/crons")
async def create_thread_cron(
    thread_id: str, body: CronCreate, runtime: RuntimeDep
) -> dict[str, Any]:
    return await crons.create(runtime, thread_id, body)


@router.post("/runs/crons/search")
async def search_crons(
    body: CronSearch, runtime: RuntimeDep, response: Response
) -> list[dict[str, Any]]:
    found, total = await crons.search(runtime, body)
    return paginated(response, found, offset=body.offset, total=total)


@router.post("/runs/crons/count")
async def count_crons(body: CronSearch, runtime: RuntimeDep) -> int:
    _, total = await crons.search(runtime, body.model_copy(update={"limit": 1}))
    return total


@router.patch("/runs/crons/{cron_id}")
async def update_cron(cron_id: str, body: CronPatch, runtime: RuntimeDep) -> dict[str, Any]:
    return await crons.update(runtime, cron_id, body)


@router.delete("/runs/crons/{cron_id}", status_code=204)
async def delete_cron(cron_id: str, runtime: RuntimeDep) -> Response:
    await crons.delete(runtime, cron_id)
    return Response(status_code=204)
