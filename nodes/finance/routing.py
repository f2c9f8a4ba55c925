"""Where a finance task starts: its job (``parameters["action"]``) picks the first node."""

from __future__ import annotations

from nodes.clusters import ClusterTask
from nodes.finance.jobs import FinanceJob, UnknownJobError, params_of
from nodes.finance.state import FinanceState

FIRST_NODE = {
    FinanceJob.REPORT: "analyse",
    FinanceJob.FULFIL: "sweep",
    FinanceJob.EXPENSE: "expense",
}


def route_task(state: FinanceState) -> str:
    """The job's first node; a job the cluster does not do goes to the report, which says so."""
    try:
        job = params_of(ClusterTask.model_validate(state["task"])).action
    except UnknownJobError:
        return "report"
    return FIRST_NODE.get(job, "report")
