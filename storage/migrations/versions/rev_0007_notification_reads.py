"""Per-reader read marks for notifications: every user has their own unread count.

Revision ID: 0007_notification_reads
Revises: 0030_credentials
Create Date: 2026-12-05 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_notification_reads"
down_revision: str | None = "0030_credentials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_reads",
        sa.Column("notification_id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("reader", sa.String(255), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name="fk_notification_reads_notification_id_notifications",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notification_id", "reader", name="pk_notification_reads"),
    )
    op.create_index("ix_notification_reads_reader", "notification_reads", ["reader"])


def downgrade() -> None:
    op.drop_index("ix_notification_reads_reader", table_name="notification_reads")
    op.drop_table("notification_reads")
