"""Marketing & Sales cluster: ad launches (product → copy → budget check → the gated launch of
campaign, ad set, creatives and ads on Meta) and the ROAS watcher (insights → pause losers,
scale winners within the approved budget, one task per write), discount codes and SEO
(meta titles, descriptions and handles from the store's own sales keywords)."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from nodes.ceo.models import ClusterInfo
from nodes.clusters import ClusterInput, ClusterOutput
from nodes.context import Context
from nodes.marketing.discount import discount
from nodes.marketing.launch import launch
from nodes.marketing.plan_launch import plan_launch, route_launch
from nodes.marketing.report import report
from nodes.marketing.routing import route_task
from nodes.marketing.seo import seo
from nodes.marketing.state import MarketingState
from nodes.marketing.watch import route_watch, watch
from nodes.marketing.watch_act import watch_act

MARKETING_CLUSTER = ClusterInfo(
    id="marketing",
    description="Marketing & Sales: launches paid ad campaigns (Meta) for a product already in "
    "the store, with ad copy in English and Dutch and image creatives, within a budget the "
    "policy rates (> €500 needs approval; a monthly hard cap); watches their ROAS; creates "
    "discount codes; improves the products' SEO (meta titles and descriptions, handles) with "
    "keywords from the store's own sales. Not product sourcing or price changes.",
    capabilities=[
        "launch ads for one store product (parameters: action='launch_ads'; product: its "
        "title as the store names it; budget_eur: the campaign's total budget in EUR; days: "
        "how long it runs, default 7)",
        "watch the active campaigns' ROAS: pause ads below the policy's ROAS floor after its "
        "minimum spend, scale winners up to their approved budget, record ad spend per day "
        "(parameters: action='watch_ads')",
        "create a Shopify discount code for the whole store with an end date (parameters: "
        "action='discount'; discount_pct; name: what the sale is called, e.g. 'summer sale'; "
        "days it runs (default 14) or ends_on: YYYY-MM-DD)",
        "improve the SEO of the active products: meta titles and descriptions, tidy titles "
        "and handles, with keywords from the store's sales; one MEDIUM change for all of "
        "them (parameters: action='seo'; product: optional, one product's title)",
    ],
)


def build_marketing_graph() -> StateGraph[MarketingState, Context, ClusterInput, ClusterOutput]:
    builder = StateGraph(
        MarketingState,
        context_schema=Context,
        input_schema=ClusterInput,
        output_schema=ClusterOutput,
    )
    builder.add_node("plan_launch", plan_launch)
    builder.add_node("launch", launch)
    builder.add_node("watch", watch)
    builder.add_node("watch_act", watch_act)
    builder.add_node("discount", discount)
    builder.add_node("seo", seo)
    builder.add_node("report", report)
    builder.add_conditional_edges(
        START, route_task, ["plan_launch", "watch", "discount", "seo", "report"]
    )
    builder.add_conditional_edges("watch", route_watch, ["watch_act", "report"])
    builder.add_edge("watch_act", "report")
    builder.add_edge("discount", "report")
    builder.add_edge("seo", "report")
    builder.add_conditional_edges("plan_launch", route_launch, ["launch", "report"])
    builder.add_edge("launch", "report")
    builder.add_edge("report", END)
    return builder


graph: CompiledStateGraph[Any, Any, Any, Any] = build_marketing_graph().compile(name="marketing")
