"""Pricing Agent, second step: one product's price change through the approval gate.

The action is ``shopify_update_prices``'s own (``price.change``, with the exact arguments the
Shopify tool receives), so the policy judges the largest variant change (> 20 % is HIGH by the
default policy) and an approver's edit is re-derived and re-classified by the same tool. One
task per product, at most one interrupt; the write goes through the effects ledger once.
Setting a price is idempotent at Shopify as well, which covers the crash window.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import JsonValue

from nodes.approval import GateOutcome, Proposal, ProposalContext, run_gated
from nodes.approval.args import register_args_model
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.product.gated import gated_result
from nodes.product.models import Outcome, OutcomeStatus
from nodes.product.repricing import RepricePlan, largest
from nodes.product.state import RepriceInput
from tools.agent_tools import PreparedWrite, ToolClients, ToolInputError
from tools.agent_tools.shopify_pricing import (
    UPDATE_PRICES,
    NewVariantPrice,
    UpdatePricesArgs,
)
from tools.shopify.errors import ShopifyError

logger = logging.getLogger(__name__)

AGENT = "pricing_agent"


def price_args(plan: RepricePlan) -> UpdatePricesArgs:
    return UpdatePricesArgs(
        product_id=plan.product_id,
        variants=[
            NewVariantPrice(
                variant_id=change.variant_id,
                price=change.after,
                clear_compare_at_price=change.clear_compare_at,
            )
            for change in plan.changes
        ],
        reasoning=f"The operator asked to {plan.asked}; chosen as {plan.why}.",
    )


async def reprice(state: RepriceInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    plan = state["plan"]
    clients = ToolClients(
        shopify=services.shopify, github=services.github, suppliers=services.suppliers
    )
    try:
        write = await UPDATE_PRICES.prepare(
            price_args(plan), clients, cluster="product", agent=AGENT
        )
        context = runtime.context
        outcome = await run_gated(
            _proposal(plan, write),
            write.execute,
            services=services.gate(kill_switch=context.kill_switch if context else None),
            info=runtime.execution_info,
            writer=runtime.stream_writer,
        )
    except (ShopifyError, ToolInputError) as exc:
        return _failed(plan, exc)
    return {"outcomes": [_outcome(plan, outcome)]}


def _proposal(plan: RepricePlan, write: PreparedWrite) -> Proposal:
    # The product's own text travels with the action for the approver and the audit log; the
    # policy never reads it, so a description claiming "pre-approved" changes nothing.
    action = write.action.model_copy(update={"source_text": plan.source_text})
    risk_factors = [
        f"the 'was' price of {c.title} (€{c.compare_at_before}) is removed: the new price "
        "reaches it"
        for c in plan.changes
        if c.clear_compare_at
    ]
    return Proposal(
        action=action,
        context=ProposalContext(
            title=f"Change the price of {plan.title}: {plan.asked}",
            description=f"{plan.title}: {plan.describe()}. Chosen as {plan.why}.",
            reasoning=f"The operator asked to {plan.asked}.",
            data_sources=plan.data_sources,
            risk_factors=risk_factors,
        ),
        args_model=write.args_model,
        rebuild=write.rebuild,
    )


def _outcome(plan: RepricePlan, gate: GateOutcome) -> Outcome:
    status, reasons = gated_result(gate, OutcomeStatus.REPRICED)
    args = UpdatePricesArgs.model_validate(gate.action.args)
    before = {change.variant_id: change.before for change in plan.changes}
    changes = "; ".join(_change(before.get(new.variant_id), new.price) for new in args.variants)
    edited = " (as the approver edited it)" if gate.action.args != _proposed_args(plan) else ""
    return Outcome(
        title=plan.title,
        status=status,
        detail=f"{changes}{edited}; chosen as {plan.why}",
        reasons=reasons,
        price_eur=args.variants[0].price,
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        decided_by=gate.decided_by,
        shopify_id=plan.product_id,
    )


def _proposed_args(plan: RepricePlan) -> dict[str, JsonValue]:
    return UPDATE_PRICES.action_args(price_args(plan))


def _change(before: Decimal | None, after: Decimal) -> str:
    if before is None or before <= 0:
        return f"€{after}"
    return f"€{before} → €{after} ({(after - before) * 100 / before:+.2f}%)"


def _failed(plan: RepricePlan, exc: Exception) -> dict[str, Any]:
    logger.warning("price change of %s failed: %s", plan.title, exc)
    outcome = Outcome(
        title=plan.title,
        status=OutcomeStatus.FAILED,
        detail=f"{plan.asked}: {largest(plan.changes).describe()} was not applied",
        reasons=[f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"],
    )
    if isinstance(exc, ToolInputError):
        return {"outcomes": [outcome]}
    failure = ServiceFailure.of(
        "Shopify", f"change the price of {plan.title}", exc, "the price was not changed"
    )
    return {"outcomes": [outcome], "failures": [failure]}


register_args_model(UPDATE_PRICES.spec.name, UpdatePricesArgs)
