"""Dead-lettered runs: list them, retry one, discard one — the operator's side of the queue.

A run is dead after ``ROYAL_RUN_MAX_ATTEMPTS`` failed attempts (``host.failures``). Retrying
puts it back to pending with its failures forgotten; a worker resumes it from its thread's
last checkpoint (ahead of the thread's later queued runs). Discarding keeps it ``dead`` but
takes it off the list for good. Both are written to the audit log with who did it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from host.errors import ConflictError
from host.runs import existing
from host.runtime import Runtime
from storage.audit import AuditEntry, AuditLog
from storage.enums import ActorKind
from storage.pagination import Page
from storage.runs import DEAD, RunRow


class DeadRun(BaseModel):
    """A dead run as an operator sees it: where it ran, how often it failed, and why."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    thread_id: str
    assistant_id: str
    status: str = Field(description="``dead`` (the LangGraph API reports it as ``error``).")
    failed_attempts: int = Field(description="Attempts that crashed or failed transiently.")
    attempts: int = Field(description="Times a worker started it, retries by hand included.")
    error_class: str | None = Field(description="The last error's class, e.g. ``WorkerLost``.")
    error: str | None = Field(description="The last error's message.")
    created_at: datetime
    dead_at: datetime = Field(description="When its last attempt failed.")
    discarded_at: datetime | None = None

    @classmethod
    def of(cls, run: RunRow) -> DeadRun:
        error: dict[str, Any] = run.error if isinstance(run.error, dict) else {}
        return cls(
            run_id=run.run_id,
            thread_id=run.thread_id,
            assistant_id=run.assistant_id,
            status=run.status,
            failed_attempts=run.failed_attempts,
            attempts=run.attempt,
            error_class=error.get("error"),
            error=error.get("message"),
            created_at=run.created_at,
            dead_at=run.updated_at,
            discarded_at=run.discarded_at,
        )


async def listing(
    runtime: Runtime, *, limit: int = 50, offset: int = 0, discarded: bool = False
) -> Page[DeadRun]:
    """Dead runs, most recently dead first (``discarded``: the discarded ones instead)."""
    page = await runtime.store.dead_runs(limit=limit, offset=offset, discarded=discarded)
    return Page(
        items=[DeadRun.of(run) for run in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


async def retry(runtime: Runtime, run_id: str, actor: str) -> RunRow:
    """Run a dead run again; ``NotFoundError``, or ``ConflictError`` if it is not dead."""
    run = await existing(runtime, None, run_id)
    revived = await runtime.store.revive_run(run_id)
    if revived is None:
        raise ConflictError(_refusal(await existing(runtime, None, run_id), "retried"))
    await runtime.broker.reopen(run_id)  # its old events (its error) are not this attempt's
    runtime.workers.wake()
    await _audit(runtime, "run.retried", actor, run, "retried by hand: runs again")
    return revived


async def discard(runtime: Runtime, run_id: str, actor: str, reason: str | None = None) -> RunRow:
    """Take a dead run off the list for good; ``NotFoundError`` or ``ConflictError``."""
    run = await existing(runtime, None, run_id)
    discarded = await runtime.store.discard_run(run_id)
    if discarded is None:
        raise ConflictError(_refusal(await existing(runtime, None, run_id), "discarded"))
    await _audit(runtime, "run.discarded", actor, run, reason or "discarded by hand")
    return discarded


def _refusal(run: RunRow, verb: str) -> str:
    if run.status == DEAD and run.discarded_at is not None:
        return f"run {run.run_id} was discarded: it stays dead and cannot be {verb}"
    return f"run {run.run_id} is {run.status}, not dead: only a dead run can be {verb}"


async def _audit(runtime: Runtime, event: str, actor: str, run: RunRow, reasoning: str) -> None:
    await AuditLog(runtime.store.database, clock=runtime.store.clock).append(
        AuditEntry(
            event=event,
            actor=actor,
            actor_kind=ActorKind.HUMAN,
            thread_id=run.thread_id,
            run_id=run.run_id,
            payload={"error": run.error, "failed_attempts": run.failed_attempts},
            reasoning=reasoning,
        )
    )
