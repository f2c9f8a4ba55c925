"""``/api/v1/runs``: the dead-letter list of the run queue (``host.dead_runs``).

Viewers list dead runs; operators (and above) retry one — it runs again from its thread's last
checkpoint — or discard one (it stays ``dead``, off the list). ``409`` answers a run that is not
dead (or was discarded), ``404`` an unknown run.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from host import dead_runs
from host.dead_runs import DeadRun
from server.api.deps import Limit, Offset, Operator, RuntimeDep, Viewer, paged

router = APIRouter(prefix="/runs", tags=["runs"])


class DiscardBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=4000, description="For the audit log.")


class Retried(BaseModel):
    """The run is pending again; follow it like any run (``/threads/{thread_id}/runs/...``)."""

    run_id: str
    thread_id: str
    status: str


@router.get("/dead", response_model=list[DeadRun])
async def list_dead(
    runtime: RuntimeDep,
    response: Response,
    _: Viewer,
    discarded: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[DeadRun]:
    """Dead runs, most recently dead first (``discarded=true``: the discarded ones)."""
    page = await dead_runs.listing(runtime, limit=limit, offset=offset, discarded=discarded)
    return paged(response, page)


@router.post("/{run_id}/retry", status_code=202)
async def retry(run_id: str, runtime: RuntimeDep, principal: Operator) -> Retried:
    """Put a dead run back in the queue with its failed attempts reset."""
    run = await dead_runs.retry(runtime, run_id, principal.subject)
    return Retried(run_id=run.run_id, thread_id=run.thread_id, status=run.status)


@router.post("/{run_id}/discard")
async def discard(
    run_id: str, runtime: RuntimeDep, principal: Operator, body: DiscardBody | None = None
) -> DeadRun:
    """Give up on a dead run for good (recorded in the audit log with ``reason``)."""
    reason = None if body is None else body.reason
    run = await dead_runs.discard(runtime, run_id, principal.subject, reason)
    return DeadRun.of(run)
