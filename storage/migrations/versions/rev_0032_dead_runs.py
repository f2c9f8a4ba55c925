"""Dead-lettered runs: a ``dead`` run status, failed attempts counted, discarded dead runs.

Revision ID: 0032_dead_runs
Revises: 0040_thread_events
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032_dead_runs"
down_revision: str | None = "0040_thread_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "status IN ('pending', 'running', 'success', 'error', 'timeout', 'interrupted')"
_AFTER = "status IN ('pending', 'running', 'success', 'error', 'timeout', 'interrupted', 'dead')"


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("discarded_at", sa.DateTime(timezone=True)))
        batch.drop_constraint(op.f("ck_runs_status"), type_="check")
        batch.create_check_constraint(op.f("ck_runs_status"), _AFTER)


def downgrade() -> None:
    op.execute("UPDATE runs SET status = 'error' WHERE status = 'dead'")
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint(op.f("ck_runs_status"), type_="check")
        batch.create_check_constraint(op.f("ck_runs_status"), _BEFORE)
        batch.drop_column("discarded_at")
        batch.drop_column("failed_attempts")
