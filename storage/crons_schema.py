"""The crons table (queries: ``storage.crons``): schedules that create runs."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table

from storage.schema import metadata
from storage.types import JsonColumn, UtcDateTime

crons = Table(
    "crons",
    metadata,
    Column("cron_id", String(64), primary_key=True),
    Column("assistant_id", String(255), nullable=False),
    Column(
        "thread_id",
        String(255),
        ForeignKey("threads.thread_id", ondelete="CASCADE"),
    ),
    Column("schedule", String(255), nullable=False),
    Column("timezone", String(64)),
    Column("end_time", UtcDateTime),
    Column("enabled", Boolean, nullable=False),
    Column("on_run_completed", String(16)),
    Column("payload", JsonColumn, nullable=False),
    Column("metadata", JsonColumn, nullable=False),
    Column("user_id", String(255)),
    Column("next_run_date", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_crons_next_run_date", "next_run_date"),
    Index("ix_crons_thread_id", "thread_id"),
)
