"""The closed vocabularies of the app tables (also enforced by CHECK constraints).

Risk levels are kept as plain upper-case names rather than importing the policy's enum: storage
sits below the policy layer, and any ``StrEnum`` whose values are these names (in any case) is
accepted at the boundary.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BeforeValidator


def _upper_name(value: object) -> object:
    return str(value).upper() if isinstance(value, str) else value


RiskLevel = Annotated[Literal["LOW", "MEDIUM", "HIGH"], BeforeValidator(_upper_name)]
RISK_LEVELS = ("LOW", "MEDIUM", "HIGH")

#: An approval request's priority, as in the seeds' ``ApprovalRequest``.
Priority = Annotated[Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"], BeforeValidator(_upper_name)]
PRIORITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


class ApprovalStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    CLOSED = "CLOSED"
    """Closed without a decision, with the reason in ``notes`` (its thread was deleted)."""


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    MODIFY = "modify"
    EXPIRE = "expire"
    CLOSE = "close"


class ActorKind(StrEnum):
    AGENT = "agent"
    HUMAN = "human"
    SYSTEM = "system"


class EffectStatus(StrEnum):
    STARTED = "STARTED"
    APPLIED = "APPLIED"
    FAILED = "FAILED"


class NotificationLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class GoalStatus(StrEnum):
    ACTIVE = "active"
    DONE = "done"
    ABANDONED = "abandoned"


def check_in(column: str, values: type[StrEnum] | tuple[str, ...]) -> str:
    """SQL for ``column IN (...)`` over an enum's values, for a CHECK constraint."""
    names = [member.value for member in values] if isinstance(values, type) else list(values)
    return f"{column} IN ({', '.join(repr(name) for name in names)})"
