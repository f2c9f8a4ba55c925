"""The approval gate as the ``WriteGate`` agent tools write through.

``tools/`` cannot import ``nodes/``, so write tools only know the ``WriteGate`` protocol; this
adapter turns their ``PreparedWrite`` into a ``Proposal`` for ``run_gated`` and the gate's outcome
into the JSON the agent reads. Build one per node invocation, from that node's runtime, so the
idempotency key and the interrupt belong to the task making the write.
"""

from __future__ import annotations

from langgraph.runtime import ExecutionInfo
from langgraph.types import StreamWriter
from pydantic import JsonValue

from nodes.approval.args import register_args_model
from nodes.approval.gate import GateOutcome, GateServices, GateStatus, Proposal, run_gated
from nodes.approval.request import ProposalContext
from tools.agent_tools import PreparedWrite, WriteGate, WriteOutcome, WriteStatus
from tools.agent_tools.registry import WRITE_TOOLS

_STATUS = {
    GateStatus.EXECUTED: WriteStatus.EXECUTED,
    GateStatus.REJECTED: WriteStatus.REJECTED,
    GateStatus.EXPIRED: WriteStatus.EXPIRED,
}


def proposal_of(write: PreparedWrite) -> Proposal:
    """The approval gate's view of a tool's prepared write."""
    return Proposal(
        action=write.action,
        context=ProposalContext(
            title=write.title,
            description=write.description,
            reasoning=write.reasoning or "(the agent gave no reasoning)",
            data_sources=write.data_sources,
            estimated_cost=write.estimated_cost,
            risk_factors=write.risk_factors,
        ),
        args_model=write.args_model,
        rebuild=write.rebuild,
    )


def outcome_of(write: PreparedWrite, outcome: GateOutcome) -> WriteOutcome:
    """What the agent learns: executed (maybe with edits), rejected or expired, and by whom."""
    return WriteOutcome(
        status=_STATUS[outcome.status],
        tool=outcome.action.tool,
        action=str(outcome.action.kind),
        risk_level=str(outcome.classification.level),
        reasons=list(outcome.classification.reasons),
        args=outcome.action.args,
        modified=outcome.action.args != write.action.args,
        result=outcome.result,
        replayed=outcome.replayed,
        approval_id=outcome.approval_id,
        by=outcome.decided_by,
        notes=outcome.notes,
    )


def gate_for_runtime(
    services: GateServices, info: ExecutionInfo | None, writer: StreamWriter | None = None
) -> WriteGate:
    """A ``WriteGate`` running each write through ``run_gated`` in the current task."""

    async def gate(write: PreparedWrite) -> JsonValue:
        outcome = await run_gated(
            proposal_of(write), write.execute, services=services, info=info, writer=writer
        )
        return outcome_of(write, outcome).to_json()

    return gate


for _tool in WRITE_TOOLS:
    register_args_model(_tool.spec.name, _tool.args_model)
