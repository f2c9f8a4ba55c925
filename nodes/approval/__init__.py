"""The approval gate and the approval request/decision formats."""

from nodes.approval.decision import (
    DecisionKind,
    HumanDecision,
    InvalidDecisionError,
    parse_decision,
    response_schema,
)
from nodes.approval.gate import (
    Execute,
    GateOutcome,
    GateServices,
    GateStatus,
    Proposal,
    run_gated,
)
from nodes.approval.request import Alternative, ApprovalRequest, ProposalContext, build_request

__all__ = [
    "Alternative",
    "ApprovalRequest",
    "DecisionKind",
    "Execute",
    "GateOutcome",
    "GateServices",
    "GateStatus",
    "HumanDecision",
    "InvalidDecisionError",
    "Proposal",
    "ProposalContext",
    "build_request",
    "parse_decision",
    "response_schema",
    "run_gated",
]
