"""The request dependencies of the HTTP API, as ``Annotated`` aliases: the runtime, this
project's services, the caller by role, and paging. Lookups that answer 404 live in the runtime
(``Runtime.thread``, ``Runtime.served``, ``host.runs.existing``) and raise ``HostError``s, which
``server.api.errors`` turns into status codes."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request, Response

from host.identity import Principal
from host.models import MAX_OFFSET
from host.runtime import Runtime
from nodes.services import Services
from policies.risk import Role
from server.api.auth import require
from storage import Page

T = TypeVar("T")


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def _services(runtime: RuntimeDep) -> Services:
    return runtime.require_services()


ServicesDep = Annotated[Services, Depends(_services)]

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Approver = Annotated[Principal, Depends(require(Role.APPROVER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]

Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]


def paginated(response: Response, items: list[T], *, offset: int, total: int) -> list[T]:
    """``items``, with the search's total (and the next offset, when there is more) in the
    headers the LangGraph SDK reads."""
    response.headers["X-Pagination-Total"] = str(total)
    if offset + len(items) < total:
        response.headers["X-Pagination-Next"] = str(offset + len(items))
    return items


def paged(response: Response, page: Page[T]) -> list[T]:
    """The page's items, with the total (and the next offset) in headers like thread search."""
    return paginated(response, page.items, offset=page.offset, total=page.total)
