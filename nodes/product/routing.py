"""Where a product task starts: its job (``parameters["action"]``) picks the first node."""

from __future__ import annotations

from nodes.clusters import ClusterTask
from nodes.product.jobs import ProductJob, UnknownJobError, job_of
from nodes.product.state import ProductState

FIRST_NODE = {
    ProductJob.SOURCE: "scout",
    ProductJob.REPRICE: "choose_product",
    ProductJob.ONBOARD_SUPPLIER: "choose_supplier",
}


def route_task(state: ProductState) -> str:
    """The job's first node; a job the cluster does not do goes to the report, which says so."""
    try:
        return FIRST_NODE[job_of(ClusterTask.model_validate(state["task"]))]
    except UnknownJobError:
        return "report"
