"""Order lines and SKU -> supplier variant mappings of the Order & Finance cluster.

Revision ID: 0015_order_lines
Revises: 0025_ad_campaigns
Create Date: 2026-12-05 15:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_order_lines"
down_revision: str | None = "0025_ad_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "variant_suppliers",
        sa.Column("sku", sa.String(255), nullable=False),
        sa.Column("supplier", sa.String(32), nullable=False),
        sa.Column("product_id", sa.String(255), nullable=False),
        sa.Column("variant_id", sa.String(255), nullable=False),
        sa.Column("mapped_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sku", name="pk_variant_suppliers"),
    )
    op.create_table(
        "order_lines",
        sa.Column("line_item_id", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(255), nullable=False),
        sa.Column("order_name", sa.String(64), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("sku", sa.String(255), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("supplier", sa.String(32), nullable=True),
        sa.Column("supplier_order_id", sa.String(255), nullable=True),
        sa.Column("cost_cents", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("tracking_number", sa.String(255), nullable=True),
        sa.Column("tracking_company", sa.String(255), nullable=True),
        sa.Column("tracking_url", sa.Text(), nullable=True),
        sa.Column("fulfillment_id", sa.String(255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("line_item_id", name="pk_order_lines"),
    )
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"])
    op.create_index("ix_order_lines_status", "order_lines", ["status", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_status", table_name="order_lines")
    op.drop_index("ix_order_lines_order_id", table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_table("variant_suppliers")
