"""What the store's operators see at a glance, for every front end: the CEO and its clusters
with their status and metrics, and the dashboard's figures. Clusters run as subgraphs of CEO
runs, so their activity is read from the audit log (entries carry the cluster) and their pending
approvals; runs are counted per served graph from the runs table."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from graphs.registry import CLUSTERS
from host.errors import NotFoundError
from host.runtime import Runtime
from nodes.services import Services
from storage import ApprovalStatus, AuditEvent, GoalStatus
from storage.run_stats import last_run_at, runs_by_status

CEO_ID = "ceo"
CEO_DESCRIPTION = "CEO orchestrator: turns goals into plans, delegates to clusters, reports back."
AgentStatus = Literal["running", "awaiting_approval", "idle"]


class AgentMetrics(BaseModel):
    runs: int
    runs_by_status: dict[str, int]
    errors: int
    last_run_at: AwareDatetime | None
    actions_executed: int
    pending_approvals: int
    last_activity_at: AwareDatetime | None


class Agent(BaseModel):
    id: str
    kind: Literal["orchestrator", "cluster"]
    description: str
    capabilities: list[str]
    served: bool
    status: AgentStatus
    metrics: AgentMetrics


class ClusterStatus(BaseModel):
    cluster: str
    status: AgentStatus
    pending_approvals: int
    running_runs: int


def _known() -> dict[str, tuple[Literal["orchestrator", "cluster"], str, list[str]]]:
    known: dict[str, tuple[Literal["orchestrator", "cluster"], str, list[str]]] = {
        CEO_ID: ("orchestrator", CEO_DESCRIPTION, [e.info.id for e in CLUSTERS])
    }
    for entry in CLUSTERS:
        known[entry.info.id] = ("cluster", entry.info.description, entry.info.capabilities)
    return known


async def agent_metrics(runtime: Runtime, services: Services, agent_id: str) -> AgentMetrics:
    database = runtime.store.database
    by_status = await runs_by_status(database, assistant_id=agent_id)
    cluster = None if agent_id == CEO_ID else agent_id
    executed = await services.audit.list(
        event=AuditEvent.ACTION_EXECUTED.value, cluster=cluster, limit=1
    )
    latest = await services.audit.list(cluster=cluster, limit=1)
    return AgentMetrics(
        runs=sum(by_status.values()),
        runs_by_status=by_status,
        errors=by_status.get("error", 0) + by_status.get("timeout", 0),
        last_run_at=await last_run_at(database, agent_id),
        actions_executed=executed.total,
        pending_approvals=await services.approvals.count_pending(cluster=cluster),
        last_activity_at=latest.items[0].at if latest.items else None,
    )


def _status(metrics: AgentMetrics) -> AgentStatus:
    if metrics.runs_by_status.get("running", 0) or metrics.runs_by_status.get("pending", 0):
        return "running"
    if metrics.pending_approvals:
        return "awaiting_approval"
    return "idle"


async def agent(runtime: Runtime, services: Services, agent_id: str) -> Agent:
    known = _known()
    if agent_id not in known:
        raise NotFoundError("agent", agent_id)
    kind, description, capabilities = known[agent_id]
    metrics = await agent_metrics(runtime, services, agent_id)
    return Agent(
        id=agent_id,
        kind=kind,
        description=description,
        capabilities=capabilities,
        served=agent_id in runtime.graphs,
        status=_status(metrics),
        metrics=metrics,
    )


async def agents(runtime: Runtime) -> list[Agent]:
    """The CEO and every registered cluster."""
    services = runtime.require_services()
    return [await agent(runtime, services, agent_id) for agent_id in _known()]


def cluster_id(cluster: str) -> str:
    if cluster not in {entry.info.id for entry in CLUSTERS}:
        raise NotFoundError("cluster", cluster)
    return cluster


async def cluster_status(runtime: Runtime, cluster: str) -> ClusterStatus:
    metrics = await agent_metrics(runtime, runtime.require_services(), cluster_id(cluster))
    return ClusterStatus(
        cluster=cluster,
        status=_status(metrics),
        pending_approvals=metrics.pending_approvals,
        running_runs=metrics.runs_by_status.get("running", 0),
    )


class PendingApprovals(BaseModel):
    count: int
    oldest_age_seconds: float | None


class RunsToday(BaseModel):
    since: AwareDatetime
    by_status: dict[str, int]
    total: int


class Dashboard(BaseModel):
    at: AwareDatetime
    pending_approvals: PendingApprovals
    runs_today: RunsToday
    active_goals: int


async def dashboard(runtime: Runtime) -> Dashboard:
    services = runtime.require_services()
    """Pending approvals and the oldest one's age, today's runs (UTC) by status, active goals."""
    now = services.clock()
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    age: timedelta | None = await services.approvals.oldest_pending_age(now)
    by_status = await runs_by_status(runtime.store.database, since=midnight)
    goals = await services.goals.list(status=GoalStatus.ACTIVE, limit=1)
    pending = await services.approvals.list(status=ApprovalStatus.PENDING, limit=1)
    return Dashboard(
        at=now,
        pending_approvals=PendingApprovals(
            count=pending.total, oldest_age_seconds=None if age is None else age.total_seconds()
        ),
        runs_today=RunsToday(since=midnight, by_status=by_status, total=sum(by_status.values())),
        active_goals=goals.total,
    )
