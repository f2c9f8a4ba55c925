"""``/api/v1/agents`` and ``/api/v1/clusters``: the CEO and its registered clusters, with status
and simple metrics.

Clusters run as subgraphs of CEO runs, so their activity is read from the audit log (entries
carry the cluster) and their pending approvals; runs are counted per served graph.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException
from pydantic import AwareDatetime, BaseModel

from graphs.registry import CLUSTERS
from nodes.services import Services
from server.api.auth import Viewer
from server.api.deps import RuntimeDep
from server.api.runtime import ApiRuntime
from server.api.v1_common import ServicesDep
from server.api.v1_stats import last_run_at, runs_by_status
from storage import AuditEvent

router = APIRouter(tags=["agents"])

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


async def _metrics(runtime: ApiRuntime, services: Services, agent_id: str) -> AgentMetrics:
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


async def _agent(runtime: ApiRuntime, services: Services, agent_id: str) -> Agent:
    known = _known()
    if agent_id not in known:
        raise HTTPException(status_code=404, detail=f"agent {agent_id} not found")
    kind, description, capabilities = known[agent_id]
    metrics = await _metrics(runtime, services, agent_id)
    return Agent(
        id=agent_id,
        kind=kind,
        description=description,
        capabilities=capabilities,
        served=agent_id in runtime.graphs,
        status=_status(metrics),
        metrics=metrics,
    )


@router.get("/agents")
async def list_agents(runtime: RuntimeDep, services: ServicesDep, _: Viewer) -> list[Agent]:
    """The CEO and every registered cluster."""
    return [await _agent(runtime, services, agent_id) for agent_id in _known()]


@router.get("/agents/{agent_id}")
async def get_agent(agent_id: str, runtime: RuntimeDep, services: ServicesDep, _: Viewer) -> Agent:
    return await _agent(runtime, services, agent_id)


def _cluster_id(cluster: str) -> str:
    if cluster not in {entry.info.id for entry in CLUSTERS}:
        raise HTTPException(status_code=404, detail=f"cluster {cluster} not found")
    return cluster


@router.get("/clusters/{cluster}/status")
async def cluster_status(
    cluster: str, runtime: RuntimeDep, services: ServicesDep, _: Viewer
) -> ClusterStatus:
    metrics = await _metrics(runtime, services, _cluster_id(cluster))
    return ClusterStatus(
        cluster=cluster,
        status=_status(metrics),
        pending_approvals=metrics.pending_approvals,
        running_runs=metrics.runs_by_status.get("running", 0),
    )


@router.get("/clusters/{cluster}/metrics")
async def cluster_metrics(
    cluster: str, runtime: RuntimeDep, services: ServicesDep, _: Viewer
) -> AgentMetrics:
    return await _metrics(runtime, services, _cluster_id(cluster))
