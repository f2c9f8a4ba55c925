"""Assistants created over the API and their versions.

Revision ID: 0010_assistants
Revises: 0032_dead_runs
Create Date: 2026-12-05 15:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_assistants"
down_revision: str | None = "0032_dead_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _versioned() -> list[sa.Column[object]]:
    return [
        sa.Column("graph_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("config", _JSON, nullable=False),
        sa.Column("context", _JSON, nullable=False),
        sa.Column("metadata", _JSON, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "assistants",
        sa.Column("assistant_id", sa.String(255), nullable=False),
        *_versioned(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("assistant_id", name="pk_assistants"),
    )
    op.create_index("ix_assistants_graph_id", "assistants", ["graph_id"])
    op.create_index("ix_assistants_created_at", "assistants", ["created_at"])
    op.create_table(
        "assistant_versions",
        sa.Column("assistant_id", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_versioned(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("assistant_id", "version", name="pk_assistant_versions"),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["assistants.assistant_id"],
            name="fk_assistant_versions_assistant_id_assistants",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("assistant_versions")
    op.drop_index("ix_assistants_created_at", table_name="assistants")
    op.drop_index("ix_assistants_graph_id", table_name="assistants")
    op.drop_table("assistants")
