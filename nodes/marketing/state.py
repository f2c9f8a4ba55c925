"""The marketing cluster's graph state (its own schema; only ``reports`` goes back to the CEO)."""

from __future__ import annotations

import operator
from typing import Annotated

from typing_extensions import TypedDict

from nodes.clusters import ClusterReport, ClusterTask, ServiceFailure
from nodes.marketing.launch_args import LaunchArgs
from nodes.marketing.models import Outcome
from nodes.marketing.watch_rules import WatchDecision


class MarketingState(TypedDict, total=False):
    task: ClusterTask
    goal: str
    launch: LaunchArgs | None
    source_text: str
    watch: list[WatchDecision]
    outcomes: Annotated[list[Outcome], operator.add]
    alerts: Annotated[list[str], operator.add]
    failures: Annotated[list[ServiceFailure], operator.add]
    reports: Annotated[list[ClusterReport], operator.add]
