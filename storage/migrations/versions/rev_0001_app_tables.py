"""App tables: approvals, audit log (append-only), effects ledger, notifications, goals.

Revision ID: 0001_app_tables
Revises:
Create Date: 2025-06-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_app_tables"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BIGINT_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_RISK = "('LOW', 'MEDIUM', 'HIGH')"
_APPEND_ONLY_MESSAGE = "audit_log is append-only"


def _timestamp(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "approvals",
        sa.Column("id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("thread_id", sa.String(255), nullable=False),
        sa.Column("interrupt_id", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(255)),
        sa.Column("checkpoint_ns", sa.Text()),
        sa.Column("task_id", sa.String(255)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("risk_level", sa.String(8), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("cluster", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(128), nullable=False),
        sa.Column("tool", sa.String(128), nullable=False),
        sa.Column("action_kind", sa.String(128), nullable=False),
        sa.Column("request", _JSON, nullable=False),
        sa.Column("approver_roles", _JSON, nullable=False),
        _timestamp("deadline"),
        _timestamp("created_at", nullable=False),
        _timestamp("decided_at"),
        sa.Column("decided_by", sa.String(255)),
        sa.Column("decision", sa.String(16)),
        sa.Column("notes", sa.Text()),
        sa.Column("modified_args", _JSON),
        sa.Column("reclassified_level", sa.String(8)),
        sa.PrimaryKeyConstraint("id", name="pk_approvals"),
        sa.UniqueConstraint(
            "thread_id", "interrupt_id", name="uq_approvals_thread_id_interrupt_id"
        ),
        sa.CheckConstraint(
            "status IN ('PENDING', 'APPROVED', 'REJECTED', 'EXPIRED')",
            name=op.f("ck_approvals_status"),
        ),
        sa.CheckConstraint(f"risk_level IN {_RISK}", name=op.f("ck_approvals_risk_level")),
        sa.CheckConstraint(
            "priority IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')", name=op.f("ck_approvals_priority")
        ),
        sa.CheckConstraint(
            "decision IN ('approve', 'reject', 'modify', 'expire')",
            name=op.f("ck_approvals_decision"),
        ),
        sa.CheckConstraint(
            f"reclassified_level IN {_RISK}", name=op.f("ck_approvals_reclassified_level")
        ),
        sa.CheckConstraint(
            "(status = 'PENDING') = (decision IS NULL AND decided_at IS NULL)",
            name=op.f("ck_approvals_decided"),
        ),
    )
    op.create_index("ix_approvals_status_deadline", "approvals", ["status", "deadline"])
    op.create_index("ix_approvals_status_created_at", "approvals", ["status", "created_at"])
    op.create_index("ix_approvals_cluster_status", "approvals", ["cluster", "status", "created_at"])

    op.create_table(
        "audit_log",
        sa.Column("id", _BIGINT_KEY, autoincrement=True, nullable=False),
        _timestamp("at", nullable=False),
        sa.Column("thread_id", sa.String(255)),
        sa.Column("run_id", sa.String(255)),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("cluster", sa.String(64)),
        sa.Column("action_kind", sa.String(128)),
        sa.Column("risk_level", sa.String(8)),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("reasoning", sa.Text()),
        sa.Column("dedupe_key", sa.String(255)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.CheckConstraint(
            "actor_kind IN ('agent', 'human', 'system')", name=op.f("ck_audit_log_actor_kind")
        ),
        sa.CheckConstraint(f"risk_level IN {_RISK}", name=op.f("ck_audit_log_risk_level")),
    )
    op.create_index("ix_audit_log_thread_id", "audit_log", ["thread_id", "id"])
    op.create_index("ix_audit_log_event", "audit_log", ["event", "id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ux_audit_log_dedupe_key", "audit_log", ["dedupe_key"], unique=True)
    _create_append_only_guard()

    op.create_table(
        "effects",
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("thread_id", sa.String(255), nullable=False),
        sa.Column("task_id", sa.String(255), nullable=False),
        sa.Column("action_kind", sa.String(128), nullable=False),
        sa.Column("tool", sa.String(128), nullable=False),
        sa.Column("args_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", _JSON),
        sa.Column("error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("applied_at"),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_effects"),
        sa.CheckConstraint(
            "status IN ('STARTED', 'APPLIED', 'FAILED')", name=op.f("ck_effects_status")
        ),
    )
    op.create_index("ix_effects_thread_id", "effects", ["thread_id"])

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(as_uuid=False), nullable=False),
        _timestamp("at", nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("risk_level", sa.String(8)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("thread_id", sa.String(255)),
        sa.Column("run_id", sa.String(255)),
        sa.Column("cluster", sa.String(64)),
        _timestamp("read_at"),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.CheckConstraint(
            "level IN ('info', 'warning', 'critical')", name=op.f("ck_notifications_level")
        ),
        sa.CheckConstraint(f"risk_level IN {_RISK}", name=op.f("ck_notifications_risk_level")),
    )
    op.create_index("ix_notifications_at", "notifications", ["at"])
    op.create_index("ix_notifications_thread_id", "notifications", ["thread_id"])

    op.create_table(
        "goals",
        sa.Column("id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("thread_id", sa.String(255)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("metric", sa.String(128)),
        sa.Column("target", sa.String(128)),
        _timestamp("due"),
        sa.Column("status", sa.String(16), nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_goals"),
        sa.CheckConstraint(
            "status IN ('active', 'done', 'abandoned')", name=op.f("ck_goals_status")
        ),
    )
    op.create_index("ix_goals_status_created_at", "goals", ["status", "created_at"])
    op.create_index("ix_goals_thread_id", "goals", ["thread_id"])


def _create_append_only_guard() -> None:
    """Refuse UPDATE, DELETE (and on Postgres TRUNCATE) of audit rows inside the database."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_log_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{_APPEND_ONLY_MESSAGE} (% refused)', TG_OP
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{operation.lower()} BEFORE {operation} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_MESSAGE} ({operation} refused)'); END"
        )


def downgrade() -> None:
    for table in ("goals", "notifications", "effects"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.drop_table("audit_log")  # its triggers go with it
    op.drop_table("approvals")
