"""``/api/v1/ceo``: set goals (a CEO run), list goals and decisions, the dashboard's figures.

Store revenue and orders are not in the dashboard: the Shopify client the agents use has no
order queries yet, and a figure we cannot compute would only be a guess.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from host import overview, runs
from host.errors import UnavailableError
from host.overview import Dashboard
from server.api.deps import Limit, Offset, Operator, RuntimeDep, ServicesDep, Viewer, paged
from storage import AuditEvent, AuditRecord, GoalRecord, GoalStatus

router = APIRouter(prefix="/ceo", tags=["ceo"])

CEO_ASSISTANT = "ceo"
DECISION_EVENTS = (AuditEvent.APPROVAL_DECIDED.value, AuditEvent.APPROVAL_EXPIRED.value)


class GoalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000, pattern=r"\S", examples=["Raise AOV 5%"])
    thread_id: str | None = Field(
        default=None, min_length=1, max_length=255, description="Default: a new thread."
    )


class GoalStarted(BaseModel):
    """The CEO works on the goal in a background run; it records the goal when it plans."""

    thread_id: str
    run_id: str
    assistant_id: str


@router.post("/goals", status_code=202)
async def set_goal(body: GoalCreate, runtime: RuntimeDep, principal: Operator) -> GoalStarted:
    """Tell the CEO a goal: it plans, delegates to clusters and asks for approvals as needed."""
    if CEO_ASSISTANT not in runtime.graphs:
        raise UnavailableError("the ceo graph is not served here")
    thread_id = body.thread_id or str(uuid.uuid4())
    run = await runs.start(
        runtime,
        thread_id,
        CEO_ASSISTANT,
        input={"messages": [{"role": "human", "content": body.text}]},
        context={"operator": principal.subject},
        metadata={"goal_set_by": principal.subject},
    )
    return GoalStarted(thread_id=run.thread_id, run_id=run.run_id, assistant_id=CEO_ASSISTANT)


@router.get("/goals", response_model=list[GoalRecord])
async def list_goals(
    services: ServicesDep,
    response: Response,
    _: Viewer,
    status: GoalStatus | None = None,
    thread_id: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[GoalRecord]:
    page = await services.goals.list(status=status, thread_id=thread_id, limit=limit, offset=offset)
    return paged(response, page)


@router.get("/decisions", response_model=list[AuditRecord])
async def list_decisions(
    services: ServicesDep,
    response: Response,
    _: Viewer,
    cluster: str | None = None,
    actor: Annotated[str | None, Query(description="Who decided.")] = None,
    since: AwareDatetime | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[AuditRecord]:
    """Approval decisions and expiries from the audit log, newest first."""
    page = await services.audit.list(
        event=DECISION_EVENTS,
        cluster=cluster,
        actor=actor,
        since=since,
        limit=limit,
        offset=offset,
    )
    return paged(response, page)


@router.get("/dashboard")
async def dashboard(runtime: RuntimeDep, _: Viewer) -> Dashboard:
    """Pending approvals and the oldest one's age, today's runs (UTC) by status, active goals."""
    return await overview.dashboard(runtime)
