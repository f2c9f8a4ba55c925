"""Crons: schedules that create runs, claimed tick by tick in the database.

Revision ID: 0011_crons
Revises: 0010_assistants
Create Date: 2026-12-05 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_crons"
down_revision: str | None = "0010_assistants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "crons",
        sa.Column("cron_id", sa.String(64), nullable=False),
        sa.Column("assistant_id", sa.String(255), nullable=False),
        sa.Column("thread_id", sa.String(255)),
        sa.Column("schedule", sa.String(255), nullable=False),
        sa.Column("timezone", sa.String(64)),
        sa.Column("end_time", sa.DateTime(timezone=True)),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("on_run_completed", sa.String(16)),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("metadata", _JSON, nullable=False),
        sa.Column("user_id", sa.String(255)),
        sa.Column("next_run_date", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("cron_id", name="pk_crons"),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.thread_id"],
            name="fk_crons_thread_id_threads",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_crons_next_run_date", "crons", ["next_run_date"])
    op.create_index("ix_crons_thread_id", "crons", ["thread_id"])


def downgrade() -> None:
    op.drop_index("ix_crons_thread_id", table_name="crons")
    op.drop_index("ix_crons_next_run_date", table_name="crons")
    op.drop_table("crons")
