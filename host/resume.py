"""Resumes sent by any LangGraph client (``command.resume``) that answer our approval gate.

A run whose command answers a pending approval is that approval's decision: the caller must be
allowed by the request's approver roles, the value is checked (an edit must fit the action) and
rewritten in our dialect with the caller's identity, whatever the body claimed. The request
travels in the interrupt itself, so a thread whose checkpoint was copied or forked is guarded too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from host.approval_rules import coerce_edits, current_args, edit_errors, may_decide
from host.errors import ForbiddenError, InvalidRequestError
from host.identity import Principal, current_principal
from host.models import RunCreate
from host.runtime import Runtime
from nodes.approval import InvalidDecisionError
from nodes.approval.decision import DecisionKind, parse_decision
from policies.risk import Role
from storage import ApprovalRecord, ApprovalStatus


def _gate_record(interrupt_id: str, request: dict[str, Any]) -> ApprovalRecord:
    """The approval as its interrupt carries it (what deciding needs: roles, tool, schema)."""
    roles = request.get("approver_roles")
    return ApprovalRecord.model_validate(
        {
            "id": str(request.get("approval_id")),
            "thread_id": str(request.get("thread_id") or "unknown"),
            "interrupt_id": interrupt_id,
            "risk_level": "HIGH",
            "cluster": str(request.get("cluster") or "unknown"),
            "agent": str(request.get("agent") or "unknown"),
            "tool": str(request.get("tool") or "unknown"),
            "action_kind": str(request.get("action") or "unknown"),
            "request": request,
            "approver_roles": [str(r) for r in roles] if isinstance(roles, list) else [],
            "status": ApprovalStatus.PENDING,
            "created_at": datetime.now(UTC),
        }
    )


def _waiting(interrupts: dict[str, Any]) -> tuple[set[str], dict[str, ApprovalRecord]]:
    """Every pending interrupt id, and those that are approval requests of our gate."""
    ids: set[str] = set()
    gates: dict[str, ApprovalRecord] = {}
    for items in interrupts.values():
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            ids.add(item["id"])
            value = item.get("value")
            if isinstance(value, dict) and "approval_id" in value and "approver_roles" in value:
                gates[item["id"]] = _gate_record(item["id"], value)
    return ids, gates


def _is_resume_map(value: Any) -> bool:
    """LangGraph's test: a dict keyed by interrupt ids (32 hex digits) maps resumes by id."""
    return isinstance(value, dict) and all(
        isinstance(key, str) and len(key) == 32 and all(c in "0123456789abcdef" for c in key)
        for key in value
    )


def decision_value(record: ApprovalRecord, raw: Any, principal: Principal) -> dict[str, Any]:
    """Any accepted resume dialect, checked and rewritten in ours with the caller's identity.

    The rewrite drops whatever ``decided_by`` the body claimed; an Agent Inbox list has no
    identity field at all, so the normalised value is the only place it can travel.
    """
    try:
        decision = parse_decision(raw)
    except (InvalidDecisionError, ValidationError) as exc:
        raise InvalidRequestError(str(exc).splitlines()[0]) from None
    if decision.kind is DecisionKind.EXPIRE and principal.method != "system":
        raise InvalidRequestError("only the expiry sweep may expire an approval")
    args = decision.args
    if decision.kind is DecisionKind.MODIFY:
        # Edit boxes (Agent Inbox, agent-chat-ui) send text and may leave unset fields out.
        args = current_args(record) | coerce_edits(record, decision.args or {})
        problems = edit_errors(record, args)
        if problems:
            raise InvalidRequestError(f"the edited action is invalid: {'; '.join(problems)}")
    value: dict[str, Any] = {"decision": decision.kind.value, "decided_by": principal.subject}
    if args is not None:
        value["args"] = args
    if decision.notes is not None:
        value["notes"] = decision.notes
    return value


def _forbidden(principal: Principal, what: str) -> ForbiddenError:
    return ForbiddenError(f"{principal.subject} ({principal.role}) may not {what}")


async def authorize_resume(runtime: Runtime, thread_id: str | None, body: RunCreate) -> RunCreate:
    """Treat a run whose command answers a pending approval as that decision.

    A command that moves the thread without a resume (``update``/``goto``) could skip the gate,
    so it needs the same right. Non-admin commands are never queued behind a running run
    (``multitask_strategy`` becomes ``reject``): what they would answer is not known until that
    run stops.
    """
    command = body.command
    if command is None or thread_id is None:
        return body
    principal = current_principal()
    if principal is None:
        raise ForbiddenError("a command needs an authenticated caller")
    if principal.role is not Role.ADMIN:
        body = body.model_copy(update={"multitask_strategy": "reject"})
    thread = await runtime.store.get_thread(thread_id)
    if thread is None:
        return body  # creating the run answers "not found"
    interrupt_ids, gates = _waiting(thread.interrupts)
    if not gates:
        return body
    fields = command.model_fields_set
    if fields & {"update", "goto"}:
        for record in gates.values():
            if not may_decide(principal, record):
                raise _forbidden(principal, f"move thread {thread_id} past approval {record.id}")
    if "resume" not in fields:
        return body
    resume = command.resume
    if _is_resume_map(resume):
        assert isinstance(resume, dict)
        targets = {key: gates[key] for key in resume if key in gates}
        values = dict(resume)
    elif len(interrupt_ids) == 1:
        ((key, record),) = gates.items()
        targets = {key: record}
        values = {key: resume}
    else:
        raise InvalidRequestError("several interrupts are pending: resume them by interrupt id")
    for record in targets.values():
        if not may_decide(principal, record):
            raise _forbidden(principal, f"decide approval {record.id}")
    if not targets:
        return body
    for key, record in targets.items():
        values[key] = decision_value(record, values[key], principal)
    new_command = command.model_copy(update={"resume": values})
    return body.model_copy(update={"command": new_command})
