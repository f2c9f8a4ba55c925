"""Which order lines the periodic order sweep started fulfilment for: one row per line, whose
primary key makes "each line swept once" hold across processes (the API and every worker sweep).
A claim is inserted in the same transaction as the run it starts, so a crash cannot leave a
claimed line without its run, and a concurrent sweep's duplicate claim rolls its run back. A
finance run started otherwise (a chat goal, a webhook) claims the lines it plans as well."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Column, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.engine import Database
from storage.schema import metadata
from storage.sql import insert_or_ignore
from storage.types import UtcDateTime

order_sweep_claims = Table(
    "order_sweep_claims",
    metadata,
    Column("line_item_id", String(255), primary_key=True),
    Column("order_id", String(255), nullable=False),
    Column("run_id", String(64), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
)


async def claimed(database: Database, line_item_ids: Iterable[str]) -> set[str]:
    """The lines of ``line_item_ids`` a sweep already started fulfilment for."""
    wanted = sorted(set(line_item_ids))
    if not wanted:
        return set()
    query = select(order_sweep_claims.c.line_item_id).where(
        order_sweep_claims.c.line_item_id.in_(wanted)
    )
    async with database.read() as connection:
        return {row[0] for row in (await connection.execute(query)).all()}


async def claim(
    connection: AsyncConnection,
    order_id: str,
    line_item_ids: Iterable[str],
    run_id: str,
    now: datetime,
) -> None:
    """Claim the lines for ``run_id``; raises ``IntegrityError`` when another sweep has one."""
    await connection.execute(
        insert(order_sweep_claims),
        [
            {"line_item_id": line, "order_id": order_id, "run_id": run_id, "claimed_at": now}
            for line in sorted(set(line_item_ids))
        ],
    )


async def claim_for_run(
    database: Database, order_id: str, line_item_ids: Iterable[str], run_id: str, now: datetime
) -> None:
    """Claim the lines a finance run is placing, unless a sweep already has: the periodic sweep
    then leaves them to that run (a run waiting for an approver would otherwise be joined by
    a second one proposing the same supplier order)."""
    rows = [
        {"line_item_id": line, "order_id": order_id, "run_id": run_id, "claimed_at": now}
        for line in sorted(set(line_item_ids))
    ]
    if not rows:
        return
    async with database.transaction() as connection:
        statement = insert_or_ignore(connection, order_sweep_claims, ("line_item_id",))
        await connection.execute(statement, rows)
