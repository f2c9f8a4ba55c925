"""Resume values an approver may send, in the three accepted dialects, reduced to one decision.

- ours: ``{"decision": "approve" | "reject" | "modify", "args": {...}, "notes": "..."}``
- Agent Inbox: ``[{"type": "accept" | "ignore" | "response" | "edit", "args": ...}]``
- LangChain HITL: ``{"decisions": [{"type": "approve" | "edit" | "reject", ...}]}``

An Agent Inbox ``response`` and a HITL ``respond`` carry feedback, not consent: both reject,
with the text kept as the notes, so free text can never execute a side effect.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, create_model


class DecisionKind(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    MODIFY = "modify"
    EXPIRE = "expire"


class HumanDecision(BaseModel):
    """The one shape the gate acts on."""

    model_config = ConfigDict(frozen=True)

    kind: DecisionKind
    args: dict[str, JsonValue] | None = None
    notes: str | None = None
    decided_by: str | None = None


class OurDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject", "modify", "expire"]
    args: dict[str, JsonValue] | None = None
    notes: str | None = Field(default=None, max_length=4000)
    decided_by: str | None = Field(default=None, max_length=255)


class InboxActionRequest(BaseModel):
    action: str
    args: dict[str, JsonValue]


class InboxResponse(BaseModel):
    type: Literal["accept", "ignore", "response", "edit"]
    args: InboxActionRequest | str | None = None


class HitlEditedAction(BaseModel):
    name: str
    args: dict[str, JsonValue]


class HitlDecision(BaseModel):
    type: Literal["approve", "edit", "reject", "respond"]
    edited_action: HitlEditedAction | None = None
    message: str | None = None


class HitlResponse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decisions: list[HitlDecision] = Field(min_length=1, max_length=1)
    decided_by: str | None = None


ResumeValue = OurDecision | list[InboxResponse] | HitlResponse
_RESUME = TypeAdapter(ResumeValue)


class InvalidDecisionError(ValueError):
    """The resume value is in none of the accepted dialects, or is inconsistent."""


def parse_decision(raw: Any) -> HumanDecision:
    """Reduce any accepted resume value to a ``HumanDecision``."""
    if isinstance(raw, HumanDecision):
        return raw
    try:
        value = raw if isinstance(raw, BaseModel | list) else _RESUME.validate_python(raw)
    except ValueError as exc:
        raise InvalidDecisionError(f"not an approval decision: {exc}") from None
    if isinstance(value, OurDecision):
        return _from_ours(value)
    if isinstance(value, HitlResponse):
        return _from_hitl(value)
    if isinstance(value, list):
        responses = [InboxResponse.model_validate(item) for item in value]
        if len(responses) != 1:
            raise InvalidDecisionError("Agent Inbox responses come as a one-element list")
        return _from_inbox(responses[0])
    return _from_ours(OurDecision.model_validate(value.model_dump()))


def _from_ours(value: OurDecision) -> HumanDecision:
    kind = DecisionKind(value.decision)
    if kind is DecisionKind.MODIFY and not value.args:
        raise InvalidDecisionError("modify needs the edited args")
    if kind is not DecisionKind.MODIFY and value.args:
        raise InvalidDecisionError(f"{kind} takes no args; use modify to change them")
    return HumanDecision(kind=kind, args=value.args, notes=value.notes, decided_by=value.decided_by)


def _from_inbox(value: InboxResponse) -> HumanDecision:
    if value.type == "accept":
        return HumanDecision(kind=DecisionKind.APPROVE)
    if value.type == "edit":
        if not isinstance(value.args, InboxActionRequest):
            raise InvalidDecisionError("an Agent Inbox edit carries {action, args}")
        return HumanDecision(kind=DecisionKind.MODIFY, args=value.args.args)
    notes = value.args if isinstance(value.args, str) else None
    return HumanDecision(kind=DecisionKind.REJECT, notes=notes or f"Agent Inbox: {value.type}")


def _from_hitl(value: HitlResponse) -> HumanDecision:
    decision = value.decisions[0]
    if decision.type == "approve":
        return HumanDecision(kind=DecisionKind.APPROVE, decided_by=value.decided_by)
    if decision.type == "edit":
        if decision.edited_action is None:
            raise InvalidDecisionError("a HITL edit carries edited_action")
        return HumanDecision(
            kind=DecisionKind.MODIFY,
            args=decision.edited_action.args,
            notes=decision.message,
            decided_by=value.decided_by,
        )
    return HumanDecision(
        kind=DecisionKind.REJECT, notes=decision.message, decided_by=value.decided_by
    )


def response_schema(args_model: type[BaseModel]) -> dict[str, Any]:
    """JSON schema of the accepted resume values, with ``args`` typed as the tool's arguments,
    so a console can generate the modify form from the interrupt itself."""
    args_type: Any = args_model | None
    typed = create_model(
        f"{args_model.__name__}Decision", __base__=OurDecision, args=(args_type, None)
    )
    schema: dict[str, Any] = TypeAdapter(typed | list[InboxResponse] | HitlResponse).json_schema()
    return schema
