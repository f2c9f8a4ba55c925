"""The app tables, as SQLAlchemy Core metadata (queries use it; migrations create it).

Migrations under ``storage/migrations/versions`` are written out explicitly rather than derived
from this module at run time, so an old revision keeps meaning what it meant; a test compares
the migrated database with this metadata so the two cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from storage.enums import (
    PRIORITIES,
    RISK_LEVELS,
    ActorKind,
    ApprovalStatus,
    Decision,
    EffectStatus,
    GoalStatus,
    NotificationLevel,
    check_in,
)
from storage.types import BigIntKey, JsonColumn, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

approvals = Table(
    "approvals",
    metadata,
    Column("id", Uuid(as_uuid=False), primary_key=True),
    Column("thread_id", String(255), nullable=False),
    Column("interrupt_id", String(255), nullable=False),
    Column("run_id", String(255)),
    Column("checkpoint_ns", Text),
    Column("task_id", String(255)),
    Column("status", String(16), nullable=False),
    Column("risk_level", String(8), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("cluster", String(64), nullable=False),
    Column("agent", String(128), nullable=False),
    Column("tool", String(128), nullable=False),
    Column("action_kind", String(128), nullable=False),
    Column("request", JsonColumn, nullable=False),
    Column("approver_roles", JsonColumn, nullable=False),
    Column("deadline", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime),
    Column("decided_by", String(255)),
    Column("decision", String(16)),
    Column("notes", Text),
    Column("modified_args", JsonColumn),
    Column("reclassified_level", String(8)),
    UniqueConstraint("thread_id", "interrupt_id"),
    CheckConstraint(check_in("status", ApprovalStatus), name="status"),
    CheckConstraint(check_in("risk_level", RISK_LEVELS), name="risk_level"),
    CheckConstraint(check_in("priority", PRIORITIES), name="priority"),
    CheckConstraint(check_in("decision", Decision), name="decision"),
    CheckConstraint(check_in("reclassified_level", RISK_LEVELS), name="reclassified_level"),
    CheckConstraint(
        "(status = 'PENDING') = (decision IS NULL AND decided_at IS NULL)", name="decided"
    ),
    Index("ix_approvals_status_deadline", "status", "deadline"),
    Index("ix_approvals_status_created_at", "status", "created_at"),
    Index("ix_approvals_cluster_status", "cluster", "status", "created_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigIntKey, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("thread_id", String(255)),
    Column("run_id", String(255)),
    Column("actor", String(255), nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("event", String(64), nullable=False),
    Column("cluster", String(64)),
    Column("action_kind", String(128)),
    Column("risk_level", String(8)),
    Column("payload", JsonColumn, nullable=False),
    Column("reasoning", Text),
    Column("dedupe_key", String(255)),
    CheckConstraint(check_in("actor_kind", ActorKind), name="actor_kind"),
    CheckConstraint(check_in("risk_level", RISK_LEVELS), name="risk_level"),
    Index("ix_audit_log_thread_id", "thread_id", "id"),
    Index("ix_audit_log_event", "event", "id"),
    Index("ix_audit_log_at", "at"),
    Index("ux_audit_log_dedupe_key", "dedupe_key", unique=True),
)

effects = Table(
    "effects",
    metadata,
    Column("idempotency_key", String(255), primary_key=True),
    Column("thread_id", String(255), nullable=False),
    Column("task_id", String(255), nullable=False),
    Column("action_kind", String(128), nullable=False),
    Column("tool", String(128), nullable=False),
    Column("args_hash", String(64), nullable=False),
    Column("args", JsonColumn),  # what was written: the sweeper compares it with the service
    Column("status", String(16), nullable=False),
    Column("result", JsonColumn),
    Column("error", Text),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("applied_at", UtcDateTime),
    CheckConstraint(check_in("status", EffectStatus), name="status"),
    Index("ix_effects_thread_id", "thread_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid(as_uuid=False), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("level", String(16), nullable=False),
    Column("risk_level", String(8)),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("thread_id", String(255)),
    Column("run_id", String(255)),
    Column("cluster", String(64)),
    Column("read_at", UtcDateTime),
    CheckConstraint(check_in("level", NotificationLevel), name="level"),
    CheckConstraint(check_in("risk_level", RISK_LEVELS), name="risk_level"),
    Index("ix_notifications_at", "at"),
    Index("ix_notifications_thread_id", "thread_id"),
)

#: Who has read which notification: each user (or API identity) has their own unread count.
notification_reads = Table(
    "notification_reads",
    metadata,
    Column(
        "notification_id",
        Uuid(as_uuid=False),
        ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("reader", String(255), nullable=False),
    Column("read_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("notification_id", "reader"),
    Index("ix_notification_reads_reader", "reader"),
)

goals = Table(
    "goals",
    metadata,
    Column("id", Uuid(as_uuid=False), primary_key=True),
    Column("thread_id", String(255)),
    Column("text", Text, nullable=False),
    Column("metric", String(128)),
    Column("target", String(128)),
    Column("due", UtcDateTime),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(check_in("status", GoalStatus), name="status"),
    Index("ix_goals_status_created_at", "status", "created_at"),
    Index("ix_goals_thread_id", "thread_id"),
)

# The server's tables (threads, runs, webhook deliveries, users) live in their own modules
# on this same metadata.
from storage import ad_spend as _ad_spend  # noqa: E402, F401
from storage import assistants_schema as _assistants_schema  # noqa: E402, F401
from storage import credentials_schema as _credentials_schema  # noqa: E402, F401
from storage import crons_schema as _crons_schema  # noqa: E402, F401
from storage import marketing as _marketing  # noqa: E402, F401
from storage import order_lines as _order_lines  # noqa: E402, F401
from storage import order_sweeps as _order_sweeps  # noqa: E402, F401
from storage import product_suppliers as _product_suppliers  # noqa: E402, F401
from storage import run_results as _run_results  # noqa: E402, F401
from storage import runs_schema as _runs_schema  # noqa: E402, F401
from storage import sync_schema as _sync_schema  # noqa: E402, F401
from storage import thread_events as _thread_events  # noqa: E402, F401
from storage import users_schema as _users_schema  # noqa: E402, F401
