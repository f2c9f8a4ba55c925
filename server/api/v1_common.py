"""What the domain API (/api/v1) routes share: the services, paging, starting runs."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Query, Response

from nodes.services import Services
from server.api.deps import RuntimeDep
from server.api.models import MAX_OFFSET, CommandSpec, RunCreate
from server.api.repository import RunRow
from server.api.runtime import ApiRuntime
from storage import Page

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]


def services_of(runtime: RuntimeDep) -> Services:
    if runtime.services is None:
        raise HTTPException(
            status_code=503, detail="the domain API needs this project's graphs to be served"
        )
    return runtime.services


async def _services(runtime: RuntimeDep) -> Services:
    return services_of(runtime)


ServicesDep = Annotated[Services, Depends(_services)]


def paged(response: Response, page: Page[T]) -> list[T]:
    """The page's items, with the total (and the next offset) in headers like thread search."""
    response.headers["X-Pagination-Total"] = str(page.total)
    if page.has_more:
        response.headers["X-Pagination-Next"] = str(page.offset + len(page.items))
    return page.items


async def start_run(
    runtime: ApiRuntime,
    thread_id: str,
    assistant_id: str,
    *,
    input: Any = None,
    resume: Any = None,
    context: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    strategy: str = "enqueue",
) -> RunRow:
    """A background run through the same path as ``POST /threads/{id}/runs``: workers run it
    and any client can join or stream it."""
    from server.api import routes_runs  # the runs module imports this package's routers

    body = RunCreate.model_validate(
        {
            "assistant_id": assistant_id,
            "input": input,
            "context": context,
            "metadata": metadata,
            "multitask_strategy": strategy,
            "if_not_exists": "create",
            # what the console's run view shows: steps inside the clusters and answer tokens
            "stream_mode": ["values", "updates", "messages-tuple", "custom"],
            "stream_subgraphs": True,
        }
    )
    if resume is not None:
        body = body.model_copy(update={"command": CommandSpec(resume=resume)})
    return await routes_runs.create(runtime, thread_id, body)
