"""The offline model's planner: goals people type, matched by each cluster's rules, into a plan.

Each cluster contributes ``Intent`` rules (``nodes/<cluster>/intents.py``) and the offline
registry (``nodes/offline.py``) lists them. A rule reads the goal's words and returns tasks for
its cluster, or a specific question when the goal lacks something it needs. The planner keeps
the strongest matches, and a goal no rule covers gets an honest answer that says what the
offline model can plan, with an example per cluster the CEO can reach.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import JsonValue

#: Strength of a match. A goal matched strongly by one rule drops the weak matches of others
#: (e.g. "find our best seller and raise its price" is a price change, not a sourcing task).
WEAK, STRONG = 1, 2
#: Example goals shown per cluster when the offline model could not plan a goal.
EXAMPLES_SHOWN = 3


@dataclass(frozen=True)
class IntentTask:
    """One task a rule plans (the fields of ``ClusterTask`` minus the cluster)."""

    title: str
    instructions: str
    parameters: dict[str, JsonValue] = field(default_factory=dict)
    after: tuple[str, ...] = ()
    """Clusters whose tasks in the same plan this one waits for (e.g. ads after publishing)."""


@dataclass(frozen=True)
class IntentMatch:
    """What a rule made of a goal: tasks, or a question when something it needs is missing."""

    tasks: tuple[IntentTask, ...] = ()
    question: str = ""
    strength: int = STRONG
    objective: str = ""
    success_criteria: str = ""


@dataclass(frozen=True)
class Intent:
    """A rule of the offline planner for one cluster."""

    cluster: str
    name: str
    match: Callable[[str], IntentMatch | None]
    examples: tuple[str, ...] = ()
    """Goals this rule plans, shown to a user whose goal no rule understood."""


def plan_from_intents(
    goal: str, intents: Sequence[Intent], known_clusters: set[str]
) -> dict[str, Any]:
    """The ``Plan`` (as the structured-output dict) the offline model answers for ``goal``."""
    usable = [intent for intent in intents if intent.cluster in known_clusters]
    matches: list[tuple[Intent, IntentMatch]] = []
    for intent in usable:
        found = intent.match(goal)
        if found is not None:
            matches.append((intent, found))
    strongest = max((m.strength for _, m in matches), default=0)
    kept = [(i, m) for i, m in matches if m.strength == strongest]
    tasks = [(intent.cluster, task) for intent, m in kept for task in m.tasks]
    if not tasks:
        question = next((m.question for _, m in kept if m.question), "")
        return _no_tasks(goal, question or cannot_plan(goal, usable))
    titles_by_cluster: dict[str, list[str]] = {}
    for cluster, task in tasks:
        titles_by_cluster.setdefault(cluster, []).append(task.title)
    planned = [
        {
            "cluster": cluster,
            "title": task.title,
            "instructions": task.instructions,
            "parameters": task.parameters,
            "depends_on": [t for c in task.after for t in titles_by_cluster.get(c, [])],
        }
        for cluster, task in tasks
    ]
    first = kept[0][1]
    return {
        "objective": first.objective or goal,
        "tasks": planned,
        "success_criteria": "; ".join(m.success_criteria for _, m in kept if m.success_criteria),
        "clarifying_question": "",
    }


def _no_tasks(goal: str, question: str) -> dict[str, Any]:
    return {"objective": goal, "tasks": [], "success_criteria": "", "clarifying_question": question}


def cannot_plan(goal: str, intents: Sequence[Intent]) -> str:
    """The honest answer to a goal no rule understood: what the offline model can plan."""
    examples: dict[str, list[str]] = {}
    for intent in intents:
        examples.setdefault(intent.cluster, []).extend(intent.examples[:1])
    lines = "\n".join(
        f"- {cluster}: " + "; ".join(f'"{example}"' for example in found[:EXAMPLES_SHOWN])
        for cluster, found in examples.items()
        if found
    )
    return (
        f'I could not turn "{goal}" into a plan. I am running on the offline model (no '
        "OPENAI_API_KEY is set), which plans goals by rules, not by understanding free text. "
        "Goals it understands look like these:\n"
        f"{lines}\n"
        "Rephrase your goal like one of them, or configure a real model for free-form goals."
    )
