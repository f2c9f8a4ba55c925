"""Catalog & theme sync cluster: Shopify <-> repository, inventory guard, theme CI.

```
START -> begin -> from_shopify --------------------------------> [propose] -> report
               -> from_github -> [stage]* -> review_staging -> [promote]* -> settle -> [propose]
               -> rollback | resolve ------------------------> [promote]* -> settle -> [propose]
               -> inventory -> [badge]*, [badge_theme] --------------------------------> report
               -> theme_export ---------------------------------------------> [propose]
               -> theme_import -> [theme_stage] -> theme_checked -> [theme_publish] -> report
```
Every external write is its own ``Send`` task holding one gated action (at most one interrupt).
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Send

from nodes.catalog.badges import badge, badge_theme
from nodes.catalog.begin import ENTRY, begin, route_operation
from nodes.catalog.from_github import from_github
from nodes.catalog.from_shopify import from_shopify
from nodes.catalog.inventory import inventory, route_badges
from nodes.catalog.promote import promote
from nodes.catalog.propose import propose
from nodes.catalog.report import report
from nodes.catalog.resolve import resolve
from nodes.catalog.rollback import rollback
from nodes.catalog.settle import route_settled, settle
from nodes.catalog.stage import review_staging, route_plans, route_promotions, stage
from nodes.catalog.state import CatalogState
from nodes.catalog.themes import (
    route_publish,
    route_theme,
    theme_done,
    theme_export,
    theme_import,
    theme_publish,
    theme_stage,
)
from nodes.ceo.models import ClusterInfo
from nodes.clusters import ClusterInput, ClusterOutput
from nodes.context import Context

CATALOG_CLUSTER = ClusterInfo(
    id="catalog",
    description="Catalog & theme as code: keeps the store's products and theme in the GitHub "
    "repository in sync with Shopify (pull requests both ways, conflicts, rollback), guards "
    "inventory drift and promotes tested themes.",
    capabilities=[
        "export the Shopify catalog to the repository as a pull request "
        "(parameters: operation=export)",
        "check stock drift between suppliers, Shopify and the repository and badge low stock on "
        "the staging theme (parameters: operation=inventory_check, low_stock_threshold)",
        "export the live theme to the repository (parameters: operation=theme_export)",
        "import a theme branch to a staging theme, check it and promote it on green "
        "(parameters: operation=theme_import, branch)",
    ],
)


def _proposal(state: CatalogState) -> list[Send] | str:
    proposal = state.get("proposal")
    if proposal is None or not proposal.files:
        return "report"
    return [Send("propose", {"proposal": proposal, "sync_id": state["sync_id"]})]


def build_catalog_graph() -> StateGraph[CatalogState, Context, ClusterInput, ClusterOutput]:
    builder = StateGraph(
        CatalogState, context_schema=Context, input_schema=ClusterInput, output_schema=ClusterOutput
    )
    builder.add_node("begin", begin)
    builder.add_node("from_shopify", from_shopify)
    builder.add_node("from_github", from_github)
    builder.add_node("rollback", rollback)
    builder.add_node("resolve", resolve)
    builder.add_node("inventory", inventory)
    builder.add_node("theme_export", theme_export)
    builder.add_node("theme_import", theme_import)
    builder.add_node("stage", stage)
    builder.add_node("review_staging", review_staging)
    builder.add_node("promote", promote)
    builder.add_node("settle", settle)
    builder.add_node("propose", propose)
    builder.add_node("badge", badge)
    builder.add_node("badge_theme", badge_theme)
    builder.add_node("theme_stage", theme_stage)
    builder.add_node("theme_publish", theme_publish)
    builder.add_node("theme_done", theme_done)
    builder.add_node("report", report)

    builder.add_edge(START, "begin")
    builder.add_conditional_edges("begin", route_operation, [*set(ENTRY.values()), "report"])
    for entry in ("from_shopify", "theme_export"):
        builder.add_conditional_edges(entry, _proposal, ["propose", "report"])
    for entry in ("from_github", "rollback", "resolve"):
        builder.add_conditional_edges(entry, route_plans, ["stage", "promote", "settle"])
    builder.add_edge("stage", "review_staging")
    builder.add_conditional_edges("review_staging", route_promotions, ["promote", "settle"])
    builder.add_edge("promote", "settle")
    builder.add_conditional_edges("settle", route_settled, ["propose", "report"])
    builder.add_edge("propose", "report")
    builder.add_conditional_edges("inventory", route_badges, ["badge", "badge_theme", "report"])
    builder.add_edge("badge", "report")
    builder.add_edge("badge_theme", "report")
    builder.add_conditional_edges("theme_import", route_theme, ["theme_stage", "report"])
    builder.add_conditional_edges("theme_stage", route_publish, ["theme_publish", "theme_done"])
    builder.add_edge("theme_publish", "report")
    builder.add_edge("theme_done", "report")
    builder.add_edge("report", END)
    return builder


graph: CompiledStateGraph[Any, Any, Any, Any] = build_catalog_graph().compile(name="catalog")
