"""Request dependencies: the runtime, and lookups that answer 404 for unknown ids."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.api.errors import not_found
from server.api.graphs import ServedGraph
from server.api.repository import RunRow, ThreadRow
from server.api.runtime import ApiRuntime


async def get_runtime(request: Request) -> ApiRuntime:
    runtime: ApiRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ApiRuntime, Depends(get_runtime)]


def served_graph(runtime: ApiRuntime, assistant_id: str) -> ServedGraph:
    served = runtime.graphs.get(assistant_id)
    if served is None:
        raise not_found("assistant", assistant_id)
    return served


async def existing_thread(runtime: ApiRuntime, thread_id: str) -> ThreadRow:
    thread = await runtime.store.get_thread(thread_id)
    if thread is None:
        raise not_found("thread", thread_id)
    return thread


async def existing_run(runtime: ApiRuntime, thread_id: str | None, run_id: str) -> RunRow:
    run = await runtime.store.get_run(run_id, thread_id)
    if run is None:
        raise not_found("run", run_id)
    return run
