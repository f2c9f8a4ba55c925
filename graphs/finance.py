"""Order & Finance cluster: fulfilment with fraud review, the P&L, and the expense gate.

```
START -> analyse -------------------------------------------------------> report
      -> expense -------------------------------------------------------> report
      -> sweep -> [review]* -> [place]* (released) | [cancel] (rejected) -> report
               -> [sync_tracking]* -----------------------------------------> report
```
Every external write is its own ``Send`` task holding one gated action (at most one interrupt).
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from nodes.ceo.models import ClusterInfo
from nodes.clusters import ClusterInput, ClusterOutput
from nodes.context import Context
from nodes.finance.analyst import analyse
from nodes.finance.cancel import cancel
from nodes.finance.expense import expense
from nodes.finance.place import place
from nodes.finance.report import report
from nodes.finance.review import review
from nodes.finance.routing import route_task
from nodes.finance.state import FinanceState
from nodes.finance.sweep import route_work, sweep
from nodes.finance.tracking import sync_tracking

FINANCE_CLUSTER = ClusterInfo(
    id="finance",
    description="Order & Finance: fulfils paid orders (places them with CJdropshipping or "
    "Printful, syncs tracking to Shopify, holds exceptions), screens orders for fraud, and "
    "reports the store's profit and loss (revenue, refunds, VAT per "
    "country, payment fees, supplier costs, ad spend) per day, week or month, with margins per "
    "product and revenue alerts; expenses through the expense gate.",
    capabilities=[
        "fulfil paid, unfulfilled orders: fraud screening, supplier orders and tracking sync "
        "(parameters: action='fulfil'; since_days: how many days of orders, default 1 = today; "
        "order_id: one order, optional)",
        "report the P&L, VAT per destination country and margin per product "
        "(parameters: action='report'; period: day, week or month, default week)",
        "record an expense (supplier payment, bulk restock, shipping upgrade) through the "
        "expense gate (parameters: action='expense'; amount_eur; description; category)",
    ],
)


def build_finance_graph() -> StateGraph[FinanceState, Context, ClusterInput, ClusterOutput]:
    builder = StateGraph(
        FinanceState, context_schema=Context, input_schema=ClusterInput, output_schema=ClusterOutput
    )
    builder.add_node("analyse", analyse)
    builder.add_node("expense", expense)
    builder.add_node("sweep", sweep)
    builder.add_node("review", review, destinations=("place", "cancel"))
    builder.add_node("place", place)
    builder.add_node("cancel", cancel)
    builder.add_node("sync_tracking", sync_tracking)
    builder.add_node("report", report)
    builder.add_conditional_edges(START, route_task, ["analyse", "expense", "sweep", "report"])
    builder.add_edge("analyse", "report")
    builder.add_edge("expense", "report")
    builder.add_conditional_edges("sweep", route_work, ["review", "sync_tracking", "report"])
    builder.add_edge("place", "report")
    builder.add_edge("cancel", "report")
    builder.add_edge("sync_tracking", "report")
    builder.add_edge("report", END)
    return builder


graph: CompiledStateGraph[Any, Any, Any, Any] = build_finance_graph().compile(name="finance")
