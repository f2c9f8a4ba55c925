"""Retention offer: one win-back discount code for the customers at churn risk.

The code is made with the marketing cluster's own tool (``shopify_create_discount``), single
use per customer, as many uses as customers at risk, and always with an end date. The policy
rates it like any discount: by its percentage (> 30 % HIGH) and by its estimated total value
(the percentage of each at-risk customer's average order, summed; > €1000 HIGH). Sending the
code to the customers is the email agent's job; this names who it is for.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from nodes.approval import GateStatus, Proposal, ProposalContext, run_gated
from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.customer_service.loyalty import MAX_ORDERS, ChurnRisk, CustomerValue, segment
from nodes.customer_service.models import CLUSTER, Outcome, OutcomeStatus
from nodes.customer_service.state import CustomerServiceState
from nodes.product.jobs import problem_of
from policies import Action
from tools.agent_tools import ToolClients, ToolInputError
from tools.agent_tools.shopify_discounts import CREATE_DISCOUNT, DiscountArgs
from tools.shopify.errors import ShopifyError

AGENT = "retention_agent"
DEFAULT_PCT = Decimal(10)
DEFAULT_DAYS = 14
NAMED = 5


class OfferParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    discount_pct: Decimal = Field(default=DEFAULT_PCT, gt=0, le=100, decimal_places=2)
    days: int = Field(default=DEFAULT_DAYS, ge=1, le=90)


def offer_value(pct: Decimal, customers: list[CustomerValue], uses: int | None) -> Decimal:
    """What the code gives away if every customer it is for uses it once on an average order
    (``uses`` caps how many of them can)."""
    averages = sorted((c.lifetime_value / c.orders for c in customers), reverse=True)
    counted = averages[:uses] if uses is not None else averages
    return (sum(counted, Decimal(0)) * pct / 100).quantize(Decimal("0.01"))


def _stopped(detail: str) -> dict[str, Any]:
    return {
        "outcomes": [
            Outcome(subject="Retention offer", status=OutcomeStatus.STOPPED, detail=detail)
        ]
    }


async def retention_offer(state: CustomerServiceState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    try:
        params = OfferParams.model_validate(task.parameters)
    except ValidationError as exc:
        return _stopped(problem_of(exc))
    try:
        orders = [o async for o in services.shopify.iter_orders(limit=MAX_ORDERS)]
    except ShopifyError as exc:
        return {"failures": [ServiceFailure.of("Shopify", "list orders", exc, "no offer made")]}
    now = services.clock().replace(microsecond=0)
    at_risk = [v for v in segment(orders, now) if v.churn_risk is ChurnRisk.HIGH]
    if not at_risk:
        return {"notes": ["No customer is at churn risk, so no retention offer was made."]}
    pct = params.discount_pct
    code = f"COMEBACK{pct.normalize():f}-{now:%Y%m%d}".replace(".", "_")
    args = DiscountArgs(
        code=code,
        title=f"Win-back {pct.normalize():f}% for {len(at_risk)} customer(s) at churn risk",
        percentage=pct,
        starts_at=now,
        ends_at=now + timedelta(days=params.days),
        usage_limit=len(at_risk),
        once_per_customer=True,
        reasoning=f"{len(at_risk)} customer(s) have not ordered for twice their usual gap.",
    )
    clients = ToolClients(
        shopify=services.shopify, github=services.github, suppliers=services.suppliers
    )
    value = offer_value(pct, at_risk, args.usage_limit)
    who = ", ".join(c.email for c in at_risk[:NAMED]) + (
        f" and {len(at_risk) - NAMED} more" if len(at_risk) > NAMED else ""
    )
    try:
        write = await CREATE_DISCOUNT.prepare(args, clients, cluster=CLUSTER, agent=AGENT)

        def rebuild(edited: dict[str, JsonValue]) -> Action:
            chosen = DiscountArgs.model_validate(edited)
            if chosen.ends_at is None or chosen.percentage is None:
                raise ToolInputError("a retention offer needs a percentage and an end date")
            action = write.rebuild(edited)
            worth = offer_value(chosen.percentage, at_risk, chosen.usage_limit)
            return action.model_copy(update={"amount": worth})

        context = runtime.context
        gate = await run_gated(
            Proposal(
                action=write.action.model_copy(update={"amount": value}),
                context=ProposalContext(
                    title=write.title,
                    description=f"{write.description} For the customers at churn risk: {who}. "
                    f"Estimated value €{value}: {pct}% of each one's average order.",
                    reasoning=args.reasoning,
                    data_sources=["shopify:orders (lifetime value, order gaps)"],
                    estimated_cost=value,
                ),
                args_model=DiscountArgs,
                rebuild=rebuild,
            ),
            write.execute,
            services=services.gate(kill_switch=context.kill_switch if context else None),
            info=runtime.execution_info,
            writer=runtime.stream_writer,
        )
    except (ShopifyError, ToolInputError) as exc:
        failure = ServiceFailure.of("Shopify", f"create the discount {code}", exc, "no offer")
        return {"failures": [failure]}
    made = DiscountArgs.model_validate(gate.action.args)
    reasons = list(gate.classification.reasons)
    status = OutcomeStatus.OFFERED
    if gate.status is not GateStatus.EXECUTED:
        status = (
            OutcomeStatus.REJECTED if gate.status is GateStatus.REJECTED else OutcomeStatus.EXPIRED
        )
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
    ends = made.ends_at.date().isoformat() if made.ends_at else "?"
    outcome = Outcome(
        subject=f"Retention offer {made.code}",
        status=status,
        detail=f"{made.percentage}% off, once per customer, {made.usage_limit} use(s), until "
        f"{ends}, for {who} (estimated value €{gate.action.amount}); not sent to the "
        "customers yet",
        reasons=reasons,
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        amount=gate.action.amount,
    )
    return {"outcomes": [outcome]}
