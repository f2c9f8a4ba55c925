"""What the catalog cluster passes between its steps (all checkpointed, so all pydantic)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from tools.catalog.model import CatalogProduct


class Operation(StrEnum):
    """What a catalog task does; the CEO's tasks, webhooks and the sync API choose one."""

    EXPORT = "export"
    SHOPIFY_CHANGED = "shopify_changed"
    PULL_REQUEST_MERGED = "pull_request_merged"
    ROLLBACK = "rollback"
    RESOLVE = "resolve"
    INVENTORY_CHECK = "inventory_check"
    THEME_EXPORT = "theme_export"
    THEME_IMPORT = "theme_import"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldChange(_Frozen):
    field: str
    before: JsonValue = None
    after: JsonValue = None


class Conflict(_Frozen):
    id: str
    handle: str
    field: str


class ProductPlan(_Frozen):
    """One product to change on Shopify: from what it is to what it should be."""

    handle: str
    product_id: str | None = None
    current: CatalogProduct | None = None
    desired: CatalogProduct
    changes: list[FieldChange] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    variant_ids: dict[str, str] = Field(default_factory=dict)
    unit_costs: dict[str, Decimal] = Field(default_factory=dict)
    badges: list[dict[str, str]] = Field(default_factory=list)
    stage: bool = True


class Check(_Frozen):
    name: str
    passed: bool
    detail: str = ""


class Staged(_Frozen):
    handle: str
    checks: list[Check]
    staging_id: str | None = None

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


class OutcomeStatus(StrEnum):
    APPLIED = "applied"
    REJECTED = "rejected"
    EXPIRED = "expired"
    STOPPED = "stopped"
    FAILED = "failed"
    PROPOSED = "proposed"
    UNCHANGED = "unchanged"


class Outcome(_Frozen):
    """One product (or file set, or theme) and where it ended."""

    subject: str
    status: OutcomeStatus
    detail: str = ""
    reasons: list[str] = Field(default_factory=list)
    risk_level: str | None = None
    approval_id: str | None = None
    decided_by: str | None = None


class RepoProposal(_Frozen):
    """Files to commit on a branch and propose as a pull request."""

    branch: str
    files: dict[str, str | None]
    message: str
    title: str
    section: str
    handles: list[str] = Field(default_factory=list)


class Proposed(_Frozen):
    pull_request: int
    url: str
    branch: str
    commit_sha: str | None = None
    files: int


class Drift(_Frozen):
    """A variant whose stock disagrees across supplier, Shopify and the repository."""

    handle: str
    variant: str
    kind: str
    detail: str
    shopify_available: int | None = None
    supplier_available: int | None = None
    low_stock: bool = False


class ThemeImport(_Frozen):
    branch: str
    files: dict[str, str]
    checks: list[Check]
    staged_id: str | None = None

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)
