"""Ad spend per day and campaign (marketing records it, finance reads it).

Revision ID: 0005_ad_spend
Revises: 0004_users
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_ad_spend"
down_revision: str | None = "0004_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ad_spend",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("campaign_id", sa.String(255), nullable=False),
        sa.Column("campaign_name", sa.String(255), nullable=False),
        sa.Column("spend_cents", sa.BigInteger(), nullable=False),
        sa.Column("purchases", sa.Integer(), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "platform", "campaign_id", name="pk_ad_spend"),
    )
    op.create_index("ix_ad_spend_campaign_id", "ad_spend", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_ad_spend_campaign_id", table_name="ad_spend")
    op.drop_table("ad_spend")
