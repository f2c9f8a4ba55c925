"""Discount Agent: a Shopify discount code, or an automatic discount (applied at checkout
without a code), through the approval gate, always with an end date.

The write is ``shopify_create_discount``'s (or ``shopify_create_automatic_discount``'s) own
``discount.create`` action, so both kinds are classified by the same rules; the policy rates it
by its percentage (> 30 % HIGH) and by its estimated cost — the store's average daily revenue
of the last 30 days × the discount's days × the percentage — set as the action's amount, so
the ``discount-costly`` rule sees it. An approver's edit is re-derived, with the estimate
recomputed from the edited percentage and dates.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from nodes.approval import GateStatus, Proposal, ProposalContext, run_gated
from nodes.approval.args import register_args_model
from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.marketing.models import Outcome, OutcomeStatus
from nodes.marketing.state import MarketingState
from nodes.product.jobs import problem_of
from nodes.product.sales import best_sellers
from nodes.services import Services
from policies import Action
from tools.agent_tools import ToolClients, ToolInputError
from tools.agent_tools.definition import WriteTool
from tools.agent_tools.shopify_automatic_discounts import (
    CREATE_AUTOMATIC_DISCOUNT,
    AutomaticDiscountArgs,
)
from tools.agent_tools.shopify_discounts import CREATE_DISCOUNT, DiscountArgs
from tools.shopify.errors import ShopifyError

logger = logging.getLogger(__name__)

AGENT = "discount_agent"
#: The window whose revenue estimates what a discount gives away.
REVENUE_DAYS = 30
DEFAULT_DAYS = 14


class DiscountParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    discount_pct: Decimal = Field(gt=0, le=100, decimal_places=2)
    name: str = Field(default="sale", min_length=1, max_length=60)
    days: int = Field(default=DEFAULT_DAYS, ge=1, le=365)
    ends_on: date | None = None
    automatic: bool = False

    @classmethod
    def of(cls, task: ClusterTask) -> DiscountParams:
        return cls.model_validate(task.parameters)


def code_for(name: str, pct: Decimal) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", name.upper())[:20] or "SALE"
    return f"{letters}{pct.normalize():f}".replace(".", "_")


async def daily_revenue(services: Services) -> Decimal:
    ranked = await best_sellers(services.shopify, now=services.clock(), days=REVENUE_DAYS)
    return sum((p.revenue_eur for p in ranked), Decimal(0)) / REVENUE_DAYS


AnyDiscountArgs = DiscountArgs | AutomaticDiscountArgs


def estimated_cost(args: AnyDiscountArgs, per_day: Decimal) -> Decimal:
    start = args.starts_at
    days = Decimal(DEFAULT_DAYS)
    if start is not None and args.ends_at is not None:
        days = Decimal(max(1, (args.ends_at - start).days))
    share = (args.percentage or Decimal(0)) / 100
    return (per_day * days * share).quantize(Decimal("0.01"))


def _proposed(
    params: DiscountParams, title: str, start: datetime, end: datetime, reasoning: str
) -> AnyDiscountArgs:
    if params.automatic:
        return AutomaticDiscountArgs(
            title=title,
            percentage=params.discount_pct,
            starts_at=start,
            ends_at=end,
            reasoning=reasoning,
        )
    return DiscountArgs(
        code=code_for(params.name, params.discount_pct),
        title=title,
        percentage=params.discount_pct,
        starts_at=start,
        ends_at=end,
        reasoning=reasoning,
    )


def _tool(args: AnyDiscountArgs) -> WriteTool[Any, Any]:
    if isinstance(args, AutomaticDiscountArgs):
        return CREATE_AUTOMATIC_DISCOUNT
    return CREATE_DISCOUNT


async def discount(state: MarketingState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    try:
        params = DiscountParams.of(task)
    except ValidationError as exc:
        stopped = Outcome(title="Discount", status=OutcomeStatus.STOPPED, reasons=[problem_of(exc)])
        return {"task": task, "outcomes": [stopped]}
    now = services.clock()
    start = now.replace(microsecond=0)
    if params.ends_on is not None:
        end = datetime.combine(params.ends_on, time(23, 59, 59), tzinfo=now.tzinfo)
    else:
        end = start + timedelta(days=params.days)
    title = f"{params.name.title()} {params.discount_pct.normalize():f}% off"
    reasoning = f"The operator asked for {params.discount_pct}% off for the {params.name}."
    args = _proposed(params, title, start, end, reasoning)
    args_model = type(args)
    code = args.title if isinstance(args, AutomaticDiscountArgs) else args.code
    clients = ToolClients(
        shopify=services.shopify, github=services.github, suppliers=services.suppliers
    )
    try:
        per_day = await daily_revenue(services)
        write = await _tool(args).prepare(args, clients, cluster="marketing", agent=AGENT)
        cost = estimated_cost(args, per_day)

        def rebuild(edited: dict[str, JsonValue]) -> Action:
            action = write.rebuild(edited)
            edited_args = args_model.model_validate(edited)
            if edited_args.ends_at is None:
                raise ToolInputError("a discount needs an end date (ends_at)")
            return action.model_copy(update={"amount": estimated_cost(edited_args, per_day)})

        context = runtime.context
        gate = await run_gated(
            Proposal(
                action=write.action.model_copy(update={"amount": cost}),
                context=ProposalContext(
                    title=write.title,
                    description=f"{write.description} Estimated cost €{cost}: average daily "
                    f"revenue €{per_day:.2f} (last {REVENUE_DAYS} days) × the discount's days × "
                    f"{params.discount_pct}%.",
                    reasoning=args.reasoning,
                    data_sources=[f"shopify:orders of the last {REVENUE_DAYS} days"],
                    estimated_cost=cost,
                ),
                args_model=args_model,
                rebuild=rebuild,
            ),
            write.execute,
            services=services.gate(kill_switch=context.kill_switch if context else None),
            info=runtime.execution_info,
            writer=runtime.stream_writer,
        )
    except (ShopifyError, ToolInputError) as exc:
        logger.warning("discount failed: %s", exc)
        failed = Outcome(title=f"Discount {code}", status=OutcomeStatus.FAILED, reasons=[str(exc)])
        failures = (
            [ServiceFailure.of("Shopify", f"create the discount {code}", exc, "no discount")]
            if isinstance(exc, ShopifyError)
            else []
        )
        return {"task": task, "outcomes": [failed], "failures": failures}
    made = args_model.model_validate(gate.action.args)
    reasons = list(gate.classification.reasons)
    if gate.status is GateStatus.EXECUTED:
        status = OutcomeStatus.CREATED
    else:
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
        status = OutcomeStatus.REJECTED
    ends = made.ends_at.date().isoformat() if made.ends_at else "?"
    name = (
        f"Automatic discount {made.title!r}"
        if isinstance(made, AutomaticDiscountArgs)
        else f"Discount code {made.code}"
    )
    applied = " at checkout, without a code," if isinstance(made, AutomaticDiscountArgs) else ""
    outcome = Outcome(
        title=name,
        status=status,
        detail=f"{made.percentage}% off the whole order{applied} until {ends} (estimated cost €"
        f"{gate.action.amount})",
        reasons=reasons,
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        decided_by=gate.decided_by,
    )
    return {"task": task, "outcomes": [outcome]}


register_args_model(CREATE_DISCOUNT.spec.name, DiscountArgs)
register_args_model(CREATE_AUTOMATIC_DISCOUNT.spec.name, AutomaticDiscountArgs)
