"""Pages: the dashboard, threads with their checkpoints and runs, a run, policies (admins edit)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from host import overview
from host import runs as host_runs
from host.runs import TERMINAL
from host.runtime import Runtime
from host.state import thread_state
from policies.risk import Role
from server.console.health import business_health
from server.console.security import AdminWrite, ConsoleUser, RuntimeDep, Viewer
from server.console.support_card import support_card
from server.console.views import render
from storage import ApprovalStatus, AuditEvent

router = APIRouter()

THREADS_PAGE = 25
HISTORY_LIMIT = 50
AUTONOMOUS = ("LOW", "MEDIUM")


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, runtime: RuntimeDep, user: Viewer) -> HTMLResponse:
    services = runtime.require_services()
    figures = await overview.dashboard(runtime)
    agents = await overview.agents(runtime)
    pending = await services.approvals.list(status=ApprovalStatus.PENDING, limit=5)
    recent = await services.audit.list(event=AuditEvent.ACTION_EXECUTED.value, limit=30)
    actions = [entry for entry in recent.items if entry.risk_level in AUTONOMOUS][:8]
    # The live list continues after the newest entry read here, so none is shown twice.
    after = recent.items[0].id if recent.items else 0
    return render(
        request,
        "dashboard.html",
        user,
        figures=figures,
        agents=agents,
        healthy=sum(1 for agent in agents if agent.metrics.errors == 0),
        pending=pending.items,
        actions=actions,
        actions_after=after,
        health=await business_health(services),
        now=services.clock(),
        dead_runs=(await runtime.store.dead_runs(limit=1, offset=0)).total,
        support=await support_card(services),
    )


@router.get("/threads", response_class=HTMLResponse)
async def threads_page(
    request: Request,
    runtime: RuntimeDep,
    user: Viewer,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    offset = (page - 1) * THREADS_PAGE
    threads, total = await runtime.store.search_threads(limit=THREADS_PAGE, offset=offset)
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
    thread = await runtime.thread(thread_id)
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
    run = await host_runs.existing(runtime, thread_id, run_id)
    services = runtime.require_services()
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
    """The rules and thresholds in force; admins also get the policy file to edit."""
    return _policies(request, runtime, user)


@router.post("/policies", response_class=HTMLResponse)
async def save_policies(request: Request, runtime: RuntimeDep, user: AdminWrite) -> HTMLResponse:
    """Save an edited policy: every problem is listed with its line, and nothing is written,
    unless the whole file is valid."""
    from policies.file import PolicyFileError
    from server.console.policy_edit import save_policy

    form = await request.form()
    text = form.get("policy")
    if not isinstance(text, str) or not text.strip():
        return _policies(request, runtime, user, errors=["the policy is empty"], status_code=422)
    try:
        policy = await save_policy(runtime.require_services(), text, by=user.principal.subject)
    except PolicyFileError as exc:
        problems = [issue.render("line") for issue in exc.issues]
        return _policies(request, runtime, user, errors=problems, draft=text, status_code=422)
    saved = f"Saved; policy {policy.digest[:12]} is in force."
    return _policies(request, runtime, user, message=saved)


def _source_of(path: Path | None) -> str:
    from policies.file import DEFAULT_POLICY_PATH

    if path is None or path == DEFAULT_POLICY_PATH:
        return "the shipped default policy (policies/default_policy.yaml)"
    return str(path)


def _policies(
    request: Request,
    runtime: Runtime,
    user: ConsoleUser,
    *,
    errors: list[str] | None = None,
    message: str | None = None,
    draft: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    from policies.docs import policy_tables
    from server.console.policy_edit import current_text

    services = runtime.require_services()
    editable = user.has(Role.ADMIN)
    return render(
        request,
        "policies.html",
        user,
        status_code=status_code,
        tables=policy_tables(services.policy.policy),
        source=_source_of(services.policy.path),
        editable=editable,
        text=draft if draft is not None else (current_text(services) if editable else ""),
        errors=errors or [],
        message=message,
    )
