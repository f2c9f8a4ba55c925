"""The typed description of a proposed write, exactly as the tool will receive it.

Risk is computed from these typed fields only. ``reasoning`` and ``source_text`` carry what the
LLM, a supplier or a customer wrote; they are kept for the approval request and the audit log and
are never read by classification, so no text can talk an action into a lower risk level.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    computed_field,
    model_validator,
)

#: ``namespace.verb`` (more dots allowed), lower case; the same shape in actions and the file.
KIND_PATTERN: Final = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"


class ActionKind(StrEnum):
    """Write kinds the built-in tools propose. A new tool adds a member here (or declares a
    ``custom_kinds`` entry in the policy file); a kind no rule covers is HIGH risk."""

    PRODUCT_CREATE = "product.create"
    PRODUCT_PUBLISH = "product.publish"
    PRODUCT_UPDATE = "product.update"
    PRICE_CHANGE = "price.change"
    INVENTORY_SET = "inventory.set"
    INVENTORY_RESTOCK = "inventory.restock"
    REFUND_CREATE = "refund.create"
    DISCOUNT_CREATE = "discount.create"
    SEO_UPDATE = "seo.update"
    FULFILLMENT_CREATE = "fulfillment.create"
    SUPPLIER_ONBOARD = "supplier.onboard"
    SUPPLIER_ORDER = "supplier.order"
    CAMPAIGN_LAUNCH = "campaign.launch"
    CAMPAIGN_VARIANT = "campaign.variant"
    AD_PAUSE = "ad.pause"
    BUDGET_ADJUST = "budget.adjust"
    EXPENSE_CREATE = "expense.create"
    AB_TEST_CREATE = "ab_test.create"
    CUSTOMER_REPLY = "customer.reply"
    CUSTOMER_HANDOFF = "customer.handoff"
    GITHUB_WRITE = "github.write"
    STRATEGY_PIVOT = "strategy.pivot"
    MARKET_ENTRY = "market.entry"
    CATALOG_STAGE = "catalog.stage"
    INVENTORY_BADGE = "inventory.badge"
    THEME_STAGE = "theme.stage"
    THEME_PUBLISH = "theme.publish"
    ORDER_RELEASE = "order.release"
    REVIEW_REQUEST = "review.request"
    REVIEW_REPLY = "review.reply"
    """A public reply to a review rated 4 or 5 stars (the rating, never the words, decides)."""
    REVIEW_REPLY_CRITICAL = "review.reply_critical"
    """A public reply to a review rated 3 stars or fewer."""
    EMAIL_SEND = "email.send"


class Access(StrEnum):
    READ = "read"
    WRITE = "write"


class SupplierStatus(StrEnum):
    """From the vetting scorecard (set by code, never parsed from text)."""

    PROVEN = "proven"
    NEW = "new"
    FAILING = "failing"


def _known_kind(value: str) -> ActionKind | str:
    try:
        return ActionKind(value)
    except ValueError:
        return value


Kind = Annotated[str, StringConstraints(pattern=KIND_PATTERN), AfterValidator(_known_kind)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Currency = Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{3}$")]

#: Typed fields each built-in kind must carry, so a rule on them can never be skipped by omission.
REQUIRED_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    ActionKind.PRICE_CHANGE: ("price_before", "price_after"),
    ActionKind.REFUND_CREATE: ("amount",),
    ActionKind.EXPENSE_CREATE: ("amount",),
    ActionKind.BUDGET_ADJUST: ("amount",),
    ActionKind.CAMPAIGN_LAUNCH: ("amount",),
    ActionKind.SUPPLIER_ORDER: ("amount", "supplier_id"),
    ActionKind.SUPPLIER_ONBOARD: ("supplier_id",),
    ActionKind.INVENTORY_RESTOCK: ("supplier_id",),
    ActionKind.EMAIL_SEND: ("recipients",),
    ActionKind.ORDER_RELEASE: ("confidence",),
}


class Action(BaseModel):
    """A proposed external effect: who proposes it, which tool, the exact args, typed facts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cluster: Name
    agent: Name
    tool: Name
    kind: Kind
    access: Access = Access.WRITE
    args: dict[str, JsonValue] = Field(default_factory=dict)

    amount: Decimal | None = Field(default=None, ge=0, description="Money at stake.")
    currency: Currency = "EUR"
    price_before: Decimal | None = Field(default=None, gt=0)
    price_after: Decimal | None = Field(default=None, ge=0)
    supplier_status: SupplierStatus | None = None
    supplier_id: Name | None = None
    supplier_name: Name | None = Field(
        default=None, description="The supplier as people know it; shown in reasons, never rated."
    )
    confidence: float | None = Field(default=None, ge=0, le=1)
    margin_pct: Decimal | None = Field(default=None, le=100)
    discount_pct: Decimal | None = Field(default=None, gt=0, le=100)
    recipients: int | None = Field(
        default=None, ge=0, description="People a message goes to (counted by code)."
    )

    reasoning: str = Field(default="", description="Free text; never read by classification.")
    source_text: str = Field(default="", description="Free text; never read by classification.")

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        # price_change_pct is serialised for readers but always recomputed, never trusted.
        if isinstance(data, dict) and "price_change_pct" in data:
            data = {key: value for key, value in data.items() if key != "price_change_pct"}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Action:
        if self.access is Access.READ:
            return self
        missing = [
            name for name in REQUIRED_FIELDS.get(self.kind, ()) if getattr(self, name) is None
        ]
        if missing:
            raise ValueError(f"a {self.kind} action needs {', '.join(missing)}")
        if self.price_before is not None and self.price_after is None:
            raise ValueError("price_before without price_after: the new price is unknown")
        if (
            self.price_after is not None
            and self.price_before is None
            and self.kind != ActionKind.PRODUCT_CREATE
        ):
            raise ValueError(
                "price_after without price_before: the change cannot be measured "
                "(only product.create sets a first price)"
            )
        if self.supplier_status is not None and self.supplier_id is None:
            raise ValueError("supplier_status without supplier_id")
        if (
            self.kind == ActionKind.DISCOUNT_CREATE
            and self.amount is None
            and not self.discount_pct
        ):
            raise ValueError("a discount.create action needs discount_pct or amount")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def price_change_pct(self) -> Decimal | None:
        """Absolute change in percent of the old price; None unless both prices are known."""
        if self.price_before is None or self.price_after is None:
            return None
        # Exact (no rounding to a few places): 20.004 % must stay above a 20 % threshold.
        return abs(self.price_after - self.price_before) * 100 / self.price_before
