"""LangGraph's checkpointer and store, opened from settings, next to the app database.

PostgreSQL (``DATABASE_URL``): ``AsyncPostgresSaver`` and ``AsyncPostgresStore`` share one
psycopg pool whose connections use autocommit, no server-side prepared statements (safe behind
PgBouncer) and dict rows — the settings both classes require. SQLite: ``AsyncSqliteSaver`` and
``AsyncSqliteStore`` on their own files in the data directory, apart from the app tables, so
checkpoint writes do not queue behind app transactions for the file lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
)
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol, maybe_add_typed_methods
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.store.base import BaseStore, TTLConfig
from langgraph.store.postgres.aio import AsyncPostgresStore
from langgraph.store.sqlite.aio import AsyncSqliteStore
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import text

from settings import Settings, get_settings
from storage.engine import Database
from storage.lineage import ReportsSaves
from storage.urls import checkpoint_path, database_url, libpq_conninfo, store_path

PostgresPool = AsyncConnectionPool[AsyncConnection[DictRow]]

#: Session advisory lock serialising LangGraph's own ``setup()`` migrations across processes.
_SETUP_LOCK_KEY = 0x526F79616C4C4753  # "RoyalLGS"


@dataclass(frozen=True, slots=True)
class Persistence:
    """Everything a graph run persists to: checkpoints, the long-term store, the app tables."""

    checkpointer: BaseCheckpointSaver[str]
    store: BaseStore
    database: Database


class PooledPostgresSaver(ReportsSaves, AsyncPostgresSaver):
    """``AsyncPostgresSaver`` that uses its pool concurrently, and reports its saves
    (``storage.lineage``).

    Upstream takes one instance-wide ``asyncio.Lock`` around every query even when it holds
    a pool (langgraph#7259, fix pending in #7269), so all of a process's runs queue behind one
    checkpoint read or write at a time. Each call here checks out its own pooled connection,
    so the lock becomes a semaphore as wide as the pool: calls wait for a connection, not for
    each other.
    """

    def __init__(self, pool: PostgresPool, serde: SerializerProtocol | None = None) -> None:
        super().__init__(conn=pool, serde=serde)
        self.lock = cast(asyncio.Lock, asyncio.Semaphore(pool.max_size))


class ReportingSqliteSaver(ReportsSaves, AsyncSqliteSaver):
    """``AsyncSqliteSaver`` that reports its saves (``storage.lineage``)."""


@asynccontextmanager
async def open_postgres_pool(conninfo: str, *, max_size: int = 10) -> AsyncIterator[PostgresPool]:
    """A psycopg pool configured as LangGraph's Postgres saver and store require."""
    pool: PostgresPool = AsyncConnectionPool(
        conninfo,
        connection_class=AsyncConnection[DictRow],
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        min_size=1,
        max_size=max(max_size, 2),  # setup holds its lock on one connection and works on another
        open=False,
        # Checked on checkout: after a database restart the pooled connections are dead and
        # each would otherwise fail one checkpoint call (a run step) before being discarded.
        check=AsyncConnectionPool.check_connection,
        name="royal-langgraph",
    )
    await pool.open(wait=True)
    try:
        yield pool
    finally:
        await pool.close()


async def _setup_postgres(
    pool: PostgresPool, *targets: AsyncPostgresSaver | AsyncPostgresStore
) -> None:
    """Run LangGraph's table migrations once at a time across every starting process."""
    async with pool.connection() as lock_connection:
        # Try and retry rather than block: a session blocked in pg_advisory_lock holds a
        # snapshot, which the holder's CREATE INDEX CONCURRENTLY waits for (an undetected
        # deadlock when several processes start on a fresh database).
        while True:
            cursor = await lock_connection.execute(
                "SELECT pg_try_advisory_lock(%s) AS locked", (_SETUP_LOCK_KEY,)
            )
            row = await cursor.fetchone()
            if row is not None and row["locked"]:
                break
            await asyncio.sleep(0.1)
        try:
            for target in targets:
                await target.setup()
        finally:
            await lock_connection.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK_KEY,))


@asynccontextmanager
async def open_checkpointer(
    settings: Settings | None = None,
) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """The checkpointer alone, set up (for tools that need no store)."""
    async with open_persistence(settings, migrate=False) as persistence:
        yield persistence.checkpointer


@asynccontextmanager
async def open_store(settings: Settings | None = None) -> AsyncIterator[BaseStore]:
    """The long-term store alone, set up."""
    async with open_persistence(settings, migrate=False) as persistence:
        yield persistence.store


@asynccontextmanager
async def open_persistence(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    pool_size: int | None = None,
    serde: SerializerProtocol | None = None,
) -> AsyncIterator[Persistence]:
    """Open the checkpointer, the store and the app database from settings.

    ``migrate`` brings the app tables to head first (safe on every start; concurrent starts
    serialise on a lock). LangGraph's own tables are always set up. ``serde`` is the
    checkpoint serializer (the graphs pass one that allows their own state types).
    """
    settings = settings or get_settings()
    async with AsyncExitStack() as stack:
        pool_size = pool_size or settings.royal_database_pool_size
        database = await stack.enter_async_context(
            Database(database_url(settings), pool_size=pool_size)
        )
        if migrate:
            await database.migrate()
        if database.backend == "postgresql":
            pool = await stack.enter_async_context(
                open_postgres_pool(libpq_conninfo(database.url), max_size=pool_size)
            )
            postgres_saver = PooledPostgresSaver(pool, serde=serde)
            postgres_store = AsyncPostgresStore(conn=pool, ttl=store_ttl(settings))
            await _setup_postgres(pool, postgres_saver, postgres_store)
            checkpointer: BaseCheckpointSaver[str] = postgres_saver
            store: BaseStore = postgres_store
        else:
            sqlite_saver = await stack.enter_async_context(
                ReportingSqliteSaver.from_conn_string(_prepared(checkpoint_path(settings)))
            )
            if serde is not None:
                sqlite_saver.serde = maybe_add_typed_methods(serde)
            sqlite_store = await stack.enter_async_context(
                AsyncSqliteStore.from_conn_string(
                    _prepared(store_path(settings)), ttl=store_ttl(settings)
                )
            )
            await sqlite_saver.setup()
            await sqlite_store.setup()
            checkpointer, store = sqlite_saver, sqlite_store
        stack.push_async_callback(_stop_batching, store)
        if isinstance(store, AsyncPostgresStore | AsyncSqliteStore):
            await store.start_ttl_sweeper()
            stack.push_async_callback(store.stop_ttl_sweeper, 5.0)
        yield Persistence(checkpointer=checkpointer, store=store, database=database)


def store_ttl(settings: Settings) -> TTLConfig:
    """Item TTLs as the reference server's ``store.ttl``: reads refresh them, a sweeper
    deletes expired items every ``ROYAL_STORE_SWEEP_MINUTES``."""
    config = TTLConfig(refresh_on_read=True)
    # typed int, used as float by both stores (a fraction of a minute in tests)
    config["sweep_interval_minutes"] = settings.royal_store_sweep_minutes  # type: ignore[typeddict-item]
    if settings.royal_store_default_ttl_minutes is not None:
        config["default_ttl"] = settings.royal_store_default_ttl_minutes
    return config


async def _stop_batching(store: BaseStore) -> None:
    """Stop the store's background batching task while its event loop still runs.

    LangGraph's batched stores only cancel it when garbage-collected, often after the loop has
    closed ("Task was destroyed but it is pending").
    """
    task = getattr(store, "_task", None)
    if isinstance(task, asyncio.Task) and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _prepared(path: Path) -> str:
    path = path.expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


async def thread_checkpoint_bytes(persistence: Persistence, thread_id: str) -> int:
    """Bytes a thread's checkpoints occupy (checkpoints, channel blobs and pending writes).

    The figure to watch for checkpoint bloat: with a message list re-stored at every step it
    grows quadratically with the conversation.
    """
    saver = persistence.checkpointer
    if isinstance(saver, AsyncPostgresSaver):  # the same database as the app tables
        query = text(
            """
            SELECT
              (SELECT COALESCE(SUM(pg_column_size(checkpoint) + pg_column_size(metadata)), 0)
                 FROM checkpoints WHERE thread_id = :t)
            + (SELECT COALESCE(SUM(pg_column_size(blob)), 0)
                 FROM checkpoint_blobs WHERE thread_id = :t)
            + (SELECT COALESCE(SUM(pg_column_size(blob)), 0)
                 FROM checkpoint_writes WHERE thread_id = :t)
            """
        )
        async with persistence.database.read() as connection:
            total = (await connection.execute(query, {"t": thread_id})).scalar_one()
        return int(total)
    if isinstance(saver, AsyncSqliteSaver):
        async with saver.conn.execute(
            """
            SELECT
              (SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0)
                 FROM checkpoints WHERE thread_id = ?)
            + (SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes WHERE thread_id = ?)
            """,
            (thread_id, thread_id),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
    raise TypeError(f"cannot measure checkpoints of {type(saver).__name__}")
