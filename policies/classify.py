"""Deterministic risk classification: the level is the maximum over every rule that matches.

Rules can only raise risk. An action no rule covers, or whose amount cannot be converted to euros,
is HIGH (fail closed). The kill switch makes every write wait for a human. Reads are never gated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

from policies.action import Access, Action
from policies.policy import Facts, Policy, Rule
from policies.risk import Priority, RiskLevel, Role
from policies.schema import LevelSettings

#: Pseudo rule ids for decisions the policy takes without a rule.
UNMATCHED: Final = "policy:unmatched"
UNKNOWN_CURRENCY: Final = "policy:unknown-currency"
KILL_SWITCH: Final = "policy:kill-switch"
KILL_SWITCH_REASON: Final = "kill switch on"


class Disposition(StrEnum):
    """What the approval gate does with a classified action."""

    EXECUTE = "execute"
    EXECUTE_AND_NOTIFY = "execute_and_notify"
    AWAIT_APPROVAL = "await_approval"


class Classification(BaseModel):
    """The policy's verdict on one action, with everything an approval request needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    access: Access
    level: RiskLevel
    requires_approval: bool
    kill_switch: bool
    matched_rules: tuple[str, ...]
    deciding_rules: tuple[str, ...]
    reasons: tuple[str, ...]
    flags: tuple[str, ...]
    approver_roles: tuple[Role, ...]
    deadline: timedelta
    priority: Priority
    amount_eur: Decimal | None
    policy_digest: str

    @property
    def disposition(self) -> Disposition:
        if self.requires_approval:
            return Disposition.AWAIT_APPROVAL
        if self.level is RiskLevel.MEDIUM:
            return Disposition.EXECUTE_AND_NOTIFY
        return Disposition.EXECUTE

    def deadline_from(self, start: datetime) -> datetime:
        """When a request created at ``start`` expires."""
        return start + self.deadline


@dataclass(frozen=True, slots=True)
class _Verdict:
    id: str
    level: RiskLevel
    reason: str
    roles: frozenset[Role]
    deadline: timedelta
    priority: Priority
    flags: tuple[str, ...] = ()

    @classmethod
    def of_rule(cls, rule: Rule, facts: Facts, supplier_name: str | None = None) -> _Verdict:
        return cls(
            rule.id,
            rule.level,
            rule.reason(facts, supplier_name),
            rule.approver_roles,
            rule.deadline,
            rule.priority,
            rule.flags,
        )

    @classmethod
    def of_settings(
        cls, id_: str, level: RiskLevel, reason: str, settings: LevelSettings
    ) -> _Verdict:
        return cls(
            id_,
            level,
            reason,
            frozenset(settings.approver_roles) | {Role.ADMIN},
            settings.deadline,
            settings.priority,
        )


def classify(action: Action, policy: Policy, *, kill_switch: bool = False) -> Classification:
    """Classify ``action`` under ``policy``. Pure: same inputs, same result, no I/O."""
    if action.access is Access.READ:
        return _read(action, policy, kill_switch=kill_switch)
    facts = Facts.of(action, policy)
    matched = [rule for rule in policy.rules_for(facts.kind) if rule.matches(facts)]
    verdicts = [_Verdict.of_rule(rule, facts, action.supplier_name) for rule in matched]
    if action.amount is not None and not policy.knows_currency(action.currency):
        verdicts.append(
            _Verdict.of_settings(
                UNKNOWN_CURRENCY,
                RiskLevel.HIGH,
                f"no EUR rate for {action.currency} in the policy's fx_to_eur table (fail closed)",
                policy.unmatched,
            )
        )
    if not any(rule.names_kinds for rule in matched):
        why = (
            f"no rule for {facts.kind} matches these facts"
            if policy.covers(facts.kind)
            else f"no rule covers the kind {facts.kind}"
        )
        verdicts.append(
            _Verdict.of_settings(
                UNMATCHED, RiskLevel.HIGH, f"{why} (fail closed)", policy.unmatched
            )
        )

    level = max(verdict.level for verdict in verdicts)
    deciding = [verdict for verdict in verdicts if verdict.level is level]
    requires_approval = level is RiskLevel.HIGH
    reasons = [v.reason for v in sorted(verdicts, key=lambda v: v.level, reverse=True)]
    if kill_switch:
        switch = _Verdict.of_settings(KILL_SWITCH, level, KILL_SWITCH_REASON, policy.kill_switch)
        # A HIGH action keeps its own constraints and gains the switch's; others get the switch's.
        deciding = [*deciding, switch] if requires_approval else [switch]
        reasons.insert(0, KILL_SWITCH_REASON)
        requires_approval = True

    return Classification(
        kind=facts.kind,
        access=action.access,
        level=level,
        requires_approval=requires_approval,
        kill_switch=kill_switch,
        matched_rules=tuple(rule.id for rule in matched),
        deciding_rules=tuple(verdict.id for verdict in deciding),
        reasons=tuple(reasons),
        flags=tuple(dict.fromkeys(flag for verdict in verdicts for flag in verdict.flags)),
        approver_roles=_roles(deciding),
        deadline=min(verdict.deadline for verdict in deciding),
        priority=max(verdict.priority for verdict in deciding),
        amount_eur=facts.amount_eur,
        policy_digest=policy.digest,
    )


def _roles(deciding: list[_Verdict]) -> tuple[Role, ...]:
    # Every deciding rule must allow the role: a rule reserving a decision to admins is not
    # widened by another rule that would also let approvers decide. Admin is in every set.
    allowed = frozenset.intersection(*(verdict.roles for verdict in deciding))
    return tuple(sorted(allowed))


def _read(action: Action, policy: Policy, *, kill_switch: bool) -> Classification:
    low = policy.settings_for(RiskLevel.LOW)
    return Classification(
        kind=str(action.kind),
        access=action.access,
        level=RiskLevel.LOW,
        requires_approval=False,
        kill_switch=kill_switch,
        matched_rules=(),
        deciding_rules=(),
        reasons=("read-only action: never gated",),
        flags=(),
        approver_roles=tuple(sorted(frozenset(low.approver_roles) | {Role.ADMIN})),
        deadline=low.deadline,
        priority=low.priority,
        amount_eur=None,
        policy_digest=policy.digest,
    )
