"""Thread life cycle that spans the tables and the checkpointer: deleting a thread.

A deleted thread can never be resumed, so its pending approvals are closed with the reason
(never left PENDING, never decidable into a void), then its row and checkpoints go.
"""

from __future__ import annotations

from host.approvals import close_for_deleted_thread
from host.errors import ConflictError
from host.identity import SYSTEM, Principal, current_principal
from host.runtime import Runtime


async def delete(runtime: Runtime, thread_id: str, principal: Principal | None = None) -> None:
    """Delete a thread with nothing in flight: close its approvals, then its row and checkpoints."""
    await runtime.thread(thread_id)
    if await runtime.store.thread_has_inflight(thread_id):
        raise ConflictError(f"thread {thread_id} has a run in flight")
    await remove(runtime, thread_id, principal or current_principal() or SYSTEM)


async def remove(runtime: Runtime, thread_id: str, principal: Principal) -> None:
    """Remove a thread whose runs are done (also a stateless run's temporary thread)."""
    await close_for_deleted_thread(runtime, thread_id, principal)
    await runtime.store.delete_thread(thread_id)
    await runtime.checkpointer.adelete_thread(thread_id)
    if runtime.thread_events is not None:
        await runtime.thread_events.forget(thread_id)
