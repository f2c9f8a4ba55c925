"""CEO planning: understand the operator's goal and turn it into cluster tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import Send

from nodes.ceo.goals import active_goals, record_goal
from nodes.ceo.models import ClusterInfo, Plan
from nodes.ceo.state import CEOState
from nodes.clusters import ClusterInput
from nodes.context import Context, services_of
from nodes.llm import ask_structured
from prompts import load_prompt
from tools.llm import BudgetExceededError

#: Earlier turns the planner sees (the goal itself is the last human message).
HISTORY_MESSAGES = 12


class PlanNode(Protocol):
    async def __call__(self, state: CEOState, runtime: Runtime[Context]) -> dict[str, Any]: ...


def last_human(messages: Sequence[AnyMessage]) -> HumanMessage | None:
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message
    return None


def make_plan_node(clusters: Sequence[ClusterInfo]) -> PlanNode:
    """The planning node for a given set of registered clusters."""
    known = {cluster.id for cluster in clusters}

    async def plan(state: CEOState, runtime: Runtime[Context]) -> dict[str, Any]:
        services = await services_of(runtime)
        messages = state.get("messages", [])
        human = last_human(messages)
        goal = human.text if human is not None else ""
        turn: dict[str, Any] = {"goal": goal, "reports": [], "stopped": None, "plan": None}
        if not goal.strip():
            return turn | {"stopped": "There was no message to act on."}
        history = [m for m in messages if m is not human][-HISTORY_MESSAGES:]
        prompt = load_prompt("ceo_plan")
        try:
            plan = await ask_structured(
                services,
                runtime,
                "ceo",
                Plan,
                prompt.format_messages(
                    history,
                    goal=goal,
                    clusters=[cluster.model_dump() for cluster in clusters],
                    active_goals=await active_goals(runtime.store),
                    today=date.today().isoformat(),
                ),
            )
        except BudgetExceededError as exc:
            return turn | {"stopped": str(exc)}
        # The model never routes to a cluster that does not exist.
        plan = plan.model_copy(update={"tasks": [t for t in plan.tasks if t.cluster in known]})
        if plan.tasks and human is not None:
            info = runtime.execution_info
            await record_goal(
                services,
                runtime.store,
                thread_id=info.thread_id if info else None,
                message_id=human.id or goal,
                text=plan.objective or goal,
                operator=runtime.context.operator if runtime.context else "operator",
            )
        return turn | {"plan": plan}

    return plan


def route_tasks(state: CEOState) -> list[Send] | str:
    """Every task to its cluster in parallel (``Send``), or straight to the answer."""
    plan = state.get("plan")
    if plan is None or not plan.tasks:
        return "respond"
    goal = state.get("goal", "")
    return [Send(task.cluster, ClusterInput(task=task, goal=goal)) for task in plan.tasks]
