"""Expenses the cluster proposes (a supplier payment, a bulk restock, a shipping upgrade).

The policy's expense rules rate them by amount (< €100 LOW, €100–1000 MEDIUM, > €1000 HIGH,
in ``policies/default_policy.yaml``); an approver's edit is re-classified by the gate. An
executed expense is the effect itself: recorded once in the effects ledger, where the P&L reads
it (``recorded_expenses``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field, JsonValue
from sqlalchemy import select

from nodes.approval import GateStatus, Proposal, ProposalContext
from nodes.approval.args import register_args_model
from nodes.clusters import ClusterTask
from nodes.context import Context, services_of
from nodes.finance.gating import NOT_EXECUTED, decision_reasons, gated
from nodes.finance.jobs import SUPPLIER_PAYMENT, params_of
from nodes.finance.models import FinanceItem, ItemStatus
from nodes.finance.state import FinanceState
from policies import Action, ActionKind
from storage import Database
from storage.enums import EffectStatus
from storage.schema import effects

EXPENSE_TOOL = "finance_record_expense"
AGENT = "financial_analyst"


class ExpenseArgs(BaseModel):
    """An expense as the books will record it; an approver may edit any field."""

    model_config = ConfigDict(extra="forbid")

    amount_eur: Decimal = Field(ge=0, decimal_places=2, description="What it costs, in EUR.")
    description: str = Field(min_length=1, max_length=500)
    category: str = Field(default="other", max_length=64)


def expense_action(args: ExpenseArgs, reasoning: str = "") -> Action:
    json_args: dict[str, JsonValue] = args.model_dump(mode="json")
    return Action(
        cluster="finance",
        agent=AGENT,
        tool=EXPENSE_TOOL,
        kind=ActionKind.EXPENSE_CREATE,
        args=json_args,
        amount=args.amount_eur,
        currency="EUR",
        reasoning=reasoning,
    )


async def expense(state: FinanceState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    params = params_of(task)
    if params.amount_eur is None:
        return {"summary": ["No amount was given for the expense; nothing was recorded."]}
    args = ExpenseArgs(
        amount_eur=params.amount_eur.quantize(Decimal("0.01")),
        description=(params.description or task.title)[:500],
        category=params.category[:64],
    )
    proposal = Proposal(
        action=expense_action(args, task.instructions),
        context=ProposalContext(
            title=f"Expense of €{args.amount_eur}: {args.description[:80]}",
            description=f"Record a {args.category} expense of €{args.amount_eur} in the books.",
            reasoning=task.instructions,
            data_sources=["operator goal"],
            estimated_cost=args.amount_eur,
        ),
        args_model=ExpenseArgs,
        rebuild=lambda edited: expense_action(ExpenseArgs.model_validate(edited)),
    )

    async def record(action: Action, key: str) -> JsonValue:
        recorded = ExpenseArgs.model_validate(action.args)
        return {"recorded": True, **recorded.model_dump(mode="json"), "reference": key[:16]}

    outcome = await gated(services, runtime, proposal, record)
    final = ExpenseArgs.model_validate(outcome.action.args)
    status = (
        ItemStatus.RECORDED
        if outcome.status is GateStatus.EXECUTED
        else NOT_EXECUTED[outcome.status]
    )
    return {
        "items": [
            FinanceItem(
                title=f"Expense €{final.amount_eur} ({final.category})",
                status=status,
                detail=final.description,
                reasons=decision_reasons(outcome),
                risk_level=str(outcome.classification.level),
                approval_id=outcome.approval_id,
                figures={"amount_eur": str(final.amount_eur)},
            )
        ]
    }


async def recorded_expenses(database: Database, start: datetime, end: datetime) -> Decimal:
    """The expenses executed through the gate with ``start <= applied_at < end``, in EUR."""
    query = select(effects.c.result).where(
        effects.c.tool == EXPENSE_TOOL,
        effects.c.status == EffectStatus.APPLIED.value,
        effects.c.applied_at >= start,
        effects.c.applied_at < end,
    )
    async with database.read() as connection:
        rows = (await connection.execute(query)).scalars().all()
    return sum(
        (Decimal(str(r["amount_eur"])) for r in rows if isinstance(r, dict) and "amount_eur" in r),
        Decimal(0),
    )


async def recorded_supplier_payments(database: Database) -> Decimal:
    """Every supplier payment executed through the gate so far, in EUR."""
    query = select(effects.c.result).where(
        effects.c.tool == EXPENSE_TOOL, effects.c.status == EffectStatus.APPLIED.value
    )
    async with database.read() as connection:
        rows = (await connection.execute(query)).scalars().all()
    return sum(
        (
            Decimal(str(r["amount_eur"]))
            for r in rows
            if isinstance(r, dict) and r.get("category") == SUPPLIER_PAYMENT and "amount_eur" in r
        ),
        Decimal(0),
    )


register_args_model(EXPENSE_TOOL, ExpenseArgs)
