"""CEO Decision: reject what does not earn the minimum margin; write the case for the rest."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from nodes.context import Context, services_of
from nodes.llm import ask_structured
from nodes.product.models import (
    Approved,
    BusinessCase,
    Outcome,
    OutcomeStatus,
    Priced,
    SourcingParams,
)
from nodes.product.state import ProductState, PublishInput
from prompts import load_prompt


def _rejected(item: Priced, reasons: list[str]) -> Outcome:
    return Outcome(
        title=item.candidate.title,
        status=OutcomeStatus.REJECTED,
        supplier=item.candidate.supplier,
        vendor=item.scorecard.vendor_name,
        reasons=reasons,
        price_eur=item.pricing.price_eur,
        margin_pct=item.pricing.margin_pct,
    )


async def ceo_decision(state: ProductState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    params = SourcingParams.of(state["task"])
    prompt = load_prompt("ceo_product_decision")
    approved: list[Approved] = []
    rejected: list[Outcome] = []
    for item in state.get("priced", []):
        if item.pricing.margin_pct < params.min_margin_pct:
            rejected.append(
                _rejected(
                    item,
                    [
                        f"margin {item.pricing.margin_pct}% at €{item.pricing.price_eur} is below "
                        f"the {params.min_margin_pct}% minimum"
                    ],
                )
            )
            continue
        if len(approved) >= params.count:
            continue  # the best `count` are enough; the rest stay unpublished, not rejected
        case = await ask_structured(
            services,
            runtime,
            "ceo",
            BusinessCase,
            prompt.format_messages(
                goal=state.get("goal", ""),
                product=item.candidate.model_dump(mode="json", exclude={"vendor"}),
                supplier_scorecard=item.scorecard.model_dump(mode="json"),
                pricing=item.pricing.model_dump(mode="json"),
                checks={
                    "min_margin_pct": str(params.min_margin_pct),
                    "margin_pct": str(item.pricing.margin_pct),
                    "max_price_eur": str(params.max_price_eur) if params.max_price_eur else None,
                },
            ),
        )
        if case.decision.strip().lower() != "publish":
            rejected.append(_rejected(item, case.reasons or ["the CEO recommends against it"]))
            continue
        approved.append(Approved(**item.model_dump(), case=case))
    return {"approved": approved, "outcomes": rejected}


def route_approved(state: ProductState) -> list[Send] | str:
    """One publish task per product: each HIGH-risk publish gets its own single interrupt."""
    items = state.get("approved", [])
    if not items:
        return "report"
    return [
        Send("publish", PublishInput(task=state["task"], goal=state.get("goal", ""), item=item))
        for item in items
    ]
