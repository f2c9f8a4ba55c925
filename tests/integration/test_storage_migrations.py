"""Migrations on SQLite and PostgreSQL: from empty, idempotent, concurrent, matching the code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from settings import Settings
from storage.engine import Database, DatabaseNotOpenError, upgrade_to_head
from storage.migrate import head_revision
from storage.schema import metadata
from tests.integration.storage_support import BACKENDS, backend_url

APP_TABLES = {"approvals", "audit_log", "effects", "notifications", "goals"}


@pytest.fixture(params=BACKENDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(backend_url(request, tmp_path)) as database:
        yield database


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrate_from_empty_then_again_is_a_no_op(empty_database: Database) -> None:
    assert await empty_database.current_revision() is None
    assert not await empty_database.is_at_head()

    assert await empty_database.migrate() == head_revision()
    async with empty_database.read() as connection:
        tables = await connection.run_sync(_table_names)
    assert tables >= APP_TABLES | {"alembic_version"}
    assert await empty_database.is_at_head()

    # A second start (or a second process) finds the schema at head and changes nothing.
    assert await empty_database.migrate() == head_revision()
    async with empty_database.read() as connection:
        versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert [v[0] for v in versions] == [head_revision()]


async def test_migrated_schema_matches_the_table_definitions(empty_database: Database) -> None:
    await empty_database.migrate()

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with empty_database.read() as connection:
        assert await connection.run_sync(differences) == []


async def test_concurrent_starts_migrate_once(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    del request  # the parametrized fixture below provides the database
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    async with Database(url) as first, Database(url) as second:
        revisions = list(await asyncio.gather(first.migrate(), second.migrate()))
        assert revisions == [head_revision(), head_revision()]
        assert await first.is_at_head()


@pytest.mark.postgres
async def test_concurrent_starts_on_postgres_serialise_on_the_advisory_lock(
    postgres_url: str,
) -> None:
    databases = [Database(postgres_url) for _ in range(3)]
    for database in databases:
        await database.open()
    try:
        revisions = await asyncio.gather(*(d.migrate() for d in databases))
    finally:
        for database in databases:
            await database.close()
    assert revisions == [head_revision()] * 3


async def test_sessions_and_the_closed_state(empty_database: Database) -> None:
    await empty_database.migrate()
    async with empty_database.sessionmaker() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO effects (idempotency_key, thread_id, task_id, action_kind, tool, "
                "args_hash, status, result, error, attempts, created_at, applied_at) "
                "VALUES ('k', 't', 'task', 'a', 'tool', 'h', 'STARTED', "
                "NULL, NULL, 1, CURRENT_TIMESTAMP, NULL)"
            )
        )
    async with empty_database.read() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM effects"))).scalar_one() == 1

    closed = Database(empty_database.url)
    assert not closed.is_open
    with pytest.raises(DatabaseNotOpenError):
        closed.engine  # noqa: B018
    with pytest.raises(DatabaseNotOpenError):
        async with closed.transaction():
            pass


async def test_upgrade_to_head_for_the_cli(empty_database: Database) -> None:
    assert await upgrade_to_head(empty_database.url) == head_revision()
    assert await empty_database.is_at_head()


async def test_embedded_default_creates_the_data_directory_with_wal_and_foreign_keys(
    tmp_path: Path,
) -> None:
    settings = Settings(royal_data_dir=tmp_path / "nested" / "data")
    async with Database.from_settings(settings) as database:
        assert database.backend == "sqlite"
        assert settings.sqlite_path.parent.is_dir()
        async with database.read() as connection:
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
    assert settings.sqlite_path.is_file()
    assert (journal, foreign_keys) == ("wal", 1)


@pytest.mark.postgres
async def test_database_url_selects_postgres(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(royal_data_dir=tmp_path, database_url=postgres_url)
    async with Database.from_settings(settings) as database:
        assert database.backend == "postgresql"
        assert database.url.drivername == "postgresql+psycopg"
        async with database.read() as connection:
            version = (await connection.execute(text("SELECT version()"))).scalar_one()
    assert str(version).startswith("PostgreSQL")
    assert not (tmp_path / "royal.sqlite3").exists()
