"""The generic filler builds valid, deterministic, visibly generic instances of JSON schemas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

import pytest
from pydantic import BaseModel, Field

from tools.llm import GENERIC_MARK, SchemaFillError, fill_schema


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Money(BaseModel):
    amount: Decimal = Field(ge=Decimal("0.50"), le=Decimal("1000"))
    currency: Literal["EUR"] = "EUR"


class Node(BaseModel):
    name: str
    children: list[Node] = Field(default_factory=list)


class Campaign(BaseModel):
    """Everything the filler must handle at once."""

    title: str = Field(max_length=24)
    code: str = Field(min_length=12)
    channel: Channel
    budget: Money
    discount_pct: float = Field(gt=0, lt=50, multiple_of=0.5)
    days: int = Field(ge=1, le=30)
    starts: date
    owner_id: UUID
    tags: list[str] = Field(min_length=2, max_length=3)
    notes: str | None = None
    priority: int = 3
    tree: Node


def _fill(model: type[BaseModel], context: str) -> Any:
    return fill_schema(model.model_json_schema(), context=context, name=model.__name__)


def test_pydantic_schema_with_refs_bounds_and_formats_is_valid() -> None:
    data = _fill(Campaign, "Spend 120 euro over 14 days with 15 percent off")
    campaign = Campaign.model_validate(data)
    assert campaign.channel is Channel.EMAIL
    assert campaign.budget.amount == Decimal(120)
    assert campaign.discount_pct == 14  # 120 is out of range, 14 fits (0, 50) in steps of 0.5
    assert campaign.days == 15
    assert campaign.title.startswith(GENERIC_MARK)
    assert len(campaign.title) <= 24
    assert len(campaign.code) >= 12
    assert len(set(campaign.tags)) == 2
    assert campaign.priority == 3
    assert campaign.tree.children == []


def test_same_input_same_output_and_context_changes_it() -> None:
    first = _fill(Campaign, "Spend 120 euro")
    assert _fill(Campaign, "Spend 120 euro") == first
    assert _fill(Campaign, "Spend 300 euro") != first


def test_without_numbers_the_lowest_valid_value_is_used() -> None:
    money = Money.model_validate(fill_schema(Money.model_json_schema(), context="no numbers"))
    assert money.amount == Decimal("0.5")


def test_unsatisfiable_pattern_names_the_field_and_the_fix() -> None:
    schema = {
        "type": "object",
        "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"}},
        "required": ["sku"],
    }
    with pytest.raises(SchemaFillError, match=r"Item\.sku: .*register an offline responder"):
        fill_schema(schema, context="anything", name="Item")


def test_nullable_branch_is_used_when_nothing_else_fits() -> None:
    schema = {
        "anyOf": [{"type": "string", "pattern": "^\\d{13}$"}, {"type": "null"}],
    }
    assert fill_schema(schema, context="x") is None
