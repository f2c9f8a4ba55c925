"""Edits from the approval front ends, rewritten by ``host.resume.decision_value`` into our
decision: text typed where the field takes no text, left-out fields unchanged, bad values
refused with the field's name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from host.errors import InvalidRequestError
from host.identity import Principal
from host.resume import decision_value
from policies.risk import Role
from storage import ApprovalRecord, ApprovalStatus


class CampaignArgs(BaseModel):
    """A stand-in for a tool's args: the record's schema is what an unknown tool is checked by."""

    name: str
    daily_budget_eur: float
    countries: list[str]
    end_date: str | None = None


ARGS: dict[str, Any] = {
    "name": "Mug launch",
    "daily_budget_eur": 40.0,
    "countries": ["NL", "BE"],
    "end_date": None,
}
ALICE = Principal(subject="key:alice", role=Role.APPROVER, method="api_key")


def record() -> ApprovalRecord:
    return ApprovalRecord(
        id="a1",
        status=ApprovalStatus.PENDING,
        created_at=datetime(2026, 12, 5, tzinfo=UTC),
        thread_id="t1",
        interrupt_id="i1",
        risk_level="HIGH",
        cluster="marketing",
        agent="campaign_manager",
        tool="not_a_known_tool",
        action_kind="campaign",
        request={
            "args": ARGS,
            "review_configs": [{"args_schema": CampaignArgs.model_json_schema()}],
        },
    )


def inbox_edit(args: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "edit", "args": {"action": "not_a_known_tool", "args": args}}]


def test_an_agent_inbox_edit_sent_as_text_is_typed_and_keeps_left_out_fields() -> None:
    edited = {"name": "Mug launch", "daily_budget_eur": "55.5", "countries": '["NL","DE"]'}
    value = decision_value(record(), inbox_edit(edited), ALICE)
    assert value == {
        "decision": "modify",
        "decided_by": "key:alice",
        "args": {
            "name": "Mug launch",
            "daily_budget_eur": 55.5,
            "countries": ["NL", "DE"],
            "end_date": None,
        },
    }


def test_text_stays_text_where_the_field_takes_text() -> None:
    value = decision_value(record(), inbox_edit({"name": "[SALE] 42"}), ALICE)
    assert value["args"]["name"] == "[SALE] 42"


def test_a_hitl_edit_keeps_typed_values_and_refuses_what_does_not_fit() -> None:
    def hitl_edit(changes: dict[str, Any]) -> dict[str, Any]:
        action = {"name": "not_a_known_tool", "args": ARGS | changes}
        return {"decisions": [{"type": "edit", "edited_action": action}]}

    with pytest.raises(InvalidRequestError, match="countries"):
        decision_value(record(), hitl_edit({"countries": "NL"}), ALICE)
    typed = decision_value(record(), hitl_edit({"daily_budget_eur": 10}), ALICE)
    assert typed["args"]["daily_budget_eur"] == 10
