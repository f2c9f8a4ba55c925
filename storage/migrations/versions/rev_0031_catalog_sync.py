"""Catalog sync: sync records and their changes, merge bases, conflicts, OAuth state nonces.

Revision ID: 0031_catalog_sync
Revises: 0009_onboarded_suppliers
Create Date: 2026-12-09 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0031_catalog_sync"
down_revision: str | None = "0009_onboarded_suppliers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BIGINT_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_DIRECTIONS = (
    "('shopify_to_github', 'github_to_shopify', 'rollback', 'resolution', 'theme', 'inventory')"
)
_STATUSES = "('running', 'done', 'nothing', 'partial', 'waiting', 'failed')"
_CHANGE_STATUSES = "('proposed', 'applied', 'pending', 'skipped', 'conflict', 'rolled_back')"


def _timestamp(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sync_records",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("direction", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(255), nullable=False),
        sa.Column("thread_id", sa.String(255)),
        sa.Column("pull_request", sa.Integer()),
        sa.Column("branch", sa.String(255)),
        sa.Column("commit_sha", sa.String(64)),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("rollback_of", sa.String(36)),
        _timestamp("created_at", nullable=False),
        _timestamp("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_records"),
        sa.CheckConstraint(f"direction IN {_DIRECTIONS}", name=op.f("ck_sync_records_direction")),
        sa.CheckConstraint(f"status IN {_STATUSES}", name=op.f("ck_sync_records_status")),
    )
    op.create_index("ix_sync_records_created_at", "sync_records", ["created_at"])
    op.create_table(
        "sync_changes",
        sa.Column("id", _BIGINT_KEY, autoincrement=True, nullable=False),
        sa.Column("sync_id", sa.String(36), nullable=False),
        sa.Column("handle", sa.String(255), nullable=False),
        sa.Column("field", sa.String(512), nullable=False),
        sa.Column("before", _JSON),
        sa.Column("after", _JSON),
        sa.Column("status", sa.String(16), nullable=False),
        _timestamp("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_changes"),
        sa.UniqueConstraint(
            "sync_id", "handle", "field", name="uq_sync_changes_sync_id_handle_field"
        ),
        sa.CheckConstraint(f"status IN {_CHANGE_STATUSES}", name=op.f("ck_sync_changes_status")),
    )
    op.create_index("ix_sync_changes_handle", "sync_changes", ["handle", "id"])
    op.create_table(
        "sync_bases",
        sa.Column("handle", sa.String(255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("product_id", sa.String(64)),
        sa.Column("sync_id", sa.String(36)),
        _timestamp("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("handle", name="pk_sync_bases"),
    )
    op.create_index("ix_sync_bases_product_id", "sync_bases", ["product_id"])
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("sync_id", sa.String(36), nullable=False),
        sa.Column("handle", sa.String(255), nullable=False),
        sa.Column("field", sa.String(512), nullable=False),
        sa.Column("base", _JSON),
        sa.Column("ours", _JSON),
        sa.Column("theirs", _JSON),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolution", sa.String(16)),
        sa.Column("resolved_value", _JSON),
        sa.Column("resolved_by", sa.String(255)),
        _timestamp("resolved_at"),
        sa.Column("resolution_sync_id", sa.String(36)),
        _timestamp("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_conflicts"),
        sa.UniqueConstraint(
            "sync_id", "handle", "field", name="uq_sync_conflicts_sync_id_handle_field"
        ),
        sa.CheckConstraint("status IN ('OPEN', 'RESOLVED')", name=op.f("ck_sync_conflicts_status")),
        sa.CheckConstraint(
            "resolution IN ('ours', 'theirs', 'edited')", name=op.f("ck_sync_conflicts_resolution")
        ),
    )
    op.create_index(
        "ix_sync_conflicts_status_created_at", "sync_conflicts", ["status", "created_at"]
    )
    op.create_index("ix_sync_conflicts_handle", "sync_conflicts", ["handle"])
    op.create_table(
        "oauth_states",
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("expires_at", nullable=False),
        _timestamp("used_at"),
        sa.PrimaryKeyConstraint("state", name="pk_oauth_states"),
    )


def downgrade() -> None:
    op.drop_table("oauth_states")
    op.drop_index("ix_sync_conflicts_handle", table_name="sync_conflicts")
    op.drop_index("ix_sync_conflicts_status_created_at", table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_index("ix_sync_bases_product_id", table_name="sync_bases")
    op.drop_table("sync_bases")
    op.drop_index("ix_sync_changes_handle", table_name="sync_changes")
    op.drop_table("sync_changes")
    op.drop_index("ix_sync_records_created_at", table_name="sync_records")
    op.drop_table("sync_records")
