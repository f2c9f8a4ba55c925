"""What became of a write the approval gate decided, in the words of the cluster's report."""

from __future__ import annotations

from nodes.approval import GateOutcome, GateStatus
from nodes.product.models import OutcomeStatus


def gated_result(gate: GateOutcome, done: OutcomeStatus) -> tuple[OutcomeStatus, list[str]]:
    """The item's status (``done`` when executed) and its reasons: the policy's, plus the
    approver's word when the write did not happen."""
    status = {
        GateStatus.EXECUTED: done,
        GateStatus.REJECTED: OutcomeStatus.REJECTED,
        GateStatus.EXPIRED: OutcomeStatus.EXPIRED,
    }[gate.status]
    reasons = list(gate.classification.reasons)
    if gate.status is not GateStatus.EXECUTED:
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
    return status, reasons
