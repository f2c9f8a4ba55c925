"""Persistence: the app database (engine, migrations, repositories) and LangGraph's savers.

PostgreSQL when ``DATABASE_URL`` is set, embedded SQLite in the data directory otherwise; every
repository and migration works on both. LangGraph's checkpointer and store are opened by
``storage.langgraph.open_persistence`` (imported from there, to keep this import light).
"""

from storage.approvals import ApprovalRecord, ApprovalRepository, NewApproval
from storage.audit import AuditEntry, AuditEvent, AuditLog, AuditRecord
from storage.effects import EffectOutcome, EffectRecord, EffectsLedger, args_hash, idempotency_key
from storage.engine import Database, DatabaseNotOpenError, upgrade_to_head
from storage.enums import (
    ActorKind,
    ApprovalStatus,
    Decision,
    EffectStatus,
    GoalStatus,
    NotificationLevel,
)
from storage.errors import (
    ApprovalAlreadyDecidedError,
    ApprovalExpiredError,
    IdempotencyConflictError,
    NotFoundError,
    StorageError,
)
from storage.goals import GoalRecord, GoalRepository, NewGoal
from storage.migrate import head_revision
from storage.notifications import NewNotification, NotificationRecord, NotificationRepository
from storage.pagination import Page

__all__ = [
    "ActorKind",
    "ApprovalAlreadyDecidedError",
    "ApprovalExpiredError",
    "ApprovalRecord",
    "ApprovalRepository",
    "ApprovalStatus",
    "AuditEntry",
    "AuditEvent",
    "AuditLog",
    "AuditRecord",
    "Database",
    "DatabaseNotOpenError",
    "Decision",
    "EffectOutcome",
    "EffectRecord",
    "EffectStatus",
    "EffectsLedger",
    "GoalRecord",
    "GoalRepository",
    "GoalStatus",
    "IdempotencyConflictError",
    "NewApproval",
    "NewGoal",
    "NewNotification",
    "NotFoundError",
    "NotificationLevel",
    "NotificationRecord",
    "NotificationRepository",
    "Page",
    "StorageError",
    "args_hash",
    "head_revision",
    "idempotency_key",
    "upgrade_to_head",
]
