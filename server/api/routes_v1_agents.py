"""``/api/v1/agents`` and ``/api/v1/clusters``: the CEO and its registered clusters, with status
and simple metrics (``host.overview``)."""

from __future__ import annotations

from fastapi import APIRouter

from host import overview
from host.overview import Agent, AgentMetrics, ClusterStatus
from server.api.deps import RuntimeDep, ServicesDep, Viewer

router = APIRouter(tags=["agents"])


@router.get("/agents")
async def list_agents(runtime: RuntimeDep, _: Viewer) -> list[Agent]:
    """The CEO and every registered cluster."""
    return await overview.agents(runtime)


@router.get("/agents/{agent_id}")
async def get_agent(agent_id: str, runtime: RuntimeDep, services: ServicesDep, _: Viewer) -> Agent:
    return await overview.agent(runtime, services, agent_id)


@router.get("/clusters/{cluster}/status")
async def cluster_status(cluster: str, runtime: RuntimeDep, _: Viewer) -> ClusterStatus:
    return await overview.cluster_status(runtime, cluster)


@router.get("/clusters/{cluster}/metrics")
async def cluster_metrics(
    cluster: str, runtime: RuntimeDep, services: ServicesDep, _: Viewer
) -> AgentMetrics:
    return await overview.agent_metrics(runtime, services, overview.cluster_id(cluster))
