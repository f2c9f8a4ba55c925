"""The catalog cluster's state: its narrow input and output are the cluster contract."""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict

from nodes.catalog.models import (
    Drift,
    Outcome,
    ProductPlan,
    Proposed,
    RepoProposal,
    Staged,
    ThemeImport,
)
from nodes.clusters import ClusterReport, ClusterTask, ServiceFailure

RESET = "\x00reset"
"""First item of a write that empties an accumulated list (``begin`` writes ``[RESET]``)."""


def accumulate(current: list[Any] | None, update: list[Any] | None) -> list[Any]:
    """Lists that grow within a run and start empty on a thread's next run, so a second run
    reports only what it did itself; any other write, empty ones included, only adds."""
    if update and update[0] == RESET:
        return list(update[1:])
    return [*(current or []), *(update or [])]


class CatalogState(TypedDict, total=False):
    task: ClusterTask
    goal: str
    operation: str
    sync_id: str
    plans: list[ProductPlan]
    staged: Annotated[list[Staged], accumulate]
    outcomes: Annotated[list[Outcome], accumulate]
    proposal: RepoProposal | None
    proposed: Annotated[list[Proposed], accumulate]
    notes: Annotated[list[str], accumulate]
    alerts: Annotated[list[str], accumulate]
    failures: Annotated[list[ServiceFailure], accumulate]
    drift: list[Drift]
    theme: ThemeImport | None
    reports: Annotated[list[ClusterReport], operator.add]


class PlanInput(TypedDict):
    """A ``Send`` to stage or promote one product."""

    plan: ProductPlan
    sync_id: str
    operation: str


class ProposalInput(TypedDict):
    proposal: RepoProposal
    sync_id: str


class BadgeInput(TypedDict):
    drift: list[Drift]
    sync_id: str


class ThemeInput(TypedDict):
    theme: ThemeImport
    sync_id: str
