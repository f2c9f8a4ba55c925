"""The product cluster's graph state (its own schema; only ``reports`` goes back to the CEO)."""

from __future__ import annotations

import operator
from typing import Annotated

from typing_extensions import TypedDict

from nodes.clusters import ClusterReport, ClusterTask, ServiceFailure
from nodes.product.models import Approved, Candidate, Outcome, Priced, SupplierChoice, Vetted
from nodes.product.repricing import RepricePlan


class ProductState(TypedDict, total=False):
    task: ClusterTask
    goal: str
    candidates: list[Candidate]
    vetted: list[Vetted]
    priced: list[Priced]
    approved: list[Approved]
    reprices: list[RepricePlan]
    supplier_choice: SupplierChoice | None
    onboarded: bool
    outcomes: Annotated[list[Outcome], operator.add]
    alerts: Annotated[list[str], operator.add]
    failures: Annotated[list[ServiceFailure], operator.add]
    reports: Annotated[list[ClusterReport], operator.add]


class PublishInput(TypedDict):
    """What one publish task receives through ``Send``: one product, nothing shared."""

    task: ClusterTask
    goal: str
    item: Approved


class RepriceInput(TypedDict):
    """What one price-change task receives through ``Send``: one product's change."""

    task: ClusterTask
    goal: str
    plan: RepricePlan
