"""``/api/v1/audit``: the append-only audit log, filtered and paged (newest first)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from server.api.deps import Limit, Offset, ServicesDep, Viewer, paged
from storage import ActorKind, AuditRecord

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditRecord])
async def list_audit(
    services: ServicesDep,
    response: Response,
    _: Viewer,
    event: Annotated[list[str] | None, Query(description="Repeat for several events.")] = None,
    actor: str | None = None,
    actor_kind: ActorKind | None = None,
    cluster: str | None = None,
    thread_id: str | None = None,
    run_id: str | None = None,
    since: Annotated[AwareDatetime | None, Query(description="Inclusive.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Exclusive.")] = None,
    newest_first: bool = True,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AuditRecord]:
    page = await services.audit.list(
        event=event or None,
        actor=actor,
        actor_kind=actor_kind,
        cluster=cluster,
        thread_id=thread_id,
        run_id=run_id,
        since=since,
        until=until,
        newest_first=newest_first,
        limit=limit,
        offset=offset,
    )
    return paged(response, page)
