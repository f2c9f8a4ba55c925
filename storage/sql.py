"""Small SQL helpers shared by the repositories (dialect-specific upserts, counting)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, FromClause, Table, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert


def insert_or_ignore(connection: AsyncConnection, table: Table, conflict: Sequence[str]) -> Insert:
    """``INSERT ... ON CONFLICT (conflict) DO NOTHING`` in the connection's dialect.

    Lets two writers race to create the same row without a read-then-insert window: exactly
    one insert lands and the other is a no-op that returns no row.
    """
    if connection.dialect.name == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=list(conflict))


async def count(
    connection: AsyncConnection, source: FromClause, where: Sequence[ColumnElement[bool]]
) -> int:
    """Rows of a table (or a join) matching ``where``."""
    query = select(func.count()).select_from(source).where(*where)
    total: int = (await connection.execute(query)).scalar_one()
    return total


def is_uuid(value: str) -> bool:
    """Whether ``value`` could be an id we issued; Postgres refuses to compare a UUID column
    with anything else, so lookups by a malformed id answer "not found" without a query."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
