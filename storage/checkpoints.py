"""Thread-level checkpoint operations LangGraph's savers declare but do not implement.

``acopy_thread`` and ``adelete_for_runs`` raise ``NotImplementedError`` on the Postgres and
SQLite savers, so copying a thread (``POST /threads/{id}/copy``) and rolling a run back
(``multitask_strategy="rollback"``, ``cancel?action=rollback``) are done here in SQL on the
savers' own tables, row for row (blobs, pending writes and task paths included).

A rollback removes everything the run wrote: the checkpoints carrying its ``run_id`` or absent
from the snapshot taken before it started, and every pending write absent from that snapshot
(a resumed run writes ``__resume__`` and task results onto the checkpoint it resumed from).
One run runs per thread and state updates are refused while one is in flight, so nothing else
writes to the thread in between.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import _ainternal
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from psycopg import AsyncCursor

CheckpointKey = tuple[str, str]
"""(checkpoint_ns, checkpoint_id)"""
WriteKey = tuple[str, str, str, int]
"""(checkpoint_ns, checkpoint_id, task_id, idx)"""


@dataclass(frozen=True)
class ThreadSnapshot:
    """The keys of a thread's checkpoints and pending writes at one moment."""

    checkpoints: frozenset[CheckpointKey]
    writes: frozenset[WriteKey]


class UnsupportedSaverError(TypeError):
    """A checkpointer this module has no SQL for."""


@asynccontextmanager
async def _pg(saver: AsyncPostgresSaver) -> AsyncIterator[AsyncCursor[Any]]:
    async with (
        _ainternal.get_connection(saver.conn) as conn,
        conn.transaction(),
        conn.cursor() as cursor,
    ):
        yield cursor


def _unsupported(saver: BaseCheckpointSaver[Any]) -> UnsupportedSaverError:
    return UnsupportedSaverError(f"no thread copy/rollback for {type(saver).__name__}")


async def snapshot(saver: BaseCheckpointSaver[Any], thread_id: str) -> ThreadSnapshot:
    if isinstance(saver, AsyncPostgresSaver):
        # One statement, so one consistent view and one round trip (no transaction needed).
        async with _ainternal.get_connection(saver.conn) as conn, conn.cursor() as cur:
            await cur.execute(
                "SELECT checkpoint_ns, checkpoint_id, NULL AS task_id, NULL::integer AS idx "
                "FROM checkpoints WHERE thread_id = %s "
                "UNION ALL "
                "SELECT checkpoint_ns, checkpoint_id, task_id, idx FROM checkpoint_writes "
                "WHERE thread_id = %s",
                (thread_id, thread_id),
            )
            rows = await cur.fetchall()
        checkpoints = [
            (row["checkpoint_ns"], row["checkpoint_id"]) for row in rows if row["task_id"] is None
        ]
        writes = [
            (row["checkpoint_ns"], row["checkpoint_id"], row["task_id"], int(row["idx"]))
            for row in rows
            if row["task_id"] is not None
        ]
        return ThreadSnapshot(frozenset(checkpoints), frozenset(writes))
    if isinstance(saver, AsyncSqliteSaver):
        await saver.setup()
        async with saver.lock:
            async with saver.conn.execute(
                "SELECT checkpoint_ns, checkpoint_id FROM checkpoints WHERE thread_id = ?",
                (thread_id,),
            ) as cursor:
                checkpoints = [(str(r[0]), str(r[1])) for r in await cursor.fetchall()]
            async with saver.conn.execute(
                "SELECT checkpoint_ns, checkpoint_id, task_id, idx FROM writes WHERE thread_id = ?",
                (thread_id,),
            ) as cursor:
                writes = [
                    (str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in await cursor.fetchall()
                ]
        return ThreadSnapshot(frozenset(checkpoints), frozenset(writes))
    raise _unsupported(saver)


async def _run_checkpoints(
    saver: BaseCheckpointSaver[Any], thread_id: str, run_id: str
) -> set[CheckpointKey]:
    found: set[CheckpointKey] = set()
    async for item in saver.alist({"configurable": {"thread_id": thread_id}}):
        if item.metadata.get("run_id") == run_id:
            configurable = item.config["configurable"]
            found.add((configurable.get("checkpoint_ns", ""), configurable["checkpoint_id"]))
    return found


async def roll_back(
    saver: BaseCheckpointSaver[Any],
    thread_id: str,
    run_id: str,
    before: ThreadSnapshot | None,
) -> int:
    """Delete what run ``run_id`` wrote to the thread since ``before`` (without a snapshot:
    the checkpoints tagged with its id); returns the number of checkpoints removed."""
    now = await snapshot(saver, thread_id)
    doomed = await _run_checkpoints(saver, thread_id, run_id)
    stray: set[WriteKey] = set()
    if before is not None:
        doomed |= now.checkpoints - before.checkpoints
        stray = {key for key in now.writes - before.writes if key[:2] not in doomed}
    if isinstance(saver, AsyncPostgresSaver):
        async with _pg(saver) as cur:
            for ns, checkpoint_id in doomed:
                await cur.execute(
                    "DELETE FROM checkpoints "
                    "WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s",
                    (thread_id, ns, checkpoint_id),
                )
                await cur.execute(
                    "DELETE FROM checkpoint_writes "
                    "WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s",
                    (thread_id, ns, checkpoint_id),
                )
            for ns, checkpoint_id, task_id, idx in stray:
                await cur.execute(
                    "DELETE FROM checkpoint_writes WHERE thread_id = %s AND checkpoint_ns = %s "
                    "AND checkpoint_id = %s AND task_id = %s AND idx = %s",
                    (thread_id, ns, checkpoint_id, task_id, idx),
                )
            # channel values only the deleted checkpoints referenced
            await cur.execute(
                "DELETE FROM checkpoint_blobs b WHERE b.thread_id = %s AND NOT EXISTS ("
                " SELECT 1 FROM checkpoints c WHERE c.thread_id = b.thread_id"
                " AND c.checkpoint_ns = b.checkpoint_ns"
                " AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)",
                (thread_id,),
            )
        return len(doomed)
    if isinstance(saver, AsyncSqliteSaver):
        async with saver.lock:
            for ns, checkpoint_id in doomed:
                for table in ("checkpoints", "writes"):
                    await saver.conn.execute(
                        f"DELETE FROM {table} "  # table names are constants
                        "WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
                        (thread_id, ns, checkpoint_id),
                    )
            for ns, checkpoint_id, task_id, idx in stray:
                await saver.conn.execute(
                    "DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? "
                    "AND checkpoint_id = ? AND task_id = ? AND idx = ?",
                    (thread_id, ns, checkpoint_id, task_id, idx),
                )
            await saver.conn.commit()
        return len(doomed)
    raise _unsupported(saver)


async def copy_thread(saver: BaseCheckpointSaver[Any], source: str, target: str) -> None:
    """Copy every checkpoint, blob and pending write of ``source`` to ``target`` (same ids);
    a ``thread_id`` in checkpoint metadata becomes ``target``."""
    if isinstance(saver, AsyncPostgresSaver):
        async with _pg(saver) as cur:
            await cur.execute(
                "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, "
                "parent_checkpoint_id, type, checkpoint, metadata) "
                "SELECT %s, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, "
                "CASE WHEN metadata ->> 'thread_id' IS NULL THEN metadata "
                "ELSE metadata || jsonb_build_object('thread_id', %s::text) END "
                "FROM checkpoints WHERE thread_id = %s",
                (target, target, source),
            )
            await cur.execute(
                "INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, "
                "blob) SELECT %s, checkpoint_ns, channel, version, type, blob "
                "FROM checkpoint_blobs WHERE thread_id = %s",
                (target, source),
            )
            await cur.execute(
                "INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, "
                "task_path, idx, channel, type, blob) SELECT %s, checkpoint_ns, checkpoint_id, "
                "task_id, task_path, idx, channel, type, blob "
                "FROM checkpoint_writes WHERE thread_id = %s",
                (target, source),
            )
        return
    if isinstance(saver, AsyncSqliteSaver):
        await saver.setup()
        async with saver.lock:
            await saver.conn.execute(
                "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, "
                "parent_checkpoint_id, type, checkpoint, metadata) "
                "SELECT ?, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, "
                "CASE WHEN json_extract(CAST(metadata AS TEXT), '$.thread_id') IS NULL "
                "THEN metadata "
                "ELSE CAST(json_set(CAST(metadata AS TEXT), '$.thread_id', ?) AS BLOB) END "
                "FROM checkpoints WHERE thread_id = ?",
                (target, target, source),
            )
            await saver.conn.execute(
                "INSERT INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, "
                "task_path, idx, channel, type, value) SELECT ?, checkpoint_ns, checkpoint_id, "
                "task_id, task_path, idx, channel, type, value FROM writes WHERE thread_id = ?",
                (target, source),
            )
            await saver.conn.commit()
        return
    raise _unsupported(saver)


async def keep_latest(saver: BaseCheckpointSaver[Any], thread_ids: list[str]) -> None:
    """Delete every checkpoint of these threads but the latest of each namespace, with the
    pending writes of the deleted ones (the saver's own ``aprune`` where it has one)."""
    if isinstance(saver, AsyncPostgresSaver):
        await saver.aprune(thread_ids, strategy="keep_latest")
        return
    if isinstance(saver, AsyncSqliteSaver):
        await saver.setup()
        latest = (
            "SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? "
            "GROUP BY checkpoint_ns"
        )
        async with saver.lock:
            for thread_id in thread_ids:
                for table in ("writes", "checkpoints"):
                    await saver.conn.execute(
                        f"DELETE FROM {table} WHERE thread_id = ? "
                        f"AND (checkpoint_ns, checkpoint_id) NOT IN ({latest})",
                        (thread_id, thread_id),
                    )
            await saver.conn.commit()
        return
    raise _unsupported(saver)
