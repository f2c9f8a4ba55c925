"""What the CEO produces: a plan of cluster tasks (the ``ceo_plan`` prompt's output contract)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nodes.clusters import ClusterTask


class Plan(BaseModel):
    objective: str = Field(description="The measurable objective, one sentence.")
    tasks: list[ClusterTask] = Field(default_factory=list)
    success_criteria: str = ""
    clarifying_question: str = ""


class ClusterInfo(BaseModel):
    """How the CEO sees a registered cluster when planning."""

    id: str
    description: str
    capabilities: list[str]
