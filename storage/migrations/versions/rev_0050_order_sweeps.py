"""Order lines the periodic order sweep has started fulfilment for (each once).

Revision ID: 0050_order_sweeps
Revises: 0015_order_lines
Create Date: 2026-12-05 19:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0050_order_sweeps"
down_revision: str | None = "0015_order_lines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_sweep_claims",
        sa.Column("line_item_id", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("line_item_id", name="pk_order_sweep_claims"),
    )


def downgrade() -> None:
    op.drop_table("order_sweep_claims")
