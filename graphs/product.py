"""Product & Supplier cluster: sourcing (scout -> vet suppliers -> price -> CEO decision ->
publish), price changes (choose product -> reprice) and supplier onboarding (choose supplier ->
onboard -> the sourcing pipeline for that supplier)."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from nodes.ceo.models import ClusterInfo
from nodes.clusters import ClusterInput, ClusterOutput
from nodes.context import Context
from nodes.product.decision import ceo_decision, route_approved
from nodes.product.onboarding import after_onboarding, onboard_supplier
from nodes.product.pricing import price_candidates
from nodes.product.publish import publish
from nodes.product.report import report
from nodes.product.reprice import reprice
from nodes.product.reprice_target import choose_product, route_reprices
from nodes.product.routing import route_task
from nodes.product.scout import scout
from nodes.product.state import ProductState
from nodes.product.supplier_choice import choose_supplier
from nodes.product.vetting import vet_suppliers

PRODUCT_CLUSTER = ClusterInfo(
    id="product",
    description="Product & Supplier: finds products in supplier catalogs, vets the suppliers, "
    "prices them for margin and publishes them on the Shopify store; changes the price of a "
    "product already in the store; onboards new suppliers. Not discounts or sales campaigns.",
    capabilities=[
        "search CJdropshipping and Printful catalogs (parameters: query, count, max_price_eur)",
        "vet suppliers with a scorecard (rating, on-time rate, defects, shipping days)",
        "price for a target margin after shipping and fees (target_margin_pct, min_margin_pct)",
        "write SEO copy and create and publish products on Shopify",
        "change the price of one product already in the store (parameters: action='reprice'; "
        "product: its title, or best_seller=true for the store's best seller by units sold in "
        "its orders of the last period_days (default 30); and exactly one of change_pct "
        "(signed, e.g. 30 or -15), new_price_eur, change_eur (signed))",
        "onboard a new supplier that passes vetting, then publish its best products "
        "(parameters: action='onboard_supplier'; supplier: a platform or vendor name, "
        "optional; query, optional; count: products to publish after onboarding, 0 for none)",
    ],
)


def _after_vetting(state: ProductState) -> str:
    return "price" if state.get("vetted") else "report"


def _after_choosing_supplier(state: ProductState) -> str:
    return "onboard_supplier" if state.get("supplier_choice") else "report"


def build_product_graph() -> StateGraph[ProductState, Context, ClusterInput, ClusterOutput]:
    builder = StateGraph(
        ProductState, context_schema=Context, input_schema=ClusterInput, output_schema=ClusterOutput
    )
    builder.add_node("scout", scout)
    builder.add_node("vet_suppliers", vet_suppliers)
    builder.add_node("price", price_candidates)
    builder.add_node("ceo_decision", ceo_decision)
    builder.add_node("publish", publish)
    builder.add_node("choose_product", choose_product)
    builder.add_node("reprice", reprice)
    builder.add_node("choose_supplier", choose_supplier)
    builder.add_node("onboard_supplier", onboard_supplier)
    builder.add_node("report", report)
    builder.add_conditional_edges(
        START, route_task, ["scout", "choose_product", "choose_supplier", "report"]
    )
    builder.add_edge("scout", "vet_suppliers")
    builder.add_conditional_edges("vet_suppliers", _after_vetting, ["price", "report"])
    builder.add_edge("price", "ceo_decision")
    builder.add_conditional_edges("ceo_decision", route_approved, ["publish", "report"])
    builder.add_edge("publish", "report")
    builder.add_conditional_edges("choose_product", route_reprices, ["reprice", "report"])
    builder.add_edge("reprice", "report")
    builder.add_conditional_edges(
        "choose_supplier", _after_choosing_supplier, ["onboard_supplier", "report"]
    )
    builder.add_conditional_edges("onboard_supplier", after_onboarding, ["scout", "report"])
    builder.add_edge("report", END)
    return builder


graph: CompiledStateGraph[Any, Any, Any, Any] = build_product_graph().compile(name="product")
