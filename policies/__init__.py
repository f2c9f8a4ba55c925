"""Deterministic risk policy: typed actions, the policy file, classification and capabilities.

The LLM never decides risk. Code classifies each proposed write from its typed facts against an
editable policy file; free text cannot change the outcome. See docs/policies.md.
"""

from policies.action import Access, Action, ActionKind, SupplierStatus
from policies.capability import can_decide, deciders, run_limit_violations
from policies.classify import (
    KILL_SWITCH_REASON,
    Classification,
    Disposition,
    classify,
)
from policies.durations import format_duration, parse_duration
from policies.engine import PolicyEngine
from policies.file import (
    DEFAULT_POLICY_PATH,
    PolicyFileError,
    PolicyIssue,
    load_policy,
    parse_policy,
)
from policies.policy import Policy, Rule
from policies.risk import Priority, RiskLevel, Role
from policies.schema import PolicyDocument, RunLimits

__all__ = [
    "DEFAULT_POLICY_PATH",
    "KILL_SWITCH_REASON",
    "Access",
    "Action",
    "ActionKind",
    "Classification",
    "Disposition",
    "Policy",
    "PolicyDocument",
    "PolicyEngine",
    "PolicyFileError",
    "PolicyIssue",
    "Priority",
    "RiskLevel",
    "Role",
    "Rule",
    "RunLimits",
    "SupplierStatus",
    "can_decide",
    "classify",
    "deciders",
    "format_duration",
    "load_policy",
    "parse_duration",
    "parse_policy",
    "run_limit_violations",
]
