"""Server tables: threads and the durable runs queue (one running run per thread).

Revision ID: 0002_threads_runs
Revises: 0001_app_tables
Create Date: 2025-07-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_threads_runs"
down_revision: str | None = "0001_app_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("thread_id", sa.String(255), nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("updated_at", nullable=False),
        _timestamp("state_updated_at"),
        sa.Column("metadata", _JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("values", _JSON),
        sa.Column("interrupts", _JSON, nullable=False),
        sa.Column("error", _JSON),
        sa.Column("config", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("thread_id", name="pk_threads"),
        sa.CheckConstraint(
            "status IN ('idle', 'busy', 'interrupted', 'error')", name=op.f("ck_threads_status")
        ),
    )
    op.create_index("ix_threads_status_updated_at", "threads", ["status", "updated_at"])
    op.create_index("ix_threads_created_at", "threads", ["created_at"])

    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("thread_id", sa.String(255), nullable=False),
        sa.Column("assistant_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("kwargs", _JSON, nullable=False),
        sa.Column("metadata", _JSON, nullable=False),
        sa.Column("multitask_strategy", sa.String(16), nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("updated_at", nullable=False),
        _timestamp("available_at", nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(255)),
        _timestamp("lease_expires_at"),
        sa.Column("error", _JSON),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.thread_id"],
            name="fk_runs_thread_id_threads",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'success', 'error', 'timeout', 'interrupted')",
            name=op.f("ck_runs_status"),
        ),
        sa.CheckConstraint(
            "multitask_strategy IN ('reject', 'interrupt', 'rollback', 'enqueue')",
            name=op.f("ck_runs_multitask"),
        ),
    )
    op.create_index("ix_runs_thread_id_created_at", "runs", ["thread_id", "created_at"])
    op.create_index("ix_runs_status_available_at", "runs", ["status", "available_at"])
    op.create_index("ix_runs_status_lease_expires_at", "runs", ["status", "lease_expires_at"])
    op.create_index(
        "uq_runs_one_running_per_thread",
        "runs",
        ["thread_id"],
        unique=True,
        postgresql_where=sa.text("status = 'running'"),
        sqlite_where=sa.text("status = 'running'"),
    )


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_table("threads")
