"""The async SQLAlchemy engine of the app tables, from settings.

PostgreSQL runs on async psycopg 3. SQLite (the embedded default) runs on aiosqlite with WAL,
foreign keys and a busy timeout, and with SQLAlchemy emitting ``BEGIN`` itself: the sqlite3
driver's legacy mode would leave SELECTs and DDL outside transactions. Writes begin with
``BEGIN IMMEDIATE`` so a transaction that reads and then writes takes the write lock up front
and waits its turn, instead of failing with ``database is locked`` when another writer got there
between its read and its write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from settings import Settings, get_settings
from storage.migrate import current_revision, head_revision, upgrade
from storage.urls import Backend, backend_of, database_url, normalize_url, sqlite_file

#: Execution option naming the SQLite ``BEGIN`` mode of a connection's transactions.
_SQLITE_BEGIN = "royal_sqlite_begin"


def create_engine(
    url: str | URL,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    sqlite_busy_timeout: float = 30.0,
    echo: bool = False,
) -> AsyncEngine:
    """An async engine for ``url`` (any accepted spelling), configured for its back-end."""
    target = normalize_url(url)
    if backend_of(target) == "postgresql":
        return create_async_engine(
            target,
            pool_size=pool_size,
            max_overflow=max_overflow,
            # A connection is checked before use (a loopback round trip): after a database
            # restart every pooled connection is dead, and without the check each one would
            # fail a request or a run step before leaving the pool.
            pool_pre_ping=True,
            pool_recycle=1800,
            echo=echo,
            connect_args={"application_name": "royal"},
        )
    engine = create_async_engine(
        target,
        pool_size=pool_size,
        max_overflow=max_overflow,
        echo=echo,
        connect_args={"timeout": sqlite_busy_timeout},
    )
    _configure_sqlite(engine, busy_timeout_ms=int(sqlite_busy_timeout * 1000))
    return engine


def _configure_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Hand transaction control to SQLAlchemy (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class DatabaseNotOpenError(RuntimeError):
    def __init__(self) -> None:
        super().__init__("the database is not open: use `async with Database(...)` or open()")


class Database:
    """The app database: an engine, a session factory and transaction helpers.

    ``transaction()`` is for writes (``BEGIN IMMEDIATE`` on SQLite), ``read()`` for queries that
    write nothing. ``sessionmaker`` sessions are bound to the write engine.
    """

    def __init__(
        self,
        url: str | URL,
        *,
        pool_size: int = 5,
        max_overflow: int = 10,
        sqlite_busy_timeout: float = 30.0,
        echo: bool = False,
    ) -> None:
        self.url = normalize_url(url)
        self.backend: Backend = backend_of(self.url)
        self._engine_options: dict[str, Any] = {
            "pool_size": pool_size,
            "max_overflow": max_overflow,
            "sqlite_busy_timeout": sqlite_busy_timeout,
            "echo": echo,
        }
        self._engine: AsyncEngine | None = None
        self._writer: AsyncEngine | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **options: Any) -> Database:
        """``DATABASE_URL`` when set, else the embedded SQLite file in the data directory."""
        return cls(database_url(settings or get_settings()), **options)

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    # --- life cycle ----------------------------------------------------------------------
    async def open(self) -> Database:
        """Create the engine and check the server answers (fails fast on a bad URL)."""
        if self._engine is not None:
            return self
        path = sqlite_file(self.url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(self.url, **self._engine_options)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except BaseException:
            await engine.dispose()
            raise
        self._engine = engine
        self._writer = engine.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})
        self._sessionmaker = async_sessionmaker(self._writer, expire_on_commit=False)
        return self

    async def close(self) -> None:
        engine, self._engine, self._writer, self._sessionmaker = self._engine, None, None, None
        if engine is not None:
            await engine.dispose()

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def is_open(self) -> bool:
        return self._engine is not None

    # --- access --------------------------------------------------------------------------
    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise DatabaseNotOpenError
        return self._engine

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        if self._sessionmaker is None:
            raise DatabaseNotOpenError
        return self._sessionmaker

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction, committed on success and rolled back on error."""
        if self._writer is None:
            raise DatabaseNotOpenError
        async with self._writer.begin() as connection:
            yield connection

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for queries; whatever it did is rolled back on exit."""
        async with self.engine.connect() as connection:
            yield connection

    # --- migrations ----------------------------------------------------------------------
    async def migrate(self) -> str:
        """Upgrade the schema to the newest revision (safe to call on every start)."""
        if self._writer is None:
            raise DatabaseNotOpenError
        return await upgrade(self._writer)

    async def current_revision(self) -> str | None:
        return await current_revision(self.engine)

    async def is_at_head(self) -> bool:
        """True when migrations are complete: what a readiness probe asks."""
        return await self.current_revision() == head_revision()


async def upgrade_to_head(url: str | URL) -> str:
    """Migrate the database at ``url`` to the newest revision and return that revision.

    For the CLI and deployment hooks; a running process calls ``Database.migrate()`` instead.
    """
    async with Database(url, pool_size=1, max_overflow=0) as database:
        return await database.migrate()
