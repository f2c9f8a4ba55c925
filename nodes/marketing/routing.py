"""Where a marketing task starts: its job (``parameters["action"]``) picks the first node."""

from __future__ import annotations

from nodes.clusters import ClusterTask
from nodes.marketing.jobs import MarketingJob, UnknownJobError, job_of
from nodes.marketing.state import MarketingState

FIRST_NODE = {
    MarketingJob.LAUNCH_ADS: "plan_launch",
    MarketingJob.WATCH_ADS: "watch",
    MarketingJob.DISCOUNT: "discount",
    MarketingJob.SEO: "seo",
}


def route_task(state: MarketingState) -> str:
    try:
        return FIRST_NODE[job_of(ClusterTask.model_validate(state["task"]))]
    except UnknownJobError:
        return "report"
