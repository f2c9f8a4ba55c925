"""Who may decide what, and how much a run may spend and write."""

from __future__ import annotations

from decimal import Decimal

from policies.classify import Classification
from policies.risk import Role
from policies.schema import RunLimits


def can_decide(role: Role | str, classification: Classification) -> bool:
    """Whether someone with ``role`` may approve, reject or modify this classified action.

    The roles come from the rules that decided the level (every one of them must allow the role);
    admins always may, viewers never. Unknown role names may not.
    """
    try:
        parsed = Role(role)
    except ValueError:
        return False
    return parsed is not Role.VIEWER and parsed in classification.approver_roles


def deciders(classification: Classification) -> tuple[Role, ...]:
    """The roles that may decide, least privileged first (for the console and notifications)."""
    return classification.approver_roles


def run_limit_violations(
    limits: RunLimits, *, llm_cost_eur: Decimal, write_actions: int
) -> tuple[str, ...]:
    """Explanations for every per-run limit a run has passed (empty while within them)."""
    return limits.violations(llm_cost_eur=llm_cost_eur, write_actions=write_actions)
