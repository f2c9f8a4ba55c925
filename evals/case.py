"""Eval cases as data: YAML suites under ``evals/suites/``, validated strictly.

A mistake in a suite file is reported with the file, the line and the field, e.g.
``evals/suites/product.yaml:42: cases.3.expect.trajectory.mode: Input should be 'strict', …``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

SUITES_DIR = Path(__file__).parent / "suites"
CASE_ID = r"^[a-z0-9][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Decision(_Strict):
    """What the scripted human answers at the next interrupt."""

    decision: Literal["approve", "reject", "modify", "expire"]
    args: dict[str, JsonValue] | None = Field(
        default=None, description="modify: fields merged into the proposed arguments"
    )
    notes: str | None = None
    by: str = "eval:approver"

    @model_validator(mode="after")
    def _modify_has_args(self) -> Decision:
        if (self.decision == "modify") != (self.args is not None):
            raise ValueError("args go with decision: modify, and only with it")
        return self


class Faults(_Strict):
    outage: bool = False
    error_rate: float = Field(default=0.0, ge=0, le=1)
    error_statuses: list[int] = Field(default_factory=lambda: [503])
    retry_after: float | None = None


class MappedSku(_Strict):
    """A store SKU dropshipped from a supplier variant whose vendor is onboarded."""

    sku: str
    supplier: Literal["cjdropshipping", "printful"] = "cjdropshipping"
    product_id: str
    variant_id: str
    vendor_id: str
    vendor_name: str


class Fixture(_Strict):
    """The store and suppliers the case starts from (sandbox state is applied only when
    recording; the mappings are the case's own database rows, in replay too)."""

    seed: int = 7
    faults: dict[Literal["shopify", "github", "cj", "printful"], Faults] = Field(
        default_factory=dict
    )
    theme_branches: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="branches pushed to the store's repository before the case: the live "
        "theme's files with these edits (path under theme/ -> text)",
    )
    shop_orders: list[dict[str, JsonValue]] = Field(
        default_factory=list, description="paid orders placed in the sandbox shop first"
    )
    supplier_mappings: list[MappedSku] = Field(default_factory=list)
    product_descriptions: dict[str, str] = Field(
        default_factory=dict,
        description="text (HTML) appended to these products' descriptions (by title) in the "
        "sandbox shop first: what a supplier wrote",
    )


class PolicyOverrides(_Strict):
    kill_switch: bool = False
    rules: dict[str, dict[str, JsonValue]] = Field(
        default_factory=dict,
        description="rule id -> fields replaced in that rule of the default policy",
    )


class ArgsMode(StrEnum):
    EXACT = "exact"
    IGNORE = "ignore"
    SUBSET = "subset"
    PER_FIELD = "per-field"


class TrajectoryMode(StrEnum):
    STRICT = "strict"
    UNORDERED = "unordered"
    SUBSET = "subset"
    SUPERSET = "superset"


class ExpectedCall(_Strict):
    """One write the agents should propose, how risky it is, and what happens to it."""

    tool: str
    action: str | None = None
    args: dict[str, JsonValue] = Field(default_factory=dict)
    args_mode: ArgsMode | None = Field(default=None, description="overrides the trajectory's")
    fields: list[str] = Field(default_factory=list, description="per-field: the fields compared")
    risk: Literal["LOW", "MEDIUM", "HIGH"] | None = None
    approval: bool | None = Field(default=None, description="paused for a human")
    rules: list[str] | None = Field(default=None, description="rules that must have matched")
    outcome: Literal["executed", "rejected", "expired", "pending"] | None = None
    reclassified_risk: Literal["LOW", "MEDIUM", "HIGH"] | None = Field(
        default=None, description="the level after an approver's modification"
    )


class Trajectory(_Strict):
    mode: TrajectoryMode = TrajectoryMode.STRICT
    args_mode: ArgsMode = ArgsMode.SUBSET
    calls: list[ExpectedCall] = Field(default_factory=list)


class ExpectedProduct(_Strict):
    title: str
    price: Decimal | None = None
    published: bool | None = None


class FinalState(_Strict):
    writes: dict[str, int] | None = Field(
        default=None, description="Shopify mutations by name, exactly (absent ones: zero)"
    )
    products: list[ExpectedProduct] = Field(default_factory=list)
    absent_products: list[str] = Field(default_factory=list, description="titles never written")
    reply_contains: list[str] = Field(default_factory=list)
    reply_excludes: list[str] = Field(default_factory=list)
    alerts: int | None = None
    approvals: list[Literal["pending", "approved", "rejected", "modified", "expired"]] | None = None
    ad_campaigns: int | None = Field(default=None, description="campaigns launched, exactly")


class Expect(_Strict):
    clusters: list[str] | None = Field(default=None, description="clusters that run, exactly")
    nodes: list[str] = Field(default_factory=list, description="nodes that must run (any order)")
    trajectory: Trajectory | None = None
    final: FinalState = Field(default_factory=FinalState)


class ProbeAction(_Strict):
    """A gate probe: one write classified, gated and executed outside any cluster."""

    kind: str
    tool: str = "eval_probe"
    amount: Decimal | None = None
    currency: str = "EUR"
    supplier_id: str | None = None
    supplier_status: Literal["proven", "new", "failing"] | None = None
    args: dict[str, JsonValue] = Field(default_factory=dict)
    reasoning: str = ""
    source_text: str = ""


class ProbeTool(_Strict):
    """A gate probe through one of the agent write tools (real HTTP through the tool)."""

    name: str
    args: dict[str, JsonValue]


class AdDelivery(_Strict):
    """Simulated ad results on the Meta emulator, before a turn (evals/ads.py)."""

    before_turn: int = Field(ge=0, description="index of the turn it precedes")
    ad: int = Field(ge=1, description="the newest campaign's ad, counted from 1")
    spend: Decimal = Field(ge=0)
    purchases: int = Field(default=0, ge=0)
    purchase_value: Decimal = Field(default=Decimal(0), ge=0)


class Case(_Strict):
    id: Annotated[str, Field(pattern=CASE_ID)]
    description: str
    tags: list[str] = Field(default_factory=list)
    turns: list[str] = Field(default_factory=list, description="chat messages, one per turn")
    probe: ProbeAction | None = None
    tool: ProbeTool | None = None
    fixture: Fixture = Field(default_factory=Fixture)
    policy: PolicyOverrides = Field(default_factory=PolicyOverrides)
    decisions: list[Decision] = Field(default_factory=list)
    deliveries: list[AdDelivery] = Field(default_factory=list)
    expect: Expect

    @model_validator(mode="after")
    def _one_driver(self) -> Case:
        drivers = [bool(self.turns), self.probe is not None, self.tool is not None]
        if sum(drivers) != 1:
            raise ValueError("give exactly one of: turns (a chat), probe (an action), tool")
        return self

    @property
    def kind(self) -> str:
        return "chat" if self.turns else "probe" if self.probe is not None else "tool"


class Suite(_Strict):
    suite: Annotated[str, Field(pattern=CASE_ID)]
    version: int = Field(ge=1)
    description: str
    cases: list[Case] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Suite:
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                raise ValueError(f"case id {case.id!r} is used twice")
            seen.add(case.id)
        return self


class SuiteFileError(ValueError):
    """A suite file that is not valid: ``file:line: field: message`` per problem."""


def _line_of(root: yaml.Node | None, location: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``location`` (the closest existing parent)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in location:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            found = node.value[part] if part < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node = found
        line = node.start_mark.line + 1
    return line


def load_suite(path: Path) -> Suite:
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise SuiteFileError(f"{path}:{line}: not valid YAML: {exc}") from exc
    try:
        return Suite.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            location = tuple(error["loc"])
            where = ".".join(str(part) for part in location) or "(top level)"
            lines.append(f"{path}:{_line_of(root, location) or '?'}: {where}: {error['msg']}")
        raise SuiteFileError("\n".join(lines)) from exc


def suite_paths(names: list[str] | None = None, directory: Path = SUITES_DIR) -> list[Path]:
    """The suite files named (by name or path), or every suite in ``directory``."""
    if not names:
        return sorted(directory.glob("*.yaml"))
    paths = []
    for name in names:
        candidate = Path(name)
        if not candidate.suffix:
            candidate = directory / f"{name}.yaml"
        if not candidate.exists():
            raise SuiteFileError(f"no suite {name!r} (looked for {candidate})")
        paths.append(candidate)
    return paths
