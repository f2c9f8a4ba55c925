"""When a turn's reports settle its goal: done, abandoned, or still active while anything waits."""

from __future__ import annotations

from typing import Any

import pytest

from nodes.ceo.goals import turn_outcome
from nodes.clusters import ClusterReport, ReportStatus, ServiceFailure
from storage import GoalStatus


def report(status: ReportStatus, *outcomes: str, failed: bool = False) -> ClusterReport:
    items: list[dict[str, Any]] = [{"title": "x", "status": o, "outcome": o} for o in outcomes]
    failures = (
        [ServiceFailure(service="CJ", operation="search", error="E", message="m", skipped="s")]
        if failed
        else []
    )
    return ClusterReport(
        cluster="product", task="t", status=status, summary="", items=items, failures=failures
    )


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ([], None),
        ([report(ReportStatus.DONE, "done")], GoalStatus.DONE),
        ([report(ReportStatus.DONE, "done"), report(ReportStatus.DONE)], GoalStatus.DONE),
        ([report(ReportStatus.WAITING, "waiting")], None),
        ([report(ReportStatus.DONE, "done"), report(ReportStatus.PARTIAL, "waiting")], None),
        ([report(ReportStatus.PARTIAL, "done", "stopped")], GoalStatus.ABANDONED),
        ([report(ReportStatus.STOPPED, "stopped")], GoalStatus.ABANDONED),
        ([report(ReportStatus.FAILED)], GoalStatus.ABANDONED),
        ([report(ReportStatus.DONE, "done", failed=True)], GoalStatus.ABANDONED),
        ([report(ReportStatus.DONE, "done"), report(ReportStatus.FAILED)], GoalStatus.ABANDONED),
    ],
)
def test_turn_outcome(reports: list[ClusterReport], expected: GoalStatus | None) -> None:
    assert turn_outcome(reports) is expected
