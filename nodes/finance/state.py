"""The finance cluster's graph state (its own schema; only ``reports`` goes back to the CEO)."""

from __future__ import annotations

import operator
from typing import Annotated

from typing_extensions import TypedDict

from nodes.clusters import ClusterReport, ClusterTask, ServiceFailure
from nodes.finance.models import FinanceItem, OrderPlan, Shipment, SupplierBatch


class FinanceState(TypedDict, total=False):
    task: ClusterTask
    goal: str
    summary: Annotated[list[str], operator.add]
    plans: list[OrderPlan]
    tracking: list[Shipment]
    items: Annotated[list[FinanceItem], operator.add]
    alerts: Annotated[list[str], operator.add]
    failures: Annotated[list[ServiceFailure], operator.add]
    reports: Annotated[list[ClusterReport], operator.add]


class OrderInput(TypedDict):
    """What one order's fulfilment task receives through ``Send``: that order, nothing shared."""

    task: ClusterTask
    plan: OrderPlan


class BatchInput(TypedDict):
    """One supplier order of a released order: its lines for one supplier."""

    task: ClusterTask
    plan: OrderPlan
    batch: SupplierBatch


class ShipmentInput(TypedDict):
    """One supplier order whose tracking is to be synced to Shopify."""

    task: ClusterTask
    shipment: Shipment
