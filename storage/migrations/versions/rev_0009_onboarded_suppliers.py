"""Onboarded suppliers: vendors a human approved through the product cluster's onboarding.

Revision ID: 0009_onboarded_suppliers
Revises: 0007_notification_reads
Create Date: 2026-12-05 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_onboarded_suppliers"
down_revision: str | None = "0007_notification_reads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "onboarded_suppliers",
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("vendor_id", sa.String(255), nullable=False),
        sa.Column("vendor_name", sa.String(255), nullable=False),
        sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("onboarded_by", sa.String(255), nullable=True),
        sa.Column("approval_id", sa.String(64), nullable=True),
        sa.Column("thread_id", sa.String(255), nullable=True),
        sa.Column("scorecard", _JSON, nullable=True),
        sa.PrimaryKeyConstraint("platform", "vendor_id", name="pk_onboarded_suppliers"),
    )


def downgrade() -> None:
    op.drop_table("onboarded_suppliers")
