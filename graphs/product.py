"""Product & Supplier cluster: scout -> vet suppliers -> price -> CEO decision -> publish."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from nodes.ceo.models import ClusterInfo
from nodes.clusters import ClusterInput, ClusterOutput
from nodes.context import Context
from nodes.product.decision import ceo_decision, route_approved
from nodes.product.pricing import price_candidates
from nodes.product.publish import publish
from nodes.product.report import report
from nodes.product.scout import scout
from nodes.product.state import ProductState
from nodes.product.vetting import vet_suppliers

PRODUCT_CLUSTER = ClusterInfo(
    id="product",
    description="Product & Supplier: finds products in supplier catalogs, vets the suppliers, "
    "prices them for margin and publishes them on the Shopify store.",
    capabilities=[
        "search CJdropshipping and Printful catalogs (parameters: query, count, max_price_eur)",
        "vet suppliers with a scorecard (rating, on-time rate, defects, shipping days)",
        "price for a target margin after shipping and fees (target_margin_pct, min_margin_pct)",
        "write SEO copy and create and publish products on Shopify",
    ],
)


def _after_vetting(state: ProductState) -> str:
    return "price" if state.get("vetted") else "report"


def build_product_graph() -> StateGraph[ProductState, Context, ClusterInput, ClusterOutput]:
    builder = StateGraph(
        ProductState, context_schema=Context, input_schema=ClusterInput, output_schema=ClusterOutput
    )
    builder.add_node("scout", scout)
    builder.add_node("vet_suppliers", vet_suppliers)
    builder.add_node("price", price_candidates)
    builder.add_node("ceo_decision", ceo_decision)
    builder.add_node("publish", publish)
    builder.add_node("report", report)
    builder.add_edge(START, "scout")
    builder.add_edge("scout", "vet_suppliers")
    builder.add_conditional_edges("vet_suppliers", _after_vetting, ["price", "report"])
    builder.add_edge("price", "ceo_decision")
    builder.add_conditional_edges("ceo_decision", route_approved, ["publish", "report"])
    builder.add_edge("publish", "report")
    builder.add_edge("report", END)
    return builder


graph: CompiledStateGraph[Any, Any, Any, Any] = build_product_graph().compile(name="product")
