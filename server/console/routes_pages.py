"""Read-only pages: the dashboard, threads with their checkpoints and runs, a run, policies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from server.api import routes_v1_agents, routes_v1_ceo
from server.api.state import thread_state
from server.console.health import business_health
from server.console.routes_approvals import services_of
from server.console.run_events import TERMINAL
from server.console.security import RuntimeDep, Viewer
from server.console.views import render
from storage import ApprovalStatus

router = APIRouter()

THREADS_PAGE = 25
HISTORY_LIMIT = 50
AUTONOMOUS = ("LOW", "MEDIUM")


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, runtime: RuntimeDep, user: Viewer) -> HTMLResponse:
    services = services_of(runtime)
    principal = user.principal
    figures = await routes_v1_ceo.dashboard(runtime=runtime, services=services, _=principal)
    agents = await routes_v1_agents.list_agents(runtime=runtime, services=services, _=principal)
    pending = await services.approvals.list(status=ApprovalStatus.PENDING, limit=5)
    recent = await services.audit.list(event="action.executed", limit=30)
    actions = [entry for entry in recent.items if entry.risk_level in AUTONOMOUS][:8]
    return render(
        request,
        "dashboard.html",
        user,
        figures=figures,
        agents=agents,
        healthy=sum(1 for agent in agents if agent.metrics.errors == 0),
        pending=pending.items,
        actions=actions,
        health=await business_health(services),
        now=services.clock(),
    )


@router.get("/threads", response_class=HTMLResponse)
async def threads_page(
    request: Request,
    runtime: RuntimeDep,
    user: Viewer,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    threads, total = await runtime.store.search_threads(
        metadata=None,
        values=None,
        ids=None,
        status=None,
        sort_by="updated_at",
        sort_order="desc",
        limit=THREADS_PAGE,
        offset=(page - 1) * THREADS_PAGE,
    )
    return render(
        request,
        "threads.html",
        user,
        threads=threads,
        total=total,
        page=page,
        pages=max(1, -(-total // THREADS_PAGE)),
    )


async def _history(runtime: Any, graph_id: str | None, thread_id: str) -> list[dict[str, Any]]:
    served = runtime.graphs.get(graph_id or "")
    if served is None:
        return []
    config = {"configurable": {"thread_id": thread_id}}
    return [
        thread_state(snapshot)
        async for snapshot in served.graph.aget_state_history(config, limit=HISTORY_LIMIT)
    ]


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
async def thread_page(
    request: Request, thread_id: str, runtime: RuntimeDep, user: Viewer
) -> HTMLResponse:
    thread = await runtime.store.get_thread(thread_id)
    if thread is None:
        raise HTTPException(status_code=404, detail=f"thread {thread_id} not found")
    runs = await runtime.store.list_runs(thread_id, limit=50, offset=0, status=None)
    graph_id = thread.metadata.get("graph_id")
    return render(
        request,
        "thread.html",
        user,
        thread=thread,
        runs=runs,
        history=await _history(runtime, graph_id if isinstance(graph_id, str) else None, thread_id),
    )


@router.get("/threads/{thread_id}/runs/{run_id}", response_class=HTMLResponse)
async def run_page(
    request: Request, thread_id: str, run_id: str, runtime: RuntimeDep, user: Viewer
) -> HTMLResponse:
    run = await runtime.store.get_run(run_id, thread_id)
    if run is None:
        raise HTTPException(status_code=404, detail=f"run {run_id} not found")
    services = services_of(runtime)
    audit = await services.audit.list(run_id=run_id, newest_first=False, limit=200)
    return render(
        request,
        "run.html",
        user,
        run=run,
        audit=audit.items,
        live=run.status not in TERMINAL or runtime.broker.known(run_id),
    )


@router.get("/policies", response_class=HTMLResponse)
async def policies_page(request: Request, runtime: RuntimeDep, user: Viewer) -> HTMLResponse:
    """The rules and thresholds in force (read-only for everyone: edit the policy file)."""
    from policies.docs import policy_tables

    services = services_of(runtime)
    return render(
        request,
        "policies.html",
        user,
        tables=policy_tables(services.policy.policy),
        source=str(services.settings.royal_policy_file or "the shipped default policy"),
    )
