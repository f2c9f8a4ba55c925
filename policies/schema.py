"""The policy file's schema: every key is declared, so a typo is an error and not a silent no-op."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

from policies.action import KIND_PATTERN, ActionKind
from policies.durations import format_duration, parse_duration
from policies.numbers import money
from policies.risk import Priority, RiskLevel, Role

#: A location inside the document, as pydantic reports it: ("rules", 2, "level").
Loc = tuple[str | int, ...]


def _deadline(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, timedelta):
        return value
    raise ValueError("write a duration like '24h', '1h30m', '3d' or ISO-8601 'PT24H'")


Deadline = Annotated[
    timedelta,
    BeforeValidator(_deadline),
    PlainSerializer(format_duration, return_type=str),
]
KindName = Annotated[str, StringConstraints(pattern=KIND_PATTERN)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Rate = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _deciders(roles: tuple[Role, ...]) -> tuple[Role, ...]:
    if Role.VIEWER in roles:
        raise ValueError("viewers can never decide approvals")
    return roles


Roles = Annotated[tuple[Role, ...], Field(min_length=1), AfterValidator(_deciders)]


class SupplierCondition(StrEnum):
    """``unvetted``: the action names a supplier but carries no scorecard status."""

    PROVEN = "proven"
    NEW = "new"
    FAILING = "failing"
    UNVETTED = "unvetted"


class Bounds(_Strict):
    """Numeric comparisons on one typed field; all given bounds must hold."""

    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None

    @model_validator(mode="after")
    def _satisfiable(self) -> Bounds:
        lows = [b for b in (self.gt, self.ge) if b is not None]
        highs = [b for b in (self.lt, self.le) if b is not None]
        if not lows and not highs:
            raise ValueError("give at least one of gt, ge, lt, le")
        if lows and highs and max(lows) > min(highs):
            raise ValueError("the bounds exclude every value, so the rule could never match")
        return self

    def test(self, value: Decimal) -> bool:
        return (
            (self.gt is None or value > self.gt)
            and (self.ge is None or value >= self.ge)
            and (self.lt is None or value < self.lt)
            and (self.le is None or value <= self.le)
        )

    def items(self) -> list[tuple[str, Decimal]]:
        """The given bounds as (operator symbol, threshold)."""
        symbols = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}
        return [
            (symbol, bound)
            for name, symbol in symbols.items()
            if (bound := getattr(self, name)) is not None
        ]


class Match(_Strict):
    """When a rule applies. Without ``kinds`` it applies to every write kind (an escalation)."""

    kinds: tuple[KindName, ...] | None = Field(default=None, min_length=1)
    amount_eur: Bounds | None = None
    price_change_pct: Bounds | None = None
    confidence: Bounds | None = None
    margin_pct: Bounds | None = None
    discount_pct: Bounds | None = None
    recipients: Bounds | None = None
    supplier_status: tuple[SupplierCondition, ...] | None = Field(default=None, min_length=1)


class RuleSpec(_Strict):
    """One rule as written in the file; unset roles, deadline and priority come from its level."""

    id: Slug
    description: str = Field(min_length=1, max_length=300)
    when: Match = Match()
    level: RiskLevel
    approver_roles: Roles | None = None
    deadline: Deadline | None = None
    priority: Priority | None = None
    flags: tuple[Slug, ...] = ()


class LevelSettings(_Strict):
    """Who may decide, by when, and how urgent it is."""

    approver_roles: Roles
    deadline: Deadline
    priority: Priority


class LevelDefaults(_Strict):
    LOW: LevelSettings
    MEDIUM: LevelSettings
    HIGH: LevelSettings

    def of(self, level: RiskLevel) -> LevelSettings:
        result: LevelSettings = getattr(self, level.value)
        return result


class RunLimits(_Strict):
    """Per-run ceilings: a run that would pass one stops with an explanation."""

    max_llm_cost_eur: Decimal = Field(ge=0, allow_inf_nan=False)
    max_write_actions: int = Field(ge=0)

    def violations(self, *, llm_cost_eur: Decimal, write_actions: int) -> tuple[str, ...]:
        """Why a run with this spend and this many writes is over its limits (empty: it is not)."""
        found: list[str] = []
        if llm_cost_eur > self.max_llm_cost_eur:
            found.append(
                f"LLM cost {money(llm_cost_eur)} exceeds the "
                f"{money(self.max_llm_cost_eur)} per-run limit"
            )
        if write_actions > self.max_write_actions:
            found.append(
                f"{write_actions} write actions exceed the per-run limit of "
                f"{self.max_write_actions}"
            )
        return tuple(found)

    def may_write(self, writes_so_far: int) -> bool:
        """Whether one more write action fits in this run."""
        return writes_so_far < self.max_write_actions


class AdLimits(_Strict):
    """Ad spend guarantees the marketing cluster keeps (docs/clusters/marketing.md).

    The monthly cap is hard: a launch or budget raise that would take the month's approved ad
    budgets above it is refused before any approval is asked, since no approver may lift it.
    """

    monthly_cap_eur: Decimal = Field(gt=0, allow_inf_nan=False)
    launch_share_pct: Decimal = Field(
        gt=0, le=100, description="A new ad set starts with this share of the approved budget."
    )
    roas_floor: Decimal = Field(ge=0, description="Ads below this ROAS are paused ...")
    min_spend_eur: Decimal = Field(ge=0, description="... once they have spent at least this.")
    scale_roas: Decimal = Field(gt=0, description="Ad sets at or above this ROAS are scaled ...")
    scale_step_pct: Decimal = Field(
        gt=0, le=100, description="... by this share, never above the approved budget."
    )


DEFAULT_AD_LIMITS = AdLimits(
    monthly_cap_eur=Decimal(3000),
    launch_share_pct=Decimal(50),
    roas_floor=Decimal(1),
    min_spend_eur=Decimal(20),
    scale_roas=Decimal(3),
    scale_step_pct=Decimal(25),
)


class PolicyDocument(_Strict):
    """The whole file."""

    version: Literal[1]
    fx_to_eur: dict[CurrencyCode, Rate]
    custom_kinds: tuple[KindName, ...] = ()
    defaults: LevelDefaults
    kill_switch: LevelSettings
    unmatched: LevelSettings
    run_limits: RunLimits
    ads: AdLimits = DEFAULT_AD_LIMITS
    rules: tuple[RuleSpec, ...] = Field(min_length=1)

    def problems(self) -> list[tuple[Loc, str]]:
        """Cross-field mistakes pydantic cannot see field by field, each with its location."""
        found: list[tuple[Loc, str]] = []
        if self.fx_to_eur.get("EUR") != 1:
            found.append((("fx_to_eur",), "must map EUR to 1 (amounts are compared in euros)"))
        builtin = {kind.value for kind in ActionKind}
        for index, kind in enumerate(self.custom_kinds):
            if kind in builtin:
                found.append((("custom_kinds", index), f"{kind!r} is already a built-in kind"))
        known = builtin | set(self.custom_kinds)
        first_seen: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            if rule.id in first_seen:
                found.append(
                    (
                        ("rules", index, "id"),
                        f"duplicate rule id {rule.id!r} (also rules[{first_seen[rule.id]}])",
                    )
                )
            first_seen.setdefault(rule.id, index)
            for position, kind in enumerate(rule.when.kinds or ()):
                if kind not in known:
                    found.append(
                        (
                            ("rules", index, "when", "kinds", position),
                            f"unknown kind {kind!r}; declare it in custom_kinds or fix the typo",
                        )
                    )
        return found
