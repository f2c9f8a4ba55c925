"""The rules of deciding an approval, in one place: who may decide it, whether it can still be
decided, and whether an approver's edit fits the action. Pure functions over a stored (or
interrupt-carried) approval record; the lifecycle (``host.approvals``), resumes sent by any
LangGraph client (``host.resume``) and every front end's form use these and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator

from host.errors import ConflictError, ForbiddenError, InvalidRequestError
from host.identity import Principal
from nodes.approval.args import args_errors
from policies.risk import Role
from storage import ApprovalRecord, ApprovalStatus


def may_decide(principal: Principal, record: ApprovalRecord) -> bool:
    """Whether the principal's role is one the request allows (admins always; viewers never)."""
    if principal.role is Role.VIEWER:
        return False
    return principal.role is Role.ADMIN or principal.role.value in record.approver_roles


def is_expired(record: ApprovalRecord, now: datetime) -> bool:
    return record.deadline is not None and record.deadline <= now


def refusal(principal: Principal, record: ApprovalRecord, now: datetime) -> str | None:
    """Why ``principal`` cannot decide ``record`` at ``now`` (``None``: they can)."""
    if not may_decide(principal, record):
        return (
            f"{principal.subject} ({principal.role}) may not decide approval {record.id} "
            f"(it needs one of: {', '.join(record.approver_roles) or 'admin'})"
        )
    if record.status is not ApprovalStatus.PENDING:
        who = f" by {record.decided_by}" if record.decided_by else ""
        why = f": {record.notes}" if record.notes and record.status is ApprovalStatus.CLOSED else ""
        return f"approval {record.id} is {record.status.value}{who}{why}; nothing to decide"
    if is_expired(record, now):
        return f"approval {record.id} has expired (deadline {record.deadline:%Y-%m-%d %H:%M %Z})"
    return None


def check_decidable(principal: Principal, record: ApprovalRecord, now: datetime) -> None:
    """Raise ``ForbiddenError`` or ``ConflictError`` unless ``principal`` can decide now."""
    reason = refusal(principal, record, now)
    if reason is None:
        return
    if not may_decide(principal, record):
        raise ForbiddenError(reason)
    raise ConflictError(reason)


def args_schema(record: ApprovalRecord) -> dict[str, Any] | None:
    """The JSON schema of the action's arguments, as the request declares it."""
    configs = record.request.get("review_configs")
    if isinstance(configs, list) and configs and isinstance(configs[0], dict):
        schema = configs[0].get("args_schema")
        if isinstance(schema, dict):
            return schema
    return None


def current_args(record: ApprovalRecord) -> dict[str, Any]:
    args = record.request.get("args")
    return dict(args) if isinstance(args, dict) else {}


def _takes_text(schema: Any) -> bool:
    """Whether a field's JSON schema accepts a string (as itself or one of its alternatives);
    a schema that does not say (``{}``, a ``$ref``) is taken to accept one."""
    if not isinstance(schema, dict):
        return True
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(alternatives, list):
        return any(_takes_text(alternative) for alternative in alternatives)
    kind = schema.get("type")
    if kind is None:
        return True
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def coerce_edits(record: ApprovalRecord, edits: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values for text edits (a CLI ``--set``, a form field, an Agent Inbox or
    agent-chat-ui edit box): JSON numbers, booleans, lists and objects where a field takes no
    text. Values that are not text are kept as they are."""
    properties = (args_schema(record) or {}).get("properties", {})
    coerced: dict[str, Any] = {}
    for name, value in edits.items():
        if not isinstance(value, str) or _takes_text(properties.get(name, {})):
            coerced[name] = value
            continue
        try:
            coerced[name] = json.loads(value)
        except ValueError:
            coerced[name] = value
    return coerced


def edit_errors(record: ApprovalRecord, args: dict[str, Any]) -> list[str]:
    """Problems with edited args against the action (empty when they fit): the tool's own
    model where this process knows it, else the schema the request declares."""
    exact = args_errors(record.tool, args)
    if exact is not None:
        return exact
    schema = args_schema(record)
    if schema is None:
        return []
    validator = Draft202012Validator(schema)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or 'args'}: {error.message}"
        for error in validator.iter_errors(args)
    ]


def edited_args(record: ApprovalRecord, changes: dict[str, Any]) -> dict[str, Any]:
    """The action's args with ``changes`` applied, or ``InvalidRequestError`` saying why not
    (a field the action does not have, or a value that does not fit)."""
    if not changes:
        raise InvalidRequestError("change at least one field of the action, or approve it")
    current = current_args(record)
    unknown = sorted(set(changes) - set(current))
    if unknown:
        raise InvalidRequestError(
            f"unknown field(s) {', '.join(unknown)}; the action's args are "
            + ", ".join(sorted(current))
        )
    edited = current | changes
    problems = edit_errors(record, edited)
    if problems:
        raise InvalidRequestError(f"the edited action is invalid: {'; '.join(problems)}")
    return edited
