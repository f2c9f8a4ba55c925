"""Customer Service & Retention cluster: helpdesk tickets answered or handed to a person, and
refunds through the €50 policy gate; review requests, review reading and replies; retention
offers as discount codes.

```
START -> begin -> [answer_ticket]* (one task per ticket) -> report
               -> [refund] (one task, at most one interrupt) -> report
               -> retention (read-only: lifetime value, VIPs, churn risk) ----> report
               -> request_reviews (one review request per delivered order) ---> report
               -> check_reviews -> [reply_review]* (one task per review) ----> report
               -> retention_offer (a win-back discount code, policy-gated) ---> report
               -> email_flow (one flow; consent-checked; each message once) -> report
               -> report
```
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from nodes.ceo.models import ClusterInfo
from nodes.clusters import ClusterInput, ClusterOutput
from nodes.context import Context
from nodes.customer_service.answer import answer_ticket
from nodes.customer_service.begin import begin, route
from nodes.customer_service.email_flows import email_flow
from nodes.customer_service.loyalty import retention
from nodes.customer_service.refund import propose_refund
from nodes.customer_service.report import report
from nodes.customer_service.retention_offer import retention_offer
from nodes.customer_service.reviews import (
    check_reviews,
    reply_review,
    request_reviews,
    route_replies,
)
from nodes.customer_service.state import CustomerServiceState

CUSTOMER_SERVICE_CLUSTER = ClusterInfo(
    id="customer_service",
    description="Customer Service & Retention: answers the store's helpdesk tickets (where is "
    "my order, with the real tracking; shipping, returns and payment questions from the store "
    "FAQ), hands angry, legal, refund and unclear messages to a person, and refunds orders "
    "through the refund policy (over €50 needs approval); lists customers' lifetime value, "
    "VIPs and churn risk; asks for reviews of delivered orders, reads the latest reviews "
    "(sentiment, topics, product issues) and replies in public; makes win-back discount codes; "
    "sends the email marketing flows (welcome, abandoned cart, post-purchase, win-back) to "
    "consenting customers only.",
    capabilities=[
        "answer the helpdesk tickets waiting for the store, or one ticket "
        "(parameters: operation='answer_tickets'; ticket_id, optional)",
        "refund an order (parameters: operation='refund'; order: the order number, e.g. 1002; "
        "amount_eur; reason)",
        "list customers by lifetime value with VIPs and churn risk from the store's orders "
        "(parameters: operation='retention')",
        "ask the customers of delivered orders for a review, once per order "
        "(parameters: operation='request_reviews')",
        "read the latest product reviews: sentiment, topics, product issues, public replies "
        "(parameters: operation='check_reviews')",
        "make a win-back discount code for the customers at churn risk (parameters: "
        "operation='retention_offer'; discount_pct, default 10; days, default 14)",
        "send one email marketing flow through Klaviyo to the customers who consented: "
        "welcome series to new customers, abandoned cart recovery, post-purchase upsell or "
        "win-back (parameters: operation='email_flows'; flow: one of 'welcome', "
        "'abandoned_cart', 'post_purchase', 'win_back')",
    ],
)


def build_customer_service_graph() -> StateGraph[
    CustomerServiceState, Context, ClusterInput, ClusterOutput
]:
    builder = StateGraph(
        CustomerServiceState,
        context_schema=Context,
        input_schema=ClusterInput,
        output_schema=ClusterOutput,
    )
    builder.add_node("begin", begin)
    builder.add_node("answer_ticket", answer_ticket)
    builder.add_node("refund", propose_refund)
    builder.add_node("retention", retention)
    builder.add_node("request_reviews", request_reviews)
    builder.add_node("check_reviews", check_reviews)
    builder.add_node("reply_review", reply_review)
    builder.add_node("retention_offer", retention_offer)
    builder.add_node("email_flow", email_flow)
    builder.add_node("report", report)
    builder.add_edge(START, "begin")
    builder.add_conditional_edges(
        "begin",
        route,
        [
            "answer_ticket",
            "refund",
            "retention",
            "request_reviews",
            "check_reviews",
            "retention_offer",
            "email_flow",
            "report",
        ],
    )
    builder.add_conditional_edges("check_reviews", route_replies, ["reply_review", "report"])
    builder.add_edge("answer_ticket", "report")
    builder.add_edge("refund", "report")
    builder.add_edge("retention", "report")
    builder.add_edge("request_reviews", "report")
    builder.add_edge("reply_review", "report")
    builder.add_edge("retention_offer", "report")
    builder.add_edge("email_flow", "report")
    builder.add_edge("report", END)
    return builder


graph: CompiledStateGraph[Any, Any, Any, Any] = build_customer_service_graph().compile(
    name="customer_service"
)
