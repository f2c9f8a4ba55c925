"""The catalog sync's records: every sync with its field changes (history, rollback), the base
each product was last agreed on (for three-way merges), conflicts awaiting a person, and the
OAuth ``state`` nonces of app installs."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.enums import check_in
from storage.schema import metadata
from storage.types import BigIntKey, JsonColumn, UtcDateTime


class SyncDirection(StrEnum):
    SHOPIFY_TO_GITHUB = "shopify_to_github"
    GITHUB_TO_SHOPIFY = "github_to_shopify"
    ROLLBACK = "rollback"
    RESOLUTION = "resolution"
    THEME = "theme"
    INVENTORY = "inventory"


class SyncStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    NOTHING = "nothing"
    PARTIAL = "partial"
    WAITING = "waiting"
    FAILED = "failed"


class ChangeStatus(StrEnum):
    PROPOSED = "proposed"
    APPLIED = "applied"
    PENDING = "pending"
    SKIPPED = "skipped"
    CONFLICT = "conflict"
    ROLLED_BACK = "rolled_back"


class ConflictStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class Resolution(StrEnum):
    OURS = "ours"
    THEIRS = "theirs"
    EDITED = "edited"


sync_records = Table(
    "sync_records",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("direction", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("trigger", String(255), nullable=False),
    Column("thread_id", String(255)),
    Column("pull_request", Integer),
    Column("branch", String(255)),
    Column("commit_sha", String(64)),
    Column("summary", Text, nullable=False),
    Column("rollback_of", String(36)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(check_in("direction", SyncDirection), name="direction"),
    CheckConstraint(check_in("status", SyncStatus), name="status"),
    Index("ix_sync_records_created_at", "created_at"),
)

sync_changes = Table(
    "sync_changes",
    metadata,
    Column("id", BigIntKey, primary_key=True, autoincrement=True),
    Column("sync_id", String(36), nullable=False),
    Column("handle", String(255), nullable=False),
    Column("field", String(512), nullable=False),
    Column("before", JsonColumn),
    Column("after", JsonColumn),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("sync_id", "handle", "field"),
    CheckConstraint(check_in("status", ChangeStatus), name="status"),
    Index("ix_sync_changes_handle", "handle", "id"),
)

sync_bases = Table(
    "sync_bases",
    metadata,
    Column("handle", String(255), primary_key=True),
    Column("content", Text, nullable=False),
    Column("product_id", String(64)),
    Column("sync_id", String(36)),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_sync_bases_product_id", "product_id"),
)

sync_conflicts = Table(
    "sync_conflicts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sync_id", String(36), nullable=False),
    Column("handle", String(255), nullable=False),
    Column("field", String(512), nullable=False),
    Column("base", JsonColumn),
    Column("ours", JsonColumn),
    Column("theirs", JsonColumn),
    Column("status", String(16), nullable=False),
    Column("resolution", String(16)),
    Column("resolved_value", JsonColumn),
    Column("resolved_by", String(255)),
    Column("resolved_at", UtcDateTime),
    Column("resolution_sync_id", String(36)),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("sync_id", "handle", "field"),
    CheckConstraint(check_in("status", ConflictStatus), name="status"),
    CheckConstraint(check_in("resolution", Resolution), name="resolution"),
    Index("ix_sync_conflicts_status_created_at", "status", "created_at"),
    Index("ix_sync_conflicts_handle", "handle"),
)

oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("provider", String(32), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)
