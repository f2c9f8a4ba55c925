"""Thread life cycle that spans the tables and the checkpointer: deleting, pruning, expiring.

A deleted thread can never be resumed, so its pending approvals are closed with the reason
(never left PENDING, never decidable into a void), then its row and checkpoints go. As the
reference server does, deleting a busy thread first cancels its runs (queued and running) and
waits for them to stop, so no worker writes a checkpoint after the thread is gone.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import timedelta
from typing import Literal

from host import runs
from host.approvals import close_for_deleted_thread
from host.identity import SYSTEM, Principal, acting_as, current_principal
from host.periodic import every
from host.runtime import Runtime
from storage import checkpoints

logger = logging.getLogger(__name__)

CANCEL_WAIT_SECONDS = 15.0
"""How long a delete waits for its thread's cancelled runs to stop before deleting anyway."""
PruneStrategy = Literal["delete", "keep_latest"]


async def delete(runtime: Runtime, thread_id: str, principal: Principal | None = None) -> None:
    """Cancel the thread's runs, close its approvals, then delete its row and checkpoints."""
    await runtime.thread(thread_id)
    await cancel_inflight(runtime, thread_id)
    await remove(runtime, thread_id, principal or current_principal() or SYSTEM)


async def cancel_inflight(runtime: Runtime, thread_id: str) -> None:
    """Cancel the thread's queued and running runs; wait (bounded) until none is in flight."""
    for run in await runtime.store.inflight_runs(thread_id=thread_id):
        await runs.cancel(runtime, run, "interrupt")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CANCEL_WAIT_SECONDS
    while await runtime.store.thread_has_inflight(thread_id):
        if loop.time() > deadline:
            logger.warning("thread %s: a cancelled run is still running; deleting", thread_id)
            return
        await asyncio.sleep(0.05)


async def remove(runtime: Runtime, thread_id: str, principal: Principal) -> None:
    """Remove a thread whose runs are done (also a stateless run's temporary thread)."""
    await close_for_deleted_thread(runtime, thread_id, principal)
    await runtime.store.delete_thread(thread_id)
    await runtime.checkpointer.adelete_thread(thread_id)
    if runtime.thread_events is not None:
        await runtime.thread_events.forget(thread_id)


async def prune(runtime: Runtime, thread_ids: list[str], strategy: PruneStrategy) -> int:
    """``POST /threads/prune``: delete the threads, or keep them with only their latest
    checkpoint; unknown ids are skipped. Returns how many were pruned."""
    found = [tid for tid in dict.fromkeys(thread_ids) if await runtime.store.get_thread(tid)]
    if strategy == "keep_latest":
        for thread_id in found:
            await cancel_inflight(runtime, thread_id)
        if found:
            await checkpoints.keep_latest(runtime.checkpointer, found)
        return len(found)
    for thread_id in found:
        await delete(runtime, thread_id)
    return len(found)


async def sweep_once(runtime: Runtime) -> int:
    """Delete the threads idle past ``ROYAL_THREAD_TTL_MINUTES``; how many were deleted."""
    ttl = runtime.settings.royal_thread_ttl_minutes
    if ttl is None:
        return 0
    cutoff = runtime.store.clock() - timedelta(minutes=ttl)
    deleted = 0
    while expired := await runtime.store.idle_threads(cutoff):
        for thread_id in expired:
            await remove(runtime, thread_id, SYSTEM)
            deleted += 1
    if deleted:
        logger.info("thread TTL: deleted %d thread(s) idle for over %s min", deleted, ttl)
    return deleted


async def _sweep(runtime: Runtime) -> None:
    with acting_as(SYSTEM):
        await sweep_once(runtime)


def sweeping(runtime: Runtime) -> AbstractAsyncContextManager[None]:
    """The thread TTL sweeper, while the block runs (nothing when no TTL is set)."""
    if runtime.settings.royal_thread_ttl_minutes is None:
        return nullcontext()
    seconds = runtime.settings.royal_thread_sweep_seconds
    return every(seconds, lambda: _sweep(runtime), "thread-ttl-sweeper")
