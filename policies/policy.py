"""A validated policy, compiled for classification: rules with their effective roles and deadline.

Rules read only the typed facts of an action (``Facts``), which are built from the ``Action``'s
typed fields; free-text fields never reach them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Final

from policies.action import Action
from policies.numbers import cents, money, percent, plain
from policies.risk import Priority, RiskLevel, Role
from policies.schema import (
    Bounds,
    LevelSettings,
    Match,
    PolicyDocument,
    RuleSpec,
    RunLimits,
    SupplierCondition,
)

#: The typed fields a rule can compare, with the label its reasons use.
NUMERIC_FIELDS: Final = {
    "amount_eur": "amount",
    "price_change_pct": "price change",
    "confidence": "confidence",
    "margin_pct": "margin",
    "discount_pct": "discount",
    "recipients": "recipients",
}


@dataclass(frozen=True, slots=True)
class Facts:
    """What rules may look at: typed, normalised (amounts in euros), no free text."""

    kind: str
    amount: Decimal | None
    currency: str
    amount_eur: Decimal | None
    price_change_pct: Decimal | None
    confidence: Decimal | None
    margin_pct: Decimal | None
    discount_pct: Decimal | None
    recipients: Decimal | None
    supplier_id: str | None
    supplier: SupplierCondition | None

    @classmethod
    def of(cls, action: Action, policy: Policy) -> Facts:
        if action.supplier_status is not None:
            supplier: SupplierCondition | None = SupplierCondition(action.supplier_status.value)
        elif action.supplier_id is not None:
            supplier = SupplierCondition.UNVETTED
        else:
            supplier = None
        return cls(
            kind=str(action.kind),
            amount=action.amount,
            currency=action.currency,
            amount_eur=policy.to_eur(action.amount, action.currency),
            price_change_pct=action.price_change_pct,
            confidence=None if action.confidence is None else Decimal(repr(action.confidence)),
            margin_pct=action.margin_pct,
            discount_pct=action.discount_pct,
            recipients=None if action.recipients is None else Decimal(action.recipients),
            supplier_id=action.supplier_id,
            supplier=supplier,
        )


def _value(name: str, value: Decimal, facts: Facts) -> str:
    if name == "amount_eur":
        shown = money(value)
        if facts.currency != "EUR" and facts.amount is not None:
            shown += f" ({facts.currency} {cents(facts.amount)})"
        return shown
    if name in ("confidence", "recipients"):
        return plain(value)
    return f"{percent(value)}%"


def _threshold(name: str, bound: Decimal) -> str:
    if name == "amount_eur":
        return f"€{plain(bound)}"
    if name in ("confidence", "recipients"):
        return plain(bound)
    return f"{plain(bound)}%"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule with its level defaults applied."""

    id: str
    description: str
    match: Match
    level: RiskLevel
    approver_roles: frozenset[Role]
    deadline: timedelta
    priority: Priority
    flags: tuple[str, ...]

    @property
    def names_kinds(self) -> bool:
        """A rule that lists kinds covers them; one that does not only escalates."""
        return self.match.kinds is not None

    def matches(self, facts: Facts) -> bool:
        when = self.match
        if when.kinds is not None and facts.kind not in when.kinds:
            return False
        if when.supplier_status is not None and facts.supplier not in when.supplier_status:
            return False
        for name in NUMERIC_FIELDS:
            bounds: Bounds | None = getattr(when, name)
            if bounds is None:
                continue
            value: Decimal | None = getattr(facts, name)
            if value is None or not bounds.test(value):
                return False
        return True

    def reason(self, facts: Facts, supplier_name: str | None = None) -> str:
        """The description, then the facts that made the rule match against its thresholds;
        the supplier by name when the action gives one (display only: rules never read it)."""
        details: list[str] = []
        for name, label in NUMERIC_FIELDS.items():
            bounds: Bounds | None = getattr(self.match, name)
            value: Decimal | None = getattr(facts, name)
            if bounds is None or value is None:
                continue
            limits = ", ".join(f"{op} {_threshold(name, bound)}" for op, bound in bounds.items())
            details.append(f"{label} {_value(name, value, facts)} {limits}")
        if self.match.supplier_status is not None and facts.supplier is not None:
            who = (
                facts.supplier_id
                if supplier_name is None
                else f"{supplier_name} ({facts.supplier_id})"
            )
            details.append(f"supplier {who} is {facts.supplier.value}")
        return f"{self.description}: {'; '.join(details)}" if details else self.description


@dataclass(frozen=True)
class Policy:
    """A loaded policy. Build it with ``policies.file.load_policy`` or ``Policy.from_document``."""

    document: PolicyDocument
    source: str
    digest: str
    rules: tuple[Rule, ...]
    _by_kind: dict[str, tuple[Rule, ...]] = field(repr=False, compare=False)
    _escalations: tuple[Rule, ...] = field(repr=False, compare=False)

    @classmethod
    def from_document(
        cls, document: PolicyDocument, *, source: str = "<memory>", digest: str | None = None
    ) -> Policy:
        problems = document.problems()
        if problems:
            raise ValueError(
                "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems)
            )
        rules = tuple(_compile(spec, document) for spec in document.rules)
        kinds = {kind for rule in rules for kind in rule.match.kinds or ()}
        # Per kind, every rule that could match it, in file order (so reasons read as written).
        by_kind = {
            kind: tuple(r for r in rules if r.match.kinds is None or kind in r.match.kinds)
            for kind in kinds
        }
        if digest is None:
            digest = hashlib.sha256(document.model_dump_json().encode()).hexdigest()
        return cls(
            document=document,
            source=source,
            digest=digest,
            rules=rules,
            _by_kind=by_kind,
            _escalations=tuple(rule for rule in rules if not rule.names_kinds),
        )

    def rules_for(self, kind: str) -> tuple[Rule, ...]:
        """The rules that can match ``kind`` (those naming it and those for every kind)."""
        return self._by_kind.get(kind, self._escalations)

    def covers(self, kind: str) -> bool:
        """Whether some rule names ``kind``; if none does, the kind is unknown to the policy."""
        return kind in self._by_kind

    def to_eur(self, amount: Decimal | None, currency: str) -> Decimal | None:
        """The amount in euros by the file's FX table; None if absent or the rate is unknown."""
        if amount is None:
            return None
        rate = self.document.fx_to_eur.get(currency)
        return None if rate is None else amount * rate

    def knows_currency(self, currency: str) -> bool:
        return currency in self.document.fx_to_eur

    def settings_for(self, level: RiskLevel) -> LevelSettings:
        return self.document.defaults.of(level)

    @property
    def kill_switch(self) -> LevelSettings:
        return self.document.kill_switch

    @property
    def unmatched(self) -> LevelSettings:
        return self.document.unmatched

    @property
    def run_limits(self) -> RunLimits:
        return self.document.run_limits


def _compile(spec: RuleSpec, document: PolicyDocument) -> Rule:
    defaults = document.defaults.of(spec.level)
    return Rule(
        id=spec.id,
        description=spec.description,
        match=spec.when,
        level=spec.level,
        approver_roles=frozenset(spec.approver_roles or defaults.approver_roles) | {Role.ADMIN},
        deadline=spec.deadline or defaults.deadline,
        priority=spec.priority or defaults.priority,
        flags=spec.flags,
    )
