"""The effects ledger keeps each write's arguments, so the sweeper can ask the service whether
a write left STARTED landed (a price equal to the one written, an order for that reference).

Revision ID: 0051_effect_args
Revises: 0050_order_sweeps
Create Date: 2026-12-05 22:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0051_effect_args"
down_revision: str | None = "0050_order_sweeps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("effects") as batch:
        batch.add_column(sa.Column("args", _JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("effects") as batch:
        batch.drop_column("args")
