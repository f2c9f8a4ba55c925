"""Risk levels, approval priorities and console roles: string enums ordered by severity.

A plain ``StrEnum`` compares alphabetically ("HIGH" < "LOW"), which silently breaks ``max()`` over
levels. These enums compare by declaration order instead, so ``max(levels)`` is the most severe.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class OrderedStrEnum(StrEnum):
    """A string enum ordered by declaration (first = lowest), comparable to its own values."""

    @property
    def rank(self) -> int:
        return type(self)._member_names_.index(self.name)

    def _rank_of(self, other: str) -> int:
        cls = type(self)
        if isinstance(other, cls):
            return other.rank
        if isinstance(other, Enum):
            raise TypeError(f"cannot order {cls.__name__} against {type(other).__name__}")
        return cls(other).rank

    def __lt__(self, other: str) -> bool:
        return self.rank < self._rank_of(other)

    def __le__(self, other: str) -> bool:
        return self.rank <= self._rank_of(other)

    def __gt__(self, other: str) -> bool:
        return self.rank > self._rank_of(other)

    def __ge__(self, other: str) -> bool:
        return self.rank >= self._rank_of(other)


class RiskLevel(OrderedStrEnum):
    """LOW executes and is logged, MEDIUM executes and notifies, HIGH waits for a human."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class Priority(OrderedStrEnum):
    """How urgently an approver should look at a request (the seeds' approval priority)."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class Role(OrderedStrEnum):
    """Console roles, least to most privileged. Viewers never decide; admins always may."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    APPROVER = "approver"
    ADMIN = "admin"
