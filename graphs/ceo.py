"""The CEO supervisor: plan the operator's goal, run cluster subgraphs in parallel, answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from graphs.registry import CLUSTERS, ClusterEntry
from nodes.ceo.plan import make_plan_node, route_tasks
from nodes.ceo.respond import respond
from nodes.ceo.state import CEOInput, CEOOutput, CEOState
from nodes.context import Context


def build_ceo_graph(
    clusters: Sequence[ClusterEntry] = CLUSTERS,
) -> StateGraph[CEOState, Context, CEOInput, CEOOutput]:
    builder = StateGraph(
        CEOState, context_schema=Context, input_schema=CEOInput, output_schema=CEOOutput
    )
    builder.add_node("plan", make_plan_node([cluster.info for cluster in clusters]))
    for cluster in clusters:
        builder.add_node(cluster.info.id, cluster.build().compile(name=cluster.info.id))
        builder.add_edge(cluster.info.id, "respond")
    builder.add_node("respond", respond)
    builder.add_edge(START, "plan")
    builder.add_conditional_edges(
        "plan", route_tasks, [*(cluster.info.id for cluster in clusters), "respond"]
    )
    builder.add_edge("respond", END)
    return builder


graph: CompiledStateGraph[Any, Any, Any, Any] = build_ceo_graph().compile(name="ceo")
