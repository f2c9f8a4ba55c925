"""People who sign in to the console: a name, a role and a password hash (never the password)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, String, Table

from storage.enums import check_in
from storage.schema import metadata
from storage.types import UtcDateTime

USER_ROLES = ("viewer", "operator", "approver", "admin")

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(check_in("role", USER_ROLES), name="role"),
)
