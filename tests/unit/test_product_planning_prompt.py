"""The CEO's planning prompt describes what the product cluster can do, and the offline model
plans from exactly that prompt (as it would be sent to a real model)."""

from __future__ import annotations

from typing import Any

from graphs.registry import CLUSTERS
from nodes.ceo.models import Plan
from nodes.offline import offline_registry
from prompts import load_prompt
from tools.llm import OfflineRequest


def _planning_messages(goal: str) -> list[Any]:
    return load_prompt("ceo_plan").format_messages(
        [],
        goal=goal,
        clusters=[cluster.info.model_dump() for cluster in CLUSTERS],
        active_goals=[],
        today="2026-12-05",
    )


def test_the_planning_prompt_names_every_product_job_and_its_parameters() -> None:
    system = _planning_messages("Raise prices")[0].text
    for words in (
        "action='reprice'",
        "best_seller=true",
        "change_pct",
        "new_price_eur",
        "action='onboard_supplier'",
        "Not discounts",
    ):
        assert words in system


def test_the_offline_model_plans_a_price_change_from_the_rendered_prompt() -> None:
    responder = offline_registry().get("Plan")
    assert responder is not None
    request = OfflineRequest(
        kind="structured_output",
        name="Plan",
        messages=tuple(_planning_messages("Raise the price of our best seller by 30%")),
        schema=Plan.model_json_schema(),
    )
    plan = Plan.model_validate(responder(request))
    (task,) = plan.tasks
    assert task.cluster == "product"
    assert task.parameters == {"action": "reprice", "best_seller": True, "change_pct": "30"}
