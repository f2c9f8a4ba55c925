"""The offline model plans the goals people type: a table of phrasings and their expected plans.

Every cluster keeps its phrasings in ``offline_phrasings/<cluster>.yaml``: the goal, and either
the tasks the plan must hold (cluster, and a subset of the parameters) or words its clarifying
question must contain. A goal no rule covers gets an honest answer, never an empty plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from graphs.registry import CLUSTERS
from nodes.ceo.intents import plan_from_intents
from nodes.ceo.models import Plan
from nodes.offline import OFFLINE_INTENTS

TABLES = sorted((Path(__file__).parent / "offline_phrasings").glob("*.yaml"))
KNOWN = {cluster.info.id for cluster in CLUSTERS}


class ExpectedTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: str
    parameters: dict[str, JsonValue] = Field(default_factory=dict)


class Phrasing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: str
    tasks: list[ExpectedTask] = Field(default_factory=list)
    question: list[str] = Field(default_factory=list)


def _phrasings() -> list[Any]:
    cases = []
    for table in TABLES:
        for entry in yaml.safe_load(table.read_text()):
            phrasing = Phrasing.model_validate(entry)
            cases.append(pytest.param(phrasing, id=f"{table.stem}: {phrasing.goal}"))
    return cases


@pytest.mark.parametrize("phrasing", _phrasings())
def test_the_offline_model_plans_the_goal(phrasing: Phrasing) -> None:
    plan = Plan.model_validate(plan_from_intents(phrasing.goal, OFFLINE_INTENTS, KNOWN))
    if phrasing.question:
        assert plan.tasks == []
        for words in phrasing.question:
            assert words.lower() in plan.clarifying_question.lower()
        return
    assert [task.cluster for task in plan.tasks] == [t.cluster for t in phrasing.tasks]
    for task, expected in zip(plan.tasks, phrasing.tasks, strict=True):
        for name, value in expected.parameters.items():
            assert task.parameters.get(name) == value, (name, task.parameters)


@pytest.mark.parametrize(
    "goal", ["What is the meaning of life?", "Tell me a joke", "Hello", "Schedule a team meeting"]
)
def test_a_goal_no_rule_covers_gets_an_honest_answer(goal: str) -> None:
    plan = Plan.model_validate(plan_from_intents(goal, OFFLINE_INTENTS, KNOWN))
    assert plan.tasks == []
    assert "offline model" in plan.clarifying_question
    assert goal in plan.clarifying_question
    for cluster in KNOWN:  # an example for every cluster the CEO can reach
        assert f"- {cluster}:" in plan.clarifying_question


def test_a_cluster_the_ceo_cannot_reach_is_not_planned() -> None:
    plan = Plan.model_validate(
        plan_from_intents("Find and publish a white glossy mug", OFFLINE_INTENTS, set())
    )
    assert plan.tasks == []
    assert "offline model" in plan.clarifying_question
