"""Thread streaming (v3): the per-thread event log replayed to reconnecting clients.

Revision ID: 0040_thread_events
Revises: 0031_catalog_sync
Create Date: 2026-12-05 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0040_thread_events"
down_revision: str | None = "0031_catalog_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "thread_events",
        sa.Column("thread_id", sa.String(255), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("run_id", sa.String(255)),
        sa.Column("event", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("thread_id", "seq", name="pk_thread_events"),
    )
    op.create_index("ix_thread_events_thread_id_run_id", "thread_events", ["thread_id", "run_id"])


def downgrade() -> None:
    op.drop_index("ix_thread_events_thread_id_run_id", table_name="thread_events")
    op.drop_table("thread_events")
