"""Alembic environment for the app tables.

Normally run from code (``storage.migrate``), which hands over a connection already inside a
transaction. Run from the ``alembic`` command (``uv run alembic -c storage/alembic.ini ...``)
it connects to the database named by the settings instead.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_settings() -> None:
    from storage.engine import Database

    database = Database.from_settings(pool_size=1, max_overflow=0)
    async with database, database.transaction() as connection:
        await connection.run_sync(_run)


def _run_offline() -> None:
    from settings import get_settings
    from storage.urls import database_url

    context.configure(
        url=database_url(get_settings()),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
    elif context.is_offline_mode():
        _run_offline()
    else:
        asyncio.run(_run_from_settings())


main()
