"""Alembic run from code: ``Database.migrate()`` at start-up, ``upgrade_to_head(url)`` for the CLI.

The upgrade runs inside one write transaction on the caller's connection (env.py picks it up
from ``config.attributes``). On PostgreSQL the transaction first takes an advisory lock, so API
and worker processes starting together migrate one after the other — the second finds the
schema at head and does nothing. On SQLite the ``BEGIN IMMEDIATE`` write lock does the same.
DDL is transactional on both, so a failed migration leaves the previous schema intact.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: ``pg_advisory_xact_lock`` key serialising migrations across processes (any fixed bigint).
_MIGRATION_LOCK_KEY = 0x526F79616C4D6967  # "RoyalMig"


def alembic_config() -> Config:
    """An Alembic configuration for the app migrations, with no ini file needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@functools.cache
def head_revision() -> str:
    """The newest revision shipped with this code (read from the version files, once)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def _upgrade(connection: Connection, revision: str) -> str | None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY:d})")
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
    return _current(connection)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> str:
    """Upgrade to ``revision`` in one transaction; returns the revision now current."""
    async with engine.begin() as connection:
        current = await connection.run_sync(_upgrade, revision)
    if current is None:  # pragma: no cover - alembic always stamps after upgrading
        raise RuntimeError("migration finished without a current revision")
    return current


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision (``None`` before the first migration)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)
