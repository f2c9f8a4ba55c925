"""The approval request an approver sees: the seeds' fields plus what Agent Inbox and LangChain's
HITL middleware need to render it, so any of those front ends can show and answer it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from policies import Action, Classification, Priority, RiskLevel

#: The span an estimated revenue or cost covers: per day, week, month or year, or once.
RevenuePeriod = Literal["day", "week", "month", "year", "once"]


class Alternative(BaseModel):
    """Another course the approver could prefer, with its trade-offs."""

    model_config = ConfigDict(frozen=True)

    description: str
    pros: list[str] = Field(default_factory=list)
    cons: list[str] = Field(default_factory=list)
    estimated_impact: Decimal | None = None


class ProposalContext(BaseModel):
    """What the proposing agent knows about the action, for the human deciding on it."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str
    reasoning: str
    data_sources: list[str] = Field(default_factory=list)
    estimated_revenue: Decimal | None = None
    estimated_cost: Decimal | None = None
    revenue_period: RevenuePeriod | None = Field(
        default=None, description="What the estimated revenue and cost are per (say it)."
    )
    confidence: float | None = Field(default=None, ge=0, le=1)
    risk_factors: list[str] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list)

    @property
    def estimated_roi(self) -> Decimal | None:
        if self.estimated_revenue is None or not self.estimated_cost:
            return None
        return ((self.estimated_revenue - self.estimated_cost) / self.estimated_cost).quantize(
            Decimal("0.01")
        )


class ApprovalRequest(BaseModel):
    """The interrupt payload of a HIGH-risk action (JSON-serialisable)."""

    model_config = ConfigDict(frozen=True)

    kind: str = "approval_request"
    approval_id: str
    thread_id: str
    interrupt_id: str
    requested_at: AwareDatetime
    deadline: AwareDatetime
    priority: Priority
    risk_level: RiskLevel
    agent: str
    cluster: str
    action: str
    tool: str
    args: dict[str, JsonValue]

    title: str
    description: str
    reasoning: str
    data_sources: list[str]
    estimated_revenue: Decimal | None
    estimated_cost: Decimal | None
    estimated_roi: Decimal | None
    revenue_period: RevenuePeriod | None = None
    risk_factors: list[str]
    confidence: float | None
    alternatives: list[Alternative]

    matched_rules: list[str]
    reasons: list[str]
    approver_roles: list[str]
    allowed_decisions: list[str] = Field(default_factory=lambda: ["approve", "reject", "modify"])

    # Agent Inbox's HumanInterrupt fields, so the inbox renders and answers this request.
    action_request: dict[str, JsonValue]
    config: dict[str, bool]
    # LangChain HITL middleware's request fields, for front ends built on it.
    action_requests: list[dict[str, JsonValue]]
    review_configs: list[dict[str, JsonValue]]


def inbox_args(args: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """The args as the Agent Inbox can show and edit them: without the unset (``null``) fields.

    The unchanged inbox reads a HITL request's ``action_requests[0].arguments`` (LangChain's
    own key is ``args``, kept exact) and its edit form fails on a ``null`` value; an edit sent
    back without those fields means "unchanged" (``host.resume`` merges edits onto the args).
    """
    return {name: value for name, value in args.items() if value is not None}


def build_request(
    *,
    approval_id: str,
    thread_id: str,
    interrupt_id: str,
    action: Action,
    classification: Classification,
    context: ProposalContext,
    requested_at: datetime,
    args_schema: dict[str, Any],
) -> ApprovalRequest:
    """Assemble the request from the action, its classification and the agent's context."""
    risk_factors = list(dict.fromkeys([*classification.reasons, *context.risk_factors]))
    shown = inbox_args(action.args)
    reasons = "; ".join(classification.reasons)
    description = f"{context.description}\n\nRisk: {classification.level} ({reasons})"
    return ApprovalRequest(
        approval_id=approval_id,
        thread_id=thread_id,
        interrupt_id=interrupt_id,
        requested_at=requested_at,
        deadline=classification.deadline_from(requested_at),
        priority=classification.priority,
        risk_level=classification.level,
        agent=action.agent,
        cluster=action.cluster,
        action=str(action.kind),
        tool=action.tool,
        args=action.args,
        title=context.title,
        description=context.description,
        reasoning=context.reasoning,
        data_sources=context.data_sources,
        estimated_revenue=context.estimated_revenue,
        estimated_cost=context.estimated_cost,
        estimated_roi=context.estimated_roi,
        revenue_period=context.revenue_period,
        risk_factors=risk_factors,
        confidence=context.confidence,
        alternatives=context.alternatives,
        matched_rules=list(classification.matched_rules),
        reasons=list(classification.reasons),
        approver_roles=[str(role) for role in classification.approver_roles],
        action_request={"action": action.tool, "args": shown},
        config={
            "allow_accept": True,
            "allow_edit": True,
            "allow_respond": True,
            "allow_ignore": True,
        },
        action_requests=[
            {
                "name": action.tool,
                "args": action.args,
                "arguments": shown,
                "description": description,
            }
        ],
        review_configs=[
            {
                "action_name": action.tool,
                "allowed_decisions": ["approve", "edit", "reject"],
                "args_schema": args_schema,
            }
        ],
    )
