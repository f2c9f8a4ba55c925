"""Ad campaigns (approved budget, ads, pause reasons) and their creatives (marketing).

Revision ID: 0025_ad_campaigns
Revises: 0035_run_results
Create Date: 2026-12-05 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025_ad_campaigns"
down_revision: str | None = "0035_run_results"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ad_campaigns",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("adset_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("product_id", sa.String(255), nullable=False),
        sa.Column("product_title", sa.String(255), nullable=False),
        sa.Column("approved_budget_cents", sa.BigInteger(), nullable=False),
        sa.Column("budget_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("thread_id", sa.String(255)),
        sa.Column("ads", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ad_campaigns_created_at", "ad_campaigns", ["created_at"])
    op.create_table(
        "ad_creatives",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("campaign_key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ad_creatives_campaign_key", "ad_creatives", ["campaign_key"])


def downgrade() -> None:
    op.drop_index("ix_ad_creatives_campaign_key", table_name="ad_creatives")
    op.drop_table("ad_creatives")
    op.drop_index("ix_ad_campaigns_created_at", table_name="ad_campaigns")
    op.drop_table("ad_campaigns")
