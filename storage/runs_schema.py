"""The server's tables: threads (what the LangGraph Server API lists and searches), runs
(the durable queue the workers claim from) and webhook deliveries (de-duplication by id).

Checkpoints stay in LangGraph's own tables; a thread row holds what the API must search and
list without opening checkpoints: metadata, status, the latest values and pending interrupts.
At most one run per thread is ``running`` — a partial unique index enforces it on both back-ends,
so two workers racing for the same thread cannot both win.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from storage.enums import check_in
from storage.schema import metadata
from storage.types import JsonColumn, UtcDateTime

THREAD_STATUSES = ("idle", "busy", "interrupted", "error")
RUN_STATUSES = ("pending", "running", "success", "error", "timeout", "interrupted", "dead")
"""``dead``: dead-lettered after ``ROYAL_RUN_MAX_ATTEMPTS`` failed attempts (``host.dead_runs``)."""
MULTITASK_STRATEGIES = ("reject", "interrupt", "rollback", "enqueue")
CANCEL_ACTIONS = ("interrupt", "rollback")


threads = Table(
    "threads",
    metadata,
    Column("thread_id", String(255), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("state_updated_at", UtcDateTime),
    Column("metadata", JsonColumn, nullable=False),
    Column("status", String(16), nullable=False),
    Column("values", JsonColumn),
    Column("interrupts", JsonColumn, nullable=False),
    Column("error", JsonColumn),
    Column("config", JsonColumn, nullable=False),
    CheckConstraint(check_in("status", THREAD_STATUSES), name="status"),
    Index("ix_threads_status_updated_at", "status", "updated_at"),
    Index("ix_threads_created_at", "created_at"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column(
        "thread_id",
        String(255),
        ForeignKey("threads.thread_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("assistant_id", String(255), nullable=False),
    Column("status", String(16), nullable=False),
    Column("kwargs", JsonColumn, nullable=False),
    Column("metadata", JsonColumn, nullable=False),
    Column("multitask_strategy", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("available_at", UtcDateTime, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("worker_id", String(255)),
    Column("lease_expires_at", UtcDateTime),
    Column("error", JsonColumn),
    Column("cancel_action", String(16)),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("discarded_at", UtcDateTime),
    CheckConstraint(check_in("status", RUN_STATUSES), name="status"),
    CheckConstraint(check_in("cancel_action", CANCEL_ACTIONS), name="cancel_action"),
    CheckConstraint(check_in("multitask_strategy", MULTITASK_STRATEGIES), name="multitask"),
    Index("ix_runs_thread_id_created_at", "thread_id", "created_at"),
    Index("ix_runs_status_available_at", "status", "available_at"),
    Index("ix_runs_status_lease_expires_at", "status", "lease_expires_at"),
    Index(
        "uq_runs_one_running_per_thread",
        "thread_id",
        unique=True,
        postgresql_where=text("status = 'running'"),
        sqlite_where=text("status = 'running'"),
    ),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("source", String(32), primary_key=True),
    Column("delivery_id", String(255), primary_key=True),
    Column("topic", String(255), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("run_id", String(64)),
    Column("payload", JsonColumn, nullable=False),
    Index("ix_webhook_deliveries_received_at", "received_at"),
)
