"""Cross-process cancellation of runs, and the webhook deliveries already accepted.

Revision ID: 0003_run_control_webhooks
Revises: 0002_threads_runs
Create Date: 2026-11-21 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_run_control_webhooks"
down_revision: str | None = "0002_threads_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("cancel_action", sa.String(16)))
        batch.create_check_constraint("cancel_action", "cancel_action IN ('interrupt', 'rollback')")
    op.create_table(
        "webhook_deliveries",
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("delivery_id", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(64)),
        sa.Column("payload", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("source", "delivery_id", name="pk_webhook_deliveries"),
    )
    op.create_index("ix_webhook_deliveries_received_at", "webhook_deliveries", ["received_at"])


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("ck_runs_cancel_action", type_="check")
        batch.drop_column("cancel_action")
