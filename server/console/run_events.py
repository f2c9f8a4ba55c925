"""A run's events, reduced to what the console draws: answer tokens, the plan, cluster steps,
actions, interrupts and the end (status, final answer, approvals left waiting)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from host.broker import RunEvent
from host.progress import outcome, progress_events
from host.runs import events as run_events
from host.runtime import Runtime
from server.api.sse import frame
from server.console.views import markdown_html
from storage.runs import RunRow


async def run_end(runtime: Runtime, run_id: str) -> dict[str, Any]:
    """The run's outcome, with the answer rendered for the page."""
    ended: dict[str, Any] = (await outcome(runtime, run_id)).model_dump(mode="json")
    answer = ended["answer"]
    ended["answer_html"] = None if answer is None else markdown_html(answer)
    return ended


async def relay(runtime: Runtime, run: RunRow) -> AsyncIterator[bytes]:
    """SSE frames for the console, ending with an ``end`` frame."""
    from server.api.sse import with_heartbeats

    async for chunk in with_heartbeats(_converted(run_events(runtime, run))):
        yield chunk
    yield frame("end", await run_end(runtime, run.run_id))


async def _converted(events: AsyncIterator[RunEvent]) -> AsyncIterator[RunEvent]:
    async for event in events:
        for name, data in progress_events(event):
            yield RunEvent(event.id, name, data)
