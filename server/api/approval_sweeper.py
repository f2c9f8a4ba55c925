"""Expire overdue approvals and resume their threads down the reject path, from the API process.

Expiring is one conditional UPDATE that returns exactly the rows it changed, so with several API
processes each overdue approval is resumed once. The resume is a run like any other (workers
execute it, clients can stream it), created as the ``system`` principal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from pydantic import BaseModel

from server.api.auth import SYSTEM, acting_as
from server.api.runtime import ApiRuntime
from server.api.v1_common import start_run
from storage import ApprovalRecord

logger = logging.getLogger(__name__)


class Expired(BaseModel):
    """An approval the sweep expired, and the run resuming its thread (``None``: not served)."""

    approval: ApprovalRecord
    run_id: str | None


async def sweep_once(runtime: ApiRuntime, now: datetime | None = None) -> list[Expired]:
    """Expire what is overdue at ``now`` and start the runs that resume those threads."""
    if runtime.services is None:
        return []
    swept: list[Expired] = []
    for record in await runtime.services.approvals.expire_due(now):
        thread = await runtime.store.get_thread(record.thread_id)
        assistant_id = None if thread is None else thread.metadata.get("assistant_id")
        if not isinstance(assistant_id, str) or assistant_id not in runtime.graphs:
            logger.warning("approval %s expired; its thread cannot be resumed here", record.id)
            swept.append(Expired(approval=record, run_id=None))
            continue
        with acting_as(SYSTEM):
            run = await start_run(
                runtime,
                record.thread_id,
                assistant_id,
                resume={record.interrupt_id: {"decision": "expire"}},
                metadata={"approval_id": record.id, "decided_by": SYSTEM.subject},
            )
        swept.append(Expired(approval=record, run_id=run.run_id))
    return swept


async def _loop(runtime: ApiRuntime, every: float) -> None:
    while True:
        try:
            expired = await sweep_once(runtime)
            if expired:
                logger.info("expired %d approval(s)", len(expired))
        except Exception:  # a failed sweep must not stop the next one
            logger.exception("approval sweep failed")
        await asyncio.sleep(every)


@asynccontextmanager
async def sweeping(runtime: ApiRuntime) -> AsyncIterator[None]:
    """Sweep every ``ROYAL_APPROVAL_SWEEP_SECONDS`` while the API runs."""
    if runtime.services is None:
        yield
        return
    task = asyncio.create_task(
        _loop(runtime, runtime.settings.royal_approval_sweep_seconds), name="approval-sweeper"
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
