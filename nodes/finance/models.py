"""What the finance cluster's steps hand each other and report."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from nodes.clusters import ItemOutcome
from storage.order_lines import LineRef, OrderLineRecord
from tools.suppliers import Recipient


class ItemStatus(StrEnum):
    REPORTED = "reported"
    PLACED = "placed_with_supplier"
    SHIPPED = "shipped"
    HELD = "held"
    WAITING = "waiting_for_fraud_review"
    CANCELLED = "cancelled_and_refunded"
    REJECTED = "rejected"
    EXPIRED = "expired"
    RECORDED = "recorded"
    FAILED = "failed"


OUTCOME = {
    ItemStatus.REPORTED: ItemOutcome.DONE,
    ItemStatus.PLACED: ItemOutcome.DONE,
    ItemStatus.SHIPPED: ItemOutcome.DONE,
    ItemStatus.RECORDED: ItemOutcome.DONE,
    ItemStatus.CANCELLED: ItemOutcome.DONE,
    ItemStatus.HELD: ItemOutcome.STOPPED,
    ItemStatus.WAITING: ItemOutcome.WAITING,
    ItemStatus.REJECTED: ItemOutcome.STOPPED,
    ItemStatus.EXPIRED: ItemOutcome.STOPPED,
    ItemStatus.FAILED: ItemOutcome.FAILED,
}


class FinanceItem(BaseModel):
    """One line of the cluster's report: an order, a supplier order, a P&L, an expense."""

    model_config = ConfigDict(frozen=True)

    title: str
    status: ItemStatus
    detail: str = ""
    reasons: list[str] = Field(default_factory=list)
    risk_level: str | None = None
    approval_id: str | None = None
    figures: dict[str, JsonValue] = Field(default_factory=dict)

    def as_report_item(self) -> dict[str, JsonValue]:
        item: dict[str, JsonValue] = {
            "title": self.title,
            "status": self.status.value,
            "outcome": OUTCOME[self.status].value,
            "detail": self.detail,
            "reasons": list(self.reasons),
            **self.figures,
        }
        if self.risk_level:
            item["risk_level"] = self.risk_level
        if self.approval_id:
            item["approval_id"] = self.approval_id
        return item


class PlannedLine(BaseModel):
    """An order line and the supplier variant that ships it."""

    model_config = ConfigDict(frozen=True)

    line: LineRef
    product_id: str
    variant_id: str
    unit_cost_eur: Decimal | None = Field(
        default=None, description="Shopify's unit cost, to notice a supplier price change."
    )


class SupplierBatch(BaseModel):
    """The lines of one order that one supplier ships: one supplier order."""

    model_config = ConfigDict(frozen=True)

    supplier: str
    lines: list[PlannedLine]


class FraudAssessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    score: int = Field(ge=0, le=100)
    flagged: bool
    signals: list[str] = Field(default_factory=list)
    shopify_risk: str | None = None

    @property
    def confidence(self) -> Decimal:
        """How sure the screening is that the order is genuine (what the policy rates)."""
        return Decimal(100 - self.score) / 100


class OrderPlan(BaseModel):
    """One paid order to fulfil: who gets it, which supplier ships which line, its risk."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    order_name: str
    total_eur: Decimal
    recipient: Recipient
    batches: list[SupplierBatch]
    fraud: FraudAssessment
    note: str | None = Field(
        default=None, description="The customer's note: data, never instructions."
    )


class Shipment(BaseModel):
    """A supplier order we placed that has not reached the customer's Shopify order yet."""

    model_config = ConfigDict(frozen=True)

    supplier: str
    supplier_order_id: str
    lines: list[OrderLineRecord]
