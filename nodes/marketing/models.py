"""What the marketing cluster reports per campaign or ad."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from nodes.clusters import ItemOutcome


class OutcomeStatus(StrEnum):
    LAUNCHED = "launched"
    CREATED = "created"
    UPDATED = "updated"
    PAUSED = "paused"
    SCALED = "scaled"
    KEPT = "kept"
    REJECTED = "rejected"
    STOPPED = "stopped"
    EXPIRED = "expired"
    FAILED = "failed"


_OUTCOMES = {
    OutcomeStatus.LAUNCHED: ItemOutcome.DONE,
    OutcomeStatus.CREATED: ItemOutcome.DONE,
    OutcomeStatus.UPDATED: ItemOutcome.DONE,
    OutcomeStatus.PAUSED: ItemOutcome.DONE,
    OutcomeStatus.SCALED: ItemOutcome.DONE,
    OutcomeStatus.KEPT: ItemOutcome.DONE,
    OutcomeStatus.REJECTED: ItemOutcome.STOPPED,
    OutcomeStatus.STOPPED: ItemOutcome.STOPPED,
    OutcomeStatus.EXPIRED: ItemOutcome.STOPPED,
    OutcomeStatus.FAILED: ItemOutcome.FAILED,
}


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    status: OutcomeStatus
    detail: str | None = None
    reasons: list[str] = Field(default_factory=list)
    budget_eur: Decimal | None = None
    risk_level: str | None = None
    approval_id: str | None = None
    decided_by: str | None = None
    campaign_id: str | None = None

    def as_item(self) -> dict[str, JsonValue]:
        item: dict[str, JsonValue] = self.model_dump(mode="json", exclude_none=True)
        item["outcome"] = _OUTCOMES[self.status].value
        return item
