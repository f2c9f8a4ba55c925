"""Product Publisher: copy from the copywriting model, then create and publish on Shopify
through the approval gate (one task per product, at most one interrupt)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import JsonValue

from nodes.approval import (
    Alternative,
    GateOutcome,
    Proposal,
    ProposalContext,
    run_gated,
)
from nodes.context import Context, services_of
from nodes.llm import ask_structured
from nodes.product.gated import gated_result
from nodes.product.listing import ListingArgs, listing_for, publish_action
from nodes.product.models import Approved, Outcome, OutcomeStatus, ProductCopy
from nodes.product.scout import keywords
from nodes.product.shopify_listing import create_and_publish
from nodes.product.state import PublishInput
from nodes.services import Services
from policies import Action
from prompts import load_prompt


async def publish(state: PublishInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    item = state["item"]
    copy = await _copy(services, runtime, item)
    listing = listing_for(item, copy)

    def rebuild(edited: dict[str, JsonValue]) -> Action:
        return publish_action(item, ListingArgs.model_validate(edited))

    proposal = Proposal(
        action=publish_action(item, listing),
        context=_context(item, listing),
        args_model=ListingArgs,
        rebuild=rebuild,
    )

    async def execute(action: Action, key: str) -> JsonValue:
        return await create_and_publish(
            services.shopify, ListingArgs.model_validate(action.args), effect_key=key
        )

    context = runtime.context
    outcome = await run_gated(
        proposal,
        execute,
        services=services.gate(kill_switch=context.kill_switch if context else None),
        info=runtime.execution_info,
        writer=runtime.stream_writer,
    )
    return {"outcomes": [_outcome(item, outcome)]}


async def _copy(services: Services, runtime: Runtime[Context], item: Approved) -> ProductCopy:
    prompt = load_prompt("copywriting_seo")
    candidate = item.candidate
    return await ask_structured(
        services,
        runtime,
        "copywriting",
        ProductCopy,
        prompt.format_messages(
            product={
                "title": candidate.title,
                "category": candidate.category,
                "price_eur": str(item.pricing.price_eur),
                "shipping_days": item.pricing.shipping_days,
                "supplier_description": candidate.description,
            },
            keywords=keywords(candidate.title)[:4],
            language="en",
            brand_voice="Friendly, practical and precise; no hype.",
        ),
    )


def _context(item: Approved, listing: ListingArgs) -> ProposalContext:
    candidate, pricing, case = item.candidate, item.pricing, item.case
    return ProposalContext(
        title=f"Publish {listing.title} at €{listing.price}",
        description=(
            f"Create and publish {listing.title!r} on the Online Store at €{listing.price} "
            f"(margin {pricing.margin_pct}%), supplied by {item.scorecard.vendor_name} "
            f"({item.scorecard.status} supplier) via {candidate.supplier}."
        ),
        reasoning="; ".join(case.reasons),
        data_sources=[
            f"{candidate.supplier}:product/{candidate.product_id}",
            f"{candidate.supplier}:vendor/{item.scorecard.vendor_id}",
            f"{candidate.supplier}:shipping-quote ({pricing.shipping_days} days)",
            "shopify:similar products in the store",
        ],
        estimated_revenue=case.estimated_monthly_revenue_eur,
        estimated_cost=case.estimated_monthly_cost_eur,
        revenue_period="month",
        confidence=case.confidence,
        risk_factors=[*case.risk_factors, *item.scorecard.failures, *pricing.notes],
        alternatives=[Alternative(description=alt) for alt in case.alternatives],
    )


def _outcome(item: Approved, gate: GateOutcome) -> Outcome:
    status, reasons = gated_result(gate, OutcomeStatus.PUBLISHED)
    listing = ListingArgs.model_validate(gate.action.args)
    result = gate.result if isinstance(gate.result, dict) else {}
    return Outcome(
        title=listing.title,
        status=status,
        supplier=item.candidate.supplier,
        vendor=item.scorecard.vendor_name,
        reasons=reasons,
        price_eur=listing.price,
        margin_pct=gate.action.margin_pct,
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        decided_by=gate.decided_by,
        handle=listing.handle,
        shopify_id=str(result["product_id"]) if "product_id" in result else None,
    )
