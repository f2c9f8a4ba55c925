"""The clusters the CEO can delegate to. A new cluster is a new graph module plus one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langgraph.graph import StateGraph

from graphs.catalog import CATALOG_CLUSTER, build_catalog_graph
from graphs.customer_service import CUSTOMER_SERVICE_CLUSTER, build_customer_service_graph
from graphs.finance import FINANCE_CLUSTER, build_finance_graph
from graphs.marketing import MARKETING_CLUSTER, build_marketing_graph
from graphs.product import PRODUCT_CLUSTER, build_product_graph
from nodes.ceo.models import ClusterInfo


@dataclass(frozen=True)
class ClusterEntry:
    info: ClusterInfo
    build: Callable[[], StateGraph[Any, Any, Any, Any]]


CLUSTERS: tuple[ClusterEntry, ...] = (
    ClusterEntry(PRODUCT_CLUSTER, build_product_graph),
    ClusterEntry(CATALOG_CLUSTER, build_catalog_graph),
    ClusterEntry(MARKETING_CLUSTER, build_marketing_graph),
    ClusterEntry(FINANCE_CLUSTER, build_finance_graph),
    ClusterEntry(CUSTOMER_SERVICE_CLUSTER, build_customer_service_graph),
)
