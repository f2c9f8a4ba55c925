"""The approval gate: every write an agent proposes passes here, and nowhere else.

LOW executes and is audited; MEDIUM executes, is audited and notifies; HIGH records a PENDING
approval and pauses the graph with one ``interrupt()`` until a human decides. The gate runs
inside the node (task) that owns the action; that node may re-execute (on resume, or after a
crash), so everything before the interrupt is idempotent: the approval record is keyed by the
interrupt, audit entries carry dedupe keys, and the write itself goes through the effects
ledger with a key derived from (thread, task, action).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from langgraph.runtime import ExecutionInfo
from langgraph.types import Interrupt, StreamWriter, interrupt
from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError

from nodes.approval.decision import (
    DecisionKind,
    HumanDecision,
    InvalidDecisionError,
    parse_decision,
    response_schema,
)
from nodes.approval.request import ProposalContext, build_request
from policies import Action, Classification, Disposition, PolicyEngine, RiskLevel, classify
from storage import (
    ActorKind,
    ApprovalAlreadyDecidedError,
    ApprovalExpiredError,
    ApprovalRecord,
    ApprovalRepository,
    ApprovalStatus,
    AuditEntry,
    AuditEvent,
    AuditLog,
    Decision,
    EffectsLedger,
    NewApproval,
    NewNotification,
    NotificationLevel,
    NotificationRepository,
    args_hash,
    idempotency_key,
)
from storage.enums import RiskLevel as StoredRiskLevel

_STORED_LEVEL: dict[RiskLevel, StoredRiskLevel] = {
    RiskLevel.LOW: "LOW",
    RiskLevel.MEDIUM: "MEDIUM",
    RiskLevel.HIGH: "HIGH",
}

#: Executes an approved action; receives the idempotency key to pass to the external service.
Execute = Callable[[Action, str], Awaitable[JsonValue]]


@dataclass(frozen=True)
class GateServices:
    """What the gate needs; nodes get it from the runtime context."""

    policy: PolicyEngine
    approvals: ApprovalRepository
    audit: AuditLog
    effects: EffectsLedger
    notifications: NotificationRepository
    clock: Callable[[], datetime]
    kill_switch: bool | None = None  # a per-run override of the policy engine's switch

    def classify(self, action: Action) -> Classification:
        switch = self.policy.kill_switch if self.kill_switch is None else self.kill_switch
        return classify(action, self.policy.policy, kill_switch=switch)


@dataclass(frozen=True)
class Proposal:
    """A write an agent wants to make, with what the approver needs to judge it."""

    action: Action
    context: ProposalContext
    args_model: type[BaseModel]
    rebuild: Callable[[dict[str, JsonValue]], Action]
    """Turns edited args back into a typed action, re-deriving its facts (price, amounts)."""


class GateStatus(StrEnum):
    EXECUTED = "executed"
    REJECTED = "rejected"
    EXPIRED = "expired"


class GateOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    status: GateStatus
    action: Action
    classification: Classification
    result: JsonValue = None
    replayed: bool = False
    approval_id: str | None = None
    decided_by: str | None = None
    notes: str | None = None

    @property
    def executed(self) -> bool:
        return self.status is GateStatus.EXECUTED


@dataclass(frozen=True)
class _Position:
    thread_id: str
    run_id: str | None
    checkpoint_ns: str
    task_id: str

    @classmethod
    def of(cls, info: ExecutionInfo | None) -> _Position:
        if info is None:
            raise RuntimeError("the approval gate runs inside a graph task (no execution info)")
        return cls(
            thread_id=info.thread_id or "unthreaded",
            run_id=info.run_id,
            checkpoint_ns=info.checkpoint_ns,
            task_id=info.task_id,
        )


async def run_gated(
    proposal: Proposal,
    execute: Execute,
    *,
    services: GateServices,
    info: ExecutionInfo | None,
    writer: StreamWriter | None = None,
) -> GateOutcome:
    """Classify, maybe wait for a human, then execute exactly once."""
    where = _Position.of(info)
    action = proposal.action
    classification = services.classify(action)
    await _audit(
        services, where, action, classification, AuditEvent.ACTION_CLASSIFIED, "classified"
    )
    if classification.disposition is not Disposition.AWAIT_APPROVAL:
        return await _execute(services, where, action, classification, execute, writer)

    record = await _request_approval(services, where, proposal, classification)
    _emit(writer, "approval_requested", action, classification, approval_id=record.id)
    raw = interrupt(record.request, response_schema=response_schema(proposal.args_model))
    decided = await _record_decision(services, record, _readable(raw, proposal), proposal)
    outcome_fields: dict[str, Any] = {
        "approval_id": decided.id,
        "decided_by": decided.decided_by,
        "notes": decided.notes,
    }
    event = (
        AuditEvent.APPROVAL_EXPIRED
        if decided.status is ApprovalStatus.EXPIRED
        else AuditEvent.APPROVAL_DECIDED
    )
    await _audit(
        services,
        where,
        action,
        classification,
        event,
        f"{decided.id}:decided",
        actor=decided.decided_by or "system",
        actor_kind=ActorKind.SYSTEM
        if decided.status is ApprovalStatus.EXPIRED
        else ActorKind.HUMAN,
        payload={
            "approval_id": decided.id,
            "decision": str(decided.decision),
            "modified_args": decided.modified_args,
            "reclassified_level": decided.reclassified_level,
        },
        reasoning=decided.notes,
    )
    if decided.status is ApprovalStatus.EXPIRED:
        return GateOutcome(
            status=GateStatus.EXPIRED,
            action=action,
            classification=classification,
            **outcome_fields,
        )
    if decided.status is ApprovalStatus.REJECTED:
        return GateOutcome(
            status=GateStatus.REJECTED,
            action=action,
            classification=classification,
            **outcome_fields,
        )
    # Execute exactly what the approver saw (or wrote): on resume the node re-ran from its first
    # line, and a model may have proposed slightly different arguments this time.
    approved_args = decided.modified_args or decided.request.get("args")
    if isinstance(approved_args, dict) and approved_args != action.args:
        action = proposal.rebuild(approved_args)
        classification = services.classify(action)
        await _audit(
            services, where, action, classification, AuditEvent.ACTION_CLASSIFIED, "reclassified"
        )
    executed = await _execute(
        services, where, action, classification, execute, writer, approved=True
    )
    return executed.model_copy(update=outcome_fields)


async def _request_approval(
    services: GateServices, where: _Position, proposal: Proposal, classification: Classification
) -> ApprovalRecord:
    """Create (or find, on re-execution) the PENDING record for this task's interrupt."""
    interrupt_id = Interrupt.from_ns(None, where.checkpoint_ns).id
    existing = await services.approvals.get_by_interrupt(where.thread_id, interrupt_id)
    if existing is not None:
        return existing
    requested_at = services.clock()
    placeholder = NewApproval(
        thread_id=where.thread_id,
        interrupt_id=interrupt_id,
        run_id=where.run_id,
        checkpoint_ns=where.checkpoint_ns,
        task_id=where.task_id,
        risk_level=classification.level,
        priority=classification.priority,
        cluster=proposal.action.cluster,
        agent=proposal.action.agent,
        tool=proposal.action.tool,
        action_kind=str(proposal.action.kind),
        request={},
        approver_roles=[str(role) for role in classification.approver_roles],
        deadline=classification.deadline_from(requested_at),
    )
    approval_id = idempotency_key(where.thread_id, interrupt_id, "approval")
    request = build_request(
        approval_id=approval_id,
        thread_id=where.thread_id,
        interrupt_id=interrupt_id,
        action=proposal.action,
        classification=classification,
        context=proposal.context,
        requested_at=requested_at,
        args_schema=proposal.args_model.model_json_schema(),
    )
    record = await services.approvals.create_pending(
        placeholder.model_copy(update={"request": request.model_dump(mode="json")}),
        approval_id=approval_id,
    )
    await _audit(
        services,
        where,
        proposal.action,
        classification,
        AuditEvent.APPROVAL_REQUESTED,
        f"{record.id}:requested",
        payload={"approval_id": record.id, "deadline": record.request.get("deadline")},
        reasoning=proposal.context.reasoning,
    )
    return record


def _readable(raw: Any, proposal: Proposal) -> HumanDecision:
    """The decision, or a rejection when it cannot be acted on.

    A resume value stays in the thread once sent, so raising here would leave the thread stuck
    on it; hosts validate before resuming, and anything invalid that still arrives rejects.
    """
    try:
        decision = parse_decision(raw)
        if decision.kind is DecisionKind.MODIFY and decision.args is not None:
            proposal.rebuild(decision.args)
    except (InvalidDecisionError, ValidationError, ValueError) as exc:
        who = raw.get("decided_by") if isinstance(raw, dict) else None
        reason = str(exc).splitlines()[0]
        return HumanDecision(
            kind=DecisionKind.REJECT,
            notes=f"decision refused, nothing executed: {reason}",
            decided_by=who if isinstance(who, str) else None,
        )
    return decision


async def _record_decision(
    services: GateServices, record: ApprovalRecord, decision: HumanDecision, proposal: Proposal
) -> ApprovalRecord:
    """Make the database agree with the resume value; the database wins if it already decided.

    A decision made through the API or CLI is stored before the thread is resumed, so the
    stored record is the truth. A decision arriving only as a resume value (a LangGraph client
    resuming directly) is stored here. A decision after the deadline expires the request.
    """
    current = await services.approvals.get(record.id) or record
    if not current.is_pending:
        return current
    if decision.kind is DecisionKind.EXPIRE:
        await services.approvals.expire_due()
        swept = await services.approvals.get(record.id) or current
        if not swept.is_pending:
            return swept
        # An expiry that arrives before the deadline is nobody's approval: it rejects.
        decision = HumanDecision(
            kind=DecisionKind.REJECT,
            notes="an expiry arrived before the deadline; treated as a rejection",
            decided_by=decision.decided_by,
        )
    reclassified: StoredRiskLevel | None = None
    if decision.kind is DecisionKind.MODIFY and decision.args is not None:
        reclassified = _STORED_LEVEL[services.classify(proposal.rebuild(decision.args)).level]
    try:
        return await services.approvals.decide(
            record.id,
            Decision(decision.kind.value),
            by=decision.decided_by or "unknown",
            notes=decision.notes,
            modified_args=decision.args if decision.kind is DecisionKind.MODIFY else None,
            reclassified_level=reclassified,
        )
    except ApprovalAlreadyDecidedError as exc:
        if isinstance(exc, ApprovalExpiredError):
            await services.approvals.expire_due()
            return await services.approvals.get(record.id) or exc.current
        return exc.current


async def _execute(
    services: GateServices,
    where: _Position,
    action: Action,
    classification: Classification,
    execute: Execute,
    writer: StreamWriter | None,
    *,
    approved: bool = False,
) -> GateOutcome:
    # Thread and task make the key durable across re-execution; the args hash keeps two
    # different writes by one task (a tool-calling agent) apart.
    key = idempotency_key(
        where.thread_id, where.task_id, str(action.kind), action.tool, args_hash(action.args)
    )
    outcome = await services.effects.run_once(
        key,
        thread_id=where.thread_id,
        task_id=where.task_id,
        action_kind=str(action.kind),
        tool=action.tool,
        args=action.args,
        apply=lambda: execute(action, key),
    )
    await _audit(
        services,
        where,
        action,
        classification,
        AuditEvent.ACTION_EXECUTED,
        f"{key}:executed",
        payload={"idempotency_key": key, "result": outcome.result, "approved": approved},
        reasoning=action.reasoning or None,
    )
    if classification.disposition is Disposition.EXECUTE_AND_NOTIFY and not outcome.replayed:
        await services.notifications.create(
            NewNotification(
                level=NotificationLevel.INFO,
                risk_level=classification.level,
                title=_notice_title(action),
                body="; ".join(classification.reasons) or f"{action.tool} ran",
                thread_id=where.thread_id,
                run_id=where.run_id,
                cluster=action.cluster,
            )
        )
    _emit(writer, "action_executed", action, classification, result=outcome.result)
    return GateOutcome(
        status=GateStatus.EXECUTED,
        action=action,
        classification=classification,
        result=outcome.result,
        replayed=outcome.replayed,
    )


def _notice_title(action: Action) -> str:
    """``product_publisher: product.create executed — White Glossy Mug``: what ran, on what."""
    subject = action.args.get("title") or action.args.get("handle")
    done = f"{action.agent}: {action.kind} executed"
    return f"{done} — {subject}" if isinstance(subject, str) and subject else done


async def _audit(
    services: GateServices,
    where: _Position,
    action: Action,
    classification: Classification,
    event: AuditEvent,
    dedupe_suffix: str,
    *,
    actor: str | None = None,
    actor_kind: ActorKind = ActorKind.AGENT,
    payload: dict[str, JsonValue] | None = None,
    reasoning: str | None = None,
) -> None:
    base: dict[str, JsonValue] = {
        "tool": action.tool,
        "args": action.args,
        "level": str(classification.level),
        "rules": list(classification.matched_rules),
        "reasons": list(classification.reasons),
        "policy": classification.policy_digest,
    }
    await services.audit.append(
        AuditEntry(
            event=event,
            actor=actor or action.agent,
            actor_kind=actor_kind,
            thread_id=where.thread_id,
            run_id=where.run_id,
            cluster=action.cluster,
            action_kind=str(action.kind),
            risk_level=classification.level,
            payload=base | (payload or {}),
            reasoning=reasoning,
            dedupe_key=f"{where.thread_id}:{where.task_id}:{dedupe_suffix}"
            if ":" not in dedupe_suffix
            else dedupe_suffix,
        )
    )


def _emit(
    writer: StreamWriter | None,
    kind: str,
    action: Action,
    classification: Classification,
    **extra: JsonValue,
) -> None:
    """A custom stream event, so chat clients and the console see actions as they happen."""
    if writer is None:
        return
    writer(
        {
            "type": kind,
            "cluster": action.cluster,
            "agent": action.agent,
            "tool": action.tool,
            "action": str(action.kind),
            "risk_level": str(classification.level),
            "reasons": list(classification.reasons),
            **extra,
        }
    )
