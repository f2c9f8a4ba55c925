"""Third-party credentials sealed with AES-GCM, and their renewal lease.

Revision ID: 0030_credentials
Revises: 0006_approval_closed
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0030_credentials"
down_revision: str | None = "0006_approval_closed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "credentials",
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("account", sa.String(255), nullable=False),
        sa.Column("key_id", sa.String(32)),
        sa.Column("nonce", sa.LargeBinary()),
        sa.Column("ciphertext", sa.LargeBinary()),
        _timestamp("expires_at"),
        _timestamp("renew_after"),
        sa.Column("details", _JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        _timestamp("lease_until"),
        _timestamp("created_at", nullable=False),
        _timestamp("updated_at", nullable=False),
        sa.CheckConstraint(
            "(key_id IS NULL) = (ciphertext IS NULL) AND (nonce IS NULL) = (ciphertext IS NULL)",
            name=op.f("ck_credentials_sealed"),
        ),
        sa.PrimaryKeyConstraint("provider", "account", name="pk_credentials"),
    )


def downgrade() -> None:
    op.drop_table("credentials")
