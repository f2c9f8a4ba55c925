"""The one path a write tool has to the outside world: a ``WriteGate``.

A write tool never calls a client's write method itself. It prepares a ``PreparedWrite`` — the
typed ``Action`` the policy classifies, plus how to execute it and how to re-derive it from
edited arguments — and hands it to the gate it was built with. The approval gate in ``nodes/``
adapts it to ``run_gated``; the default, ``refuse_writes``, refuses, so a tool built without a
gate cannot write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, JsonValue

from policies import Action

#: Performs the write with the action's args; receives the gate's idempotency key.
Execute = Callable[[Action, str], Awaitable[JsonValue]]
#: Re-derives the typed action from edited args, from the lookups already made (no I/O).
Rebuild = Callable[[dict[str, JsonValue]], Action]


@dataclass(frozen=True)
class PreparedWrite:
    """A proposed write, ready for classification, approval and execution."""

    action: Action
    args_model: type[BaseModel]
    execute: Execute
    rebuild: Rebuild
    title: str
    description: str
    reasoning: str = ""
    data_sources: list[str] = field(default_factory=list)
    estimated_cost: Decimal | None = None
    risk_factors: list[str] = field(default_factory=list)


class WriteGate(Protocol):
    """Classifies a prepared write, waits for a human if the policy says so, executes it once.

    Returns a JSON value for the agent (``WriteOutcome.model_dump(mode="json")``); a rejected or
    expired write is a result, not an error, so the agent can carry on.
    """

    async def __call__(self, write: PreparedWrite) -> JsonValue: ...


class WriteNotGatedError(RuntimeError):
    """A write tool was called without an approval gate: a wiring mistake, never a fallback."""


async def refuse_writes(write: PreparedWrite) -> JsonValue:
    """The default gate: there is no path from a tool to a write except the approval gate."""
    raise WriteNotGatedError(
        f"write tools run only behind the approval gate ({write.action.tool} was refused)"
    )


class WriteStatus(StrEnum):
    EXECUTED = "executed"
    REJECTED = "rejected"
    EXPIRED = "expired"


class WriteOutcome(BaseModel):
    """What a write tool returns to the agent."""

    model_config = ConfigDict(frozen=True)

    status: WriteStatus
    tool: str
    action: str
    risk_level: str
    reasons: list[str]
    args: dict[str, JsonValue]
    modified: bool = False
    result: JsonValue = None
    replayed: bool = False
    approval_id: str | None = None
    by: str | None = None
    notes: str | None = None

    @property
    def message(self) -> str:
        """One line an agent can act on."""
        if self.status is WriteStatus.EXECUTED:
            how = " with the approver's edits" if self.modified else ""
            return f"{self.tool} executed{how} ({self.risk_level} risk)."
        who = f" by {self.by}" if self.by else ""
        notes = f": {self.notes}" if self.notes else ""
        return (
            f"{self.tool} was {self.status}{who}{notes}. Nothing was changed; do not retry the "
            "same write unchanged."
        )

    def to_json(self) -> dict[str, JsonValue]:
        data: dict[str, JsonValue] = self.model_dump(mode="json")
        data["message"] = self.message
        return data
