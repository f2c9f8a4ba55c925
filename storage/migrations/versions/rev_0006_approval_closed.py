"""Approvals can be CLOSED (decision ``close``): their thread was deleted, the reason in notes.

Revision ID: 0006_approval_closed
Revises: 0005_ad_spend
Create Date: 2026-12-05 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_approval_closed"
down_revision: str | None = "0005_ad_spend"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS_BEFORE = "status IN ('PENDING', 'APPROVED', 'REJECTED', 'EXPIRED')"
_STATUS_AFTER = "status IN ('PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'CLOSED')"
_DECISION_BEFORE = "decision IN ('approve', 'reject', 'modify', 'expire')"
_DECISION_AFTER = "decision IN ('approve', 'reject', 'modify', 'expire', 'close')"


def _swap(status: str, decision: str) -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.drop_constraint(op.f("ck_approvals_status"), type_="check")
        batch.drop_constraint(op.f("ck_approvals_decision"), type_="check")
        batch.create_check_constraint(op.f("ck_approvals_status"), status)
        batch.create_check_constraint(op.f("ck_approvals_decision"), decision)


def upgrade() -> None:
    _swap(_STATUS_AFTER, _DECISION_AFTER)


def downgrade() -> None:
    _swap(_STATUS_BEFORE, _DECISION_BEFORE)
