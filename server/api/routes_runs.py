"""Runs on threads and stateless runs: create, stream, wait, join, cancel, list, get, delete."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, HTTPException, Query, Response
from fastapi.responses import StreamingResponse

from host import runs as host_runs
from host.broker import RunEvent
from host.encoding import dumps
from host.identity import current_principal
from host.models import MAX_OFFSET, CancelAction, RunCreate, RunsCancel, RunStatus
from host.runs import TERMINAL
from host.runtime import Runtime
from policies.risk import Role
from server.api import auth
from server.api.deps import RuntimeDep
from server.api.sse import HEARTBEAT_SECONDS, SSE_HEADERS, with_heartbeats
from storage.runs import RunRow, api_status

router = APIRouter()


def _thread_path(run: RunRow) -> str:
    """Where a stateless run's thread is: kept when the run stops at an interrupt, so that the
    approval it raised can be decided (otherwise deleted when the run ends). Percent-encoded:
    a header carries Latin-1 only, and any thread id is a valid path segment."""
    return f"/threads/{quote(run.thread_id, safe='')}"


def _run_path(run: RunRow, stateless: bool) -> str:
    run_id = quote(run.run_id, safe="")
    return f"/runs/{run_id}" if stateless else f"{_thread_path(run)}/runs/{run_id}"


def _stream_response(
    runtime: Runtime,
    run: RunRow,
    *,
    stateless: bool,
    after: int | None = None,
    modes: list[str] | None = None,
    cancel_on_disconnect: bool = False,
) -> StreamingResponse:
    async def end() -> dict[str, Any]:
        finished = await runtime.store.get_run(run.run_id)
        status = None if finished is None else api_status(finished.status)
        return {"run_id": run.run_id, "status": status}

    async def abandon() -> None:
        if cancel_on_disconnect:
            latest = await runtime.store.get_run(run.run_id)
            if latest is not None and latest.status not in TERMINAL:
                await host_runs.cancel(runtime, latest)

    events = host_runs.events(runtime, run, after)
    if modes:
        events = _only(events, modes)
    headers = {**SSE_HEADERS, "Content-Location": _run_path(run, stateless)}
    headers["Location"] = _thread_path(run) if stateless else f"{_run_path(run, stateless)}/stream"
    return StreamingResponse(
        with_heartbeats(events, on_abandon=abandon, end=end),
        media_type="text/event-stream",
        headers=headers,
    )


async def _only(events: AsyncIterator[RunEvent], modes: list[str]) -> AsyncIterator[RunEvent]:
    wanted = {"messages" if mode == "messages-tuple" else mode for mode in modes}
    async for event in events:
        base = event.event.split("|", 1)[0].split("/", 1)[0]  # messages/partial: messages
        if base in wanted or base in ("metadata", "error") or event.event.startswith("__"):
            yield event


async def _wait_response(runtime: Runtime, run: RunRow, *, stateless: bool) -> Response:
    """The final values. A run that ends within a heartbeat interval is answered as a plain
    JSON response; a longer one gets a streamed response that sends a newline every few
    seconds (so proxies keep the request open) and the values when the run ends."""
    path = _run_path(run, stateless)
    headers = {"Content-Location": path}
    headers["Location"] = _thread_path(run) if stateless else f"{path}/join"
    task = asyncio.ensure_future(host_runs.result(runtime, run))
    try:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_SECONDS)
    except asyncio.CancelledError:
        await _stop(task)
        raise
    if done:
        return Response(dumps(task.result()), media_type="application/json", headers=headers)

    async def body() -> AsyncIterator[bytes]:
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_SECONDS)
                if done:
                    break
                yield b"\n"
            yield dumps(task.result()).encode()
        finally:
            await _stop(task)

    return StreamingResponse(body(), media_type="application/json", headers=headers)


async def _stop(task: asyncio.Future[Any]) -> None:
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --- stateful runs -------------------------------------------------------------------------
@router.post("/threads/{thread_id}/runs")
async def create_run(
    thread_id: str, body: RunCreate, runtime: RuntimeDep, response: Response
) -> dict[str, Any]:
    run = await host_runs.create(runtime, thread_id, body)
    response.headers["Content-Location"] = _run_path(run, False)
    return run.to_api()


@router.post("/threads/{thread_id}/runs/stream")
async def stream_run(thread_id: str, body: RunCreate, runtime: RuntimeDep) -> StreamingResponse:
    run = await host_runs.create(runtime, thread_id, body)
    return _stream_response(
        runtime,
        run,
        stateless=False,
        cancel_on_disconnect=body.on_disconnect == "cancel",
    )


@router.post("/threads/{thread_id}/runs/wait")
async def wait_run(thread_id: str, body: RunCreate, runtime: RuntimeDep) -> Response:
    run = await host_runs.create(runtime, thread_id, body)
    return await _wait_response(runtime, run, stateless=False)


@router.get("/threads/{thread_id}/runs")
async def list_runs(
    thread_id: str,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    status: RunStatus | None = None,
) -> list[dict[str, Any]]:
    await runtime.thread(thread_id)
    runs = await runtime.store.list_runs(thread_id, limit=limit, offset=offset, status=status)
    return [run.to_api() for run in runs]


@router.get("/threads/{thread_id}/runs/{run_id}")
async def get_run(thread_id: str, run_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    return (await host_runs.existing(runtime, thread_id, run_id)).to_api()


@router.delete("/threads/{thread_id}/runs/{run_id}", status_code=204)
async def delete_run(thread_id: str, run_id: str, runtime: RuntimeDep) -> Response:
    run = await host_runs.existing(runtime, thread_id, run_id)
    if run.status not in TERMINAL:
        raise HTTPException(
            status_code=409, detail=f"run {run_id} is {run.status}; cancel it first"
        )
    await runtime.store.delete_run(run_id)
    return Response(status_code=204)


@router.get("/threads/{thread_id}/runs/{run_id}/join")
async def join_run(thread_id: str, run_id: str, runtime: RuntimeDep) -> Response:
    run = await host_runs.existing(runtime, thread_id, run_id)
    return await _wait_response(runtime, run, stateless=False)


def _parse_modes(values: list[str]) -> list[str]:
    """``stream_mode=a&stream_mode=b`` or one JSON array (the reference accepts both)."""
    modes: list[str] = []
    for value in values:
        if not value:  # the Python SDK sends ``stream_mode=`` when it has none
            continue
        if value.startswith("["):
            try:
                parsed = json.loads(value)
            except ValueError:
                raise HTTPException(status_code=422, detail="stream_mode: bad JSON") from None
            if not isinstance(parsed, list) or not all(isinstance(m, str) for m in parsed):
                raise HTTPException(status_code=422, detail="stream_mode: expected strings")
            modes += parsed
        else:
            modes.append(value)
    return modes


@router.get("/threads/{thread_id}/runs/{run_id}/stream")
async def join_stream(
    thread_id: str,
    run_id: str,
    runtime: RuntimeDep,
    stream_mode: Annotated[list[str] | None, Query()] = None,
    cancel_on_disconnect: bool = False,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    run = await host_runs.existing(runtime, thread_id, run_id)
    after: int | None = None
    if last_event_id:
        try:
            after = int(last_event_id)
        except ValueError:
            raise HTTPException(
                status_code=422, detail="Last-Event-ID must be an event id"
            ) from None
    return _stream_response(
        runtime,
        run,
        stateless=False,
        after=after,
        modes=_parse_modes(stream_mode or []),
        cancel_on_disconnect=cancel_on_disconnect,
    )


@router.post("/threads/{thread_id}/runs/{run_id}/cancel", response_model=None)
async def cancel(
    thread_id: str,
    run_id: str,
    runtime: RuntimeDep,
    wait: bool = False,
    action: CancelAction = "interrupt",
) -> Response:
    run = await host_runs.existing(runtime, thread_id, run_id)
    if run.status not in TERMINAL:
        await host_runs.cancel(runtime, run, action)
    if wait:
        return await _wait_response(runtime, run, stateless=False)
    return Response(status_code=202, headers={"Content-Location": _run_path(run, False)})


@router.post("/runs/cancel", status_code=204)
async def cancel_many(
    body: RunsCancel, runtime: RuntimeDep, action: CancelAction = "interrupt"
) -> Response:
    """Cancel the in-flight runs of a thread (or the listed ones), or all with a status.

    Cancelling by status reaches every thread on the server: admins only.
    """
    principal = current_principal()
    if body.thread_id is None and principal is not None and not principal.has(Role.ADMIN):
        raise auth.forbidden(principal, "cancel runs across threads (needs admin)")
    if body.thread_id is not None:
        await runtime.thread(body.thread_id)
        found = await runtime.store.inflight_runs(thread_id=body.thread_id, run_ids=body.run_ids)
    else:
        found = await runtime.store.inflight_runs(status=body.status or "all")
    for run in found:
        await host_runs.cancel(runtime, run, action)
    return Response(status_code=204)


# --- stateless runs ------------------------------------------------------------------------
@router.post("/runs/stream")
async def stream_stateless(body: RunCreate, runtime: RuntimeDep) -> StreamingResponse:
    run = await host_runs.create(runtime, None, body, stateless=True)
    return _stream_response(
        runtime, run, stateless=True, cancel_on_disconnect=body.on_disconnect == "cancel"
    )


@router.post("/runs/wait")
async def wait_stateless(body: RunCreate, runtime: RuntimeDep) -> Response:
    run = await host_runs.create(runtime, None, body, stateless=True)
    return await _wait_response(runtime, run, stateless=True)


@router.post("/runs")
async def create_stateless(
    body: RunCreate, runtime: RuntimeDep, response: Response
) -> dict[str, Any]:
    run = await host_runs.create(runtime, None, body, stateless=True)
    response.headers["Content-Location"] = _run_path(run, True)
    return run.to_api()
