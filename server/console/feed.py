"""The live feed: autonomous actions from the audit log and run status changes from the runs
table, polled from the database (about once a second) so it sees every process's work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from server.api.sse import frame
from server.console.views import title_of
from storage import Database
from storage.runs_schema import runs
from storage.schema import audit_log

POLL_SECONDS = 1.0
HEARTBEAT_POLLS = 15
BACKLOG = 20
FEED_EVENTS = ("action.executed", "approval.requested", "approval.decided", "approval.expired")


@dataclass(frozen=True)
class FeedFilter:
    cluster: str | None = None
    risk: str | None = None
    run: str | None = None
    events: tuple[str, ...] = FEED_EVENTS


@dataclass
class _Cursor:
    audit_id: int = 0
    runs_since: datetime | None = None
    seen: dict[str, str] = field(default_factory=dict)


def _action(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    payload = data.get("payload") or {}
    return {
        "kind": "action",
        "id": data["id"],
        "at": data["at"].isoformat(),
        "event": data["event"],
        "actor": data["actor"],
        "cluster": data["cluster"],
        "action": data["action_kind"],
        "risk_level": data["risk_level"],
        "thread_id": data["thread_id"],
        "run_id": data["run_id"],
        "title": title_of(payload),
        "reasoning": data["reasoning"],
    }


async def _of_run(database: Database, run_id: str) -> ColumnElement[bool]:
    """Entries of a run: by run id, or (nodes do not always know it) by its thread since it
    started."""
    query = select(runs.c.thread_id, runs.c.created_at).where(runs.c.run_id == run_id)
    async with database.read() as connection:
        found = (await connection.execute(query)).first()
    if found is None:
        return audit_log.c.run_id == run_id
    return or_(
        audit_log.c.run_id == run_id,
        and_(
            audit_log.c.run_id.is_(None),
            audit_log.c.thread_id == found.thread_id,
            audit_log.c.at >= found.created_at,
        ),
    )


async def _actions(database: Database, cursor: _Cursor, wanted: FeedFilter) -> list[dict[str, Any]]:
    query = select(audit_log).where(audit_log.c.event.in_(wanted.events))
    if wanted.cluster:
        query = query.where(audit_log.c.cluster == wanted.cluster)
    if wanted.risk:
        query = query.where(audit_log.c.risk_level == wanted.risk)
    if wanted.run:
        query = query.where(await _of_run(database, wanted.run))
    if cursor.audit_id:
        query = query.where(audit_log.c.id > cursor.audit_id).order_by(audit_log.c.id).limit(200)
    else:
        query = query.order_by(audit_log.c.id.desc()).limit(BACKLOG)
    async with database.read() as connection:
        rows = (await connection.execute(query)).all()
    found = sorted((_action(row) for row in rows), key=lambda item: item["id"])
    if found:
        cursor.audit_id = found[-1]["id"]
    elif not cursor.audit_id:
        cursor.audit_id = -1  # backlog empty: from now on, only what is new
    return found


async def _runs(database: Database, cursor: _Cursor, wanted: FeedFilter) -> list[dict[str, Any]]:
    if wanted.cluster or wanted.risk:
        return []  # runs carry neither: a filtered feed shows the actions only
    query = select(
        runs.c.run_id, runs.c.thread_id, runs.c.assistant_id, runs.c.status, runs.c.updated_at
    )
    if wanted.run:
        query = query.where(runs.c.run_id == wanted.run)
    if cursor.runs_since is not None:
        query = query.where(runs.c.updated_at >= cursor.runs_since)
        query = query.order_by(runs.c.updated_at).limit(200)
    else:
        query = query.order_by(runs.c.updated_at.desc()).limit(BACKLOG)
    async with database.read() as connection:
        rows = sorted((await connection.execute(query)).all(), key=lambda row: row.updated_at)
    changes = []
    for row in rows:
        if cursor.seen.get(row.run_id) == row.status:
            continue
        cursor.seen[row.run_id] = row.status
        changes.append(
            {
                "kind": "run",
                "at": row.updated_at.isoformat(),
                "run_id": row.run_id,
                "thread_id": row.thread_id,
                "assistant_id": row.assistant_id,
                "status": row.status,
            }
        )
        cursor.runs_since = row.updated_at
    if cursor.runs_since is None:
        cursor.runs_since = datetime.now(UTC)  # nothing yet: from now on
    return changes


async def feed(database: Database, wanted: FeedFilter, *, after: int = 0) -> AsyncIterator[bytes]:
    """SSE frames of the feed, until the client goes away. It starts with the latest entries,
    or, ``after`` an audit id, with those after it only: a page that already shows entries up
    to that id (the dashboard) gets each one once."""
    cursor = _Cursor(audit_id=after)
    quiet = 0
    while True:
        items = await _actions(database, cursor, wanted) + await _runs(database, cursor, wanted)
        items.sort(key=lambda item: item["at"])
        for item in items:
            yield frame(item["kind"], item)
        quiet = 0 if items else quiet + 1
        if quiet >= HEARTBEAT_POLLS:
            quiet = 0
            yield b": heartbeat\r\n\r\n"
        await asyncio.sleep(POLL_SECONDS)
