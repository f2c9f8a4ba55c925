"""Server-sent events for the console: one run's progress, and the live feed across runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from host import runs as host_runs
from server.api.sse import SSE_HEADERS
from server.console.feed import FEED_EVENTS, FeedFilter, feed
from server.console.run_events import relay
from server.console.security import RuntimeDep, Viewer, optional_risk
from server.console.views import render

router = APIRouter()

Filter = Annotated[str | None, Query(max_length=255)]


@router.get("/runs/{run_id}/stream")
async def run_stream(run_id: str, runtime: RuntimeDep, _: Viewer) -> StreamingResponse:
    """The run's answer tokens, plan, steps, actions and interrupts as they happen."""
    run = await host_runs.existing(runtime, None, run_id)
    return StreamingResponse(
        relay(runtime, run), media_type="text/event-stream", headers=SSE_HEADERS
    )


@router.get("/feed", response_class=HTMLResponse)
async def feed_page(
    request: Request,
    user: Viewer,
    cluster: Filter = None,
    risk: Filter = None,
    run: Filter = None,
) -> HTMLResponse:
    return render(
        request,
        "feed.html",
        user,
        filters={"cluster": cluster or "", "risk": optional_risk(risk) or "", "run": run or ""},
    )


@router.get("/feed/stream")
async def feed_stream(
    runtime: RuntimeDep,
    _: Viewer,
    cluster: Filter = None,
    risk: Filter = None,
    run: Filter = None,
    event: Annotated[list[str] | None, Query(description="Only these audit events.")] = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="Only audit ids after this.")] = 0,
) -> StreamingResponse:
    """Autonomous actions and run status changes, newest last, polled from the database."""
    events = tuple(e for e in event or () if e in FEED_EVENTS) or FEED_EVENTS
    wanted = FeedFilter(
        cluster=cluster or None, risk=optional_risk(risk), run=run or None, events=events
    )
    return StreamingResponse(
        feed(runtime.store.database, wanted, after=after),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )
