"""Console users: name, role and password hash.

Revision ID: 0004_users
Revises: 0003_run_control_webhooks
Create Date: 2026-11-21 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_users"
down_revision: str | None = "0003_run_control_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_users"),
        sa.CheckConstraint(
            "role IN ('viewer', 'operator', 'approver', 'admin')", name=op.f("ck_users_role")
        ),
    )


def downgrade() -> None:
    op.drop_table("users")
