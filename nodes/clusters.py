"""What flows between the CEO and any cluster: a task in, reports out.

Every cluster subgraph takes ``ClusterInput`` and returns ``ClusterOutput`` (its narrow input and
output schemas), so no reducer key of the CEO's state leaks into a cluster by accident.
"""

from __future__ import annotations

import operator
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from typing_extensions import TypedDict


class ClusterTask(BaseModel):
    """One unit of work the CEO delegates to one cluster."""

    model_config = ConfigDict(frozen=True)

    cluster: str = Field(description="The id of a registered cluster.")
    title: str = Field(description="A short imperative phrase.")
    instructions: str = Field(description="Self-contained: the cluster does not read the chat.")
    parameters: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="The operator's numeric limits and quantities, and the fields the "
        "cluster's capabilities name (e.g. action).",
    )
    depends_on: list[str] = Field(default_factory=list)


class ReportStatus(StrEnum):
    DONE = "done"
    PARTIAL = "partial"
    WAITING = "waiting_for_approval"
    STOPPED = "stopped"
    FAILED = "failed"


class ItemOutcome(StrEnum):
    """Where one item of a report stands, whatever the cluster calls its status."""

    DONE = "done"
    WAITING = "waiting"
    STOPPED = "stopped"
    FAILED = "failed"


def report_status(items: int, done: int, failed: bool) -> ReportStatus:
    """A task's status from how many of its items were done and whether a service failed."""
    if failed and not done:
        return ReportStatus.FAILED
    if failed or (done and done < items):
        return ReportStatus.PARTIAL
    if items and not done:
        return ReportStatus.STOPPED
    return ReportStatus.DONE


class ServiceFailure(BaseModel):
    """A call to an outside service that failed, told the way an operator must hear it."""

    model_config = ConfigDict(frozen=True)

    service: str = Field(description="The service by name, e.g. CJdropshipping, Shopify.")
    operation: str = Field(description="What was asked of it, e.g. 'search the catalog'.")
    error: str = Field(description="The error's class, e.g. SupplierAuthError.")
    message: str = Field(description="What the service or client said.")
    skipped: str = Field(description="What was not done because of it.")

    @classmethod
    def of(cls, service: str, operation: str, exc: BaseException, skipped: str) -> ServiceFailure:
        message = (str(exc) or type(exc).__name__).splitlines()[0][:300]
        return cls(
            service=service,
            operation=operation,
            error=type(exc).__name__,
            message=message,
            skipped=skipped,
        )

    def sentence(self) -> str:
        return (
            f"{self.service} failed to {self.operation} ({self.error}: {self.message}); "
            f"{self.skipped}."
        )


class ClusterReport(BaseModel):
    """What a cluster tells the CEO: what it did, what waits, what stopped, and alerts.

    ``items`` are dicts with at least ``title`` and ``status`` (the cluster's word) and
    ``outcome`` (an ``ItemOutcome``), plus optional ``detail``, ``reasons``, ``risk_level`` and
    figures. ``failures`` are the outside services that failed during the task.
    """

    model_config = ConfigDict(frozen=True)

    cluster: str
    task: str
    status: ReportStatus
    summary: str
    items: list[dict[str, JsonValue]] = Field(default_factory=list)
    alerts: list[str] = Field(default_factory=list)
    failures: list[ServiceFailure] = Field(default_factory=list)


def status_of(items: list[dict[str, JsonValue]], alerts: list[str]) -> ReportStatus:
    """A report's status from its items' outcomes: all done, some done, stopped, or failed."""
    done = [item for item in items if item.get("outcome") == ItemOutcome.DONE.value]
    if done and len(done) == len(items):
        return ReportStatus.DONE
    if done:
        return ReportStatus.PARTIAL
    if items or alerts:
        return ReportStatus.STOPPED
    return ReportStatus.FAILED


def merge_reports(current: list[Any] | None, update: list[Any] | None) -> list[Any]:
    """Reports accumulate within a turn; an empty list written by the planner starts a turn."""
    if update is None:
        return current or []
    if update == []:
        return []
    return [*(current or []), *update]


class ClusterInput(TypedDict):
    task: ClusterTask
    goal: str


class ClusterOutput(TypedDict):
    reports: Annotated[list[ClusterReport], operator.add]
