"""Run results: the outcome of each finished run, kept for the event retention period so a
stream, join or wait answers from the database when Redis lost the run's events.

Revision ID: 0035_run_results
Revises: 0011_crons
Create Date: 2026-12-05 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0035_run_results"
down_revision: str | None = "0011_crons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "run_results",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("result", _JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name="pk_run_results"),
    )
    op.create_index("ix_run_results_created_at", "run_results", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_run_results_created_at", table_name="run_results")
    op.drop_table("run_results")
