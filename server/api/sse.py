"""Server-sent events as the LangGraph SDKs read them: named events, ids, heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from host.broker import RunEvent
from host.encoding import dumps

HEARTBEAT_SECONDS = 5.0
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def frame(event: str, data: object, event_id: int | None = None) -> bytes:
    lines = f"event: {event}\r\ndata: {dumps(data)}\r\n"
    if event_id is not None:
        lines += f"id: {event_id}\r\n"
    return (lines + "\r\n").encode()


async def with_heartbeats(
    events: AsyncIterator[RunEvent],
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    on_abandon: Callable[[], Awaitable[None]] | None = None,
    end: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIterator[bytes]:
    """Frame ``events`` (internal ``__*`` events skipped), with a comment every ``heartbeat``
    seconds of silence. ``on_abandon`` runs when the client leaves before the end; ``end``
    supplies the data of a closing ``end`` event."""
    iterator = aiter(events)
    pending: asyncio.Task[RunEvent] | None = None
    finished = False
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=heartbeat)
            if not done:
                yield b": heartbeat\r\n\r\n"
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                break
            finally:
                pending = None
            if event.event.startswith("__"):
                continue
            yield frame(event.event, event.data, event.id)
        finished = True
        if end is not None:
            yield frame("end", await end())
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        if not finished and on_abandon is not None:
            await on_abandon()
