"""The assistants tables (queries: ``storage.assistants``)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from storage.schema import metadata
from storage.types import JsonColumn, UtcDateTime


def _versioned() -> list[Column[object]]:
    """What each version holds (the assistant row holds its latest)."""
    return [
        Column("graph_id", String(255), nullable=False),
        Column("name", String(255), nullable=False),
        Column("description", Text),
        Column("config", JsonColumn, nullable=False),
        Column("context", JsonColumn, nullable=False),
        Column("metadata", JsonColumn, nullable=False),
    ]


assistants = Table(
    "assistants",
    metadata,
    Column("assistant_id", String(255), primary_key=True),
    *_versioned(),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_assistants_graph_id", "graph_id"),
    Index("ix_assistants_created_at", "created_at"),
)

assistant_versions = Table(
    "assistant_versions",
    metadata,
    Column(
        "assistant_id",
        String(255),
        ForeignKey("assistants.assistant_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    *_versioned(),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("assistant_id", "version"),
)
