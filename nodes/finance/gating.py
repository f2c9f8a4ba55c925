"""Run one finance write through the approval gate, in the task that owns it."""

from __future__ import annotations

from langgraph.runtime import Runtime

from nodes.approval import Execute, GateOutcome, GateStatus, Proposal, run_gated
from nodes.context import Context
from nodes.finance.models import ItemStatus
from nodes.services import Services

NOT_EXECUTED = {GateStatus.REJECTED: ItemStatus.REJECTED, GateStatus.EXPIRED: ItemStatus.EXPIRED}


async def gated(
    services: Services, runtime: Runtime[Context], proposal: Proposal, execute: Execute
) -> GateOutcome:
    context = runtime.context
    return await run_gated(
        proposal,
        execute,
        services=services.gate(kill_switch=context.kill_switch if context else None),
        info=runtime.execution_info,
        writer=runtime.stream_writer,
    )


def decision_reasons(outcome: GateOutcome) -> list[str]:
    """The policy's reasons, plus the approver's word when the write did not happen."""
    reasons = list(outcome.classification.reasons)
    if outcome.status is not GateStatus.EXECUTED:
        reasons.append(
            f"approver {outcome.status}" + (f": {outcome.notes}" if outcome.notes else "")
        )
    return reasons
