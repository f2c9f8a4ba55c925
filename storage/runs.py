"""Threads and runs in the app database: the API's listings and the workers' durable queue.

Every change that must be atomic is one transaction: creating a run checks the thread's
in-flight runs (``reject``), inserts the run, marks the thread busy and stamps its metadata;
claiming a run picks the oldest available run of an idle thread (``FOR UPDATE SKIP LOCKED`` on
Postgres, the ``BEGIN IMMEDIATE`` write lock on SQLite) and leases it to one worker.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    ColumnElement,
    Row,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import Database
from storage.pagination import Page, check_window
from storage.runs_schema import runs, threads
from storage.sql import count

INFLIGHT = ("pending", "running")
DEAD = "dead"
"""A run dead-lettered after its last allowed attempt failed (``fail_run``, ``requeue_expired``)."""
WORKER_LOST = "WorkerLost"
"""The error class recorded when a run's worker stopped renewing its lease (it died)."""


def api_status(status: str) -> str:
    """A run's status as the LangGraph Server API names it: ``dead`` is not one of its
    statuses, so SDK clients see a dead run as ``error`` (``/api/v1`` shows ``dead``)."""
    return "error" if status == DEAD else status


_other = runs.alias("other")
_CLAIM_CANDIDATE = (
    select(runs.c.run_id)
    .where(
        runs.c.status == "pending",
        runs.c.available_at <= bindparam("now"),
        ~exists().where(_other.c.thread_id == runs.c.thread_id, _other.c.status == "running"),
        ~exists().where(
            _other.c.thread_id == runs.c.thread_id,
            _other.c.status == "pending",
            _other.c.created_at < runs.c.created_at,
        ),
    )
    .order_by(runs.c.available_at, runs.c.created_at)
    .limit(1)
)
"""The oldest available run of a thread with nothing running (built once: ``claim_run``)."""
_CLAIM_CANDIDATE_PG = _CLAIM_CANDIDATE.with_for_update(skip_locked=True)
_CLAIM = (
    update(runs)
    .where(runs.c.run_id == bindparam("b_run_id"), runs.c.status == "pending")
    .values(
        status="running",
        worker_id=bindparam("worker_id"),
        lease_expires_at=bindparam("lease_expires_at"),
        attempt=runs.c.attempt + 1,
        updated_at=bindparam("now"),
    )
    .returning(*runs.c)
)
"""Lease the candidate found, if it is still pending."""

# The hot path's statements, built once (building and keying a statement costs more CPU
# than running it): a run's creation and its end.
_THREAD = select(threads).where(threads.c.thread_id == bindparam("b_thread_id"))
_THREAD_FOR_UPDATE = _THREAD.with_for_update()
_HAS_INFLIGHT = select(
    exists().where(runs.c.thread_id == bindparam("b_thread_id"), runs.c.status.in_(INFLIGHT))
)
_INSERT_RUN = insert(runs)
_INSERT_THREAD = insert(threads)
_UPDATE_THREAD = update(threads).where(threads.c.thread_id == bindparam("b_thread_id"))
_UPDATE_RUN = update(runs).where(runs.c.run_id == bindparam("b_run_id"))
_INFLIGHT_HERE = exists().where(
    runs.c.thread_id == threads.c.thread_id, runs.c.status.in_(INFLIGHT)
)
_SET_THREAD_STATE = (
    update(threads)
    .where(threads.c.thread_id == bindparam("b_thread_id"))
    .values(status=case((_INFLIGHT_HERE, "busy"), else_=bindparam("b_status")))
    .returning(threads.c.status)
)
"""Record a thread's state; its status stays ``busy`` while a run is in flight."""
_FINISH_RUN_CTE = (
    update(runs)
    .where(runs.c.run_id == bindparam("b_run_id"))
    .values(
        status=bindparam("b_run_status"),
        error=bindparam("b_run_error", type_=runs.c.error.type),
        updated_at=bindparam("b_run_updated_at", type_=runs.c.updated_at.type),
        worker_id=None,
    )
    .returning(runs.c.run_id)
    .cte("finished_run")
)
_FINISH_RUN_WITH_STATE_PG = (
    update(threads)
    .where(threads.c.thread_id == bindparam("b_thread_id"))
    .values(
        values=bindparam("b_values", type_=threads.c["values"].type),
        interrupts=bindparam("b_interrupts", type_=threads.c.interrupts.type),
        error=bindparam("b_error", type_=threads.c.error.type),
        updated_at=bindparam("b_updated_at", type_=threads.c.updated_at.type),
        state_updated_at=bindparam("b_state_updated_at", type_=threads.c.state_updated_at.type),
        # The statement sees the runs as they were before its CTE: leave the finished one out.
        status=case(
            (_INFLIGHT_HERE.where(runs.c.run_id != bindparam("b_run_id")), "busy"),
            else_=bindparam("b_status"),
        ),
    )
    .returning(threads.c.status)
    .add_cte(_FINISH_RUN_CTE)
)
"""``finish_run_with_state`` in one statement (PostgreSQL runs data-modifying CTEs)."""


def _typed_binds(table: Table, prefix: str) -> dict[str, ColumnElement[Any]]:
    return {
        column.name: cast(bindparam(prefix + column.name, type_=column.type), column.type)
        for column in table.columns
    }


_NEW_THREAD_CTE = (
    pg_insert(threads)
    .values(_typed_binds(threads, "t_"))
    .on_conflict_do_nothing(index_elements=[threads.c.thread_id])
    .returning(threads.c.thread_id)
    .cte("new_thread")
)
_RUN_COLUMNS = [column.name for column in runs.columns]
_CREATE_RUN_ON_NEW_THREAD_PG = (
    insert(runs)
    .from_select(
        _RUN_COLUMNS,
        select(
            *(
                _NEW_THREAD_CTE.c.thread_id if name == "thread_id" else bind
                for name, bind in _typed_binds(runs, "r_").items()
            )
        ).select_from(_NEW_THREAD_CTE),
    )
    .returning(runs.c.run_id)
    .add_cte(_NEW_THREAD_CTE)
)
"""A run on a thread created with it, in one statement: nothing is inserted (no row comes
back) if the thread exists already (PostgreSQL)."""


Backoff = Callable[[int], float]
"""Seconds to wait before the next attempt of a run that has failed this many times."""


class Lease(NamedTuple):
    """What renewing a lease found: whether this worker still holds the run, and whether
    someone asked (from another process) to cancel it."""

    held: bool
    cancel_action: str | None


class ConflictError(RuntimeError):
    """The request conflicts with the current state (the API answers 409)."""


class ThreadRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    thread_id: str
    created_at: datetime
    updated_at: datetime
    state_updated_at: datetime | None
    metadata: dict[str, Any]
    status: str
    values: Any
    interrupts: dict[str, Any]
    error: Any
    config: dict[str, Any]

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "thread_id": self.thread_id,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "state_updated_at": (self.state_updated_at or self.updated_at).isoformat(),
            "metadata": self.metadata,
            "status": self.status,
            "config": self.config,
            "values": self.values,
            "interrupts": self.interrupts,
        }
        if self.status == "error" and self.error is not None:
            body["error"] = self.error
        return body


class RunRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    run_id: str
    thread_id: str
    assistant_id: str
    status: str
    options: dict[str, Any]
    """The ``kwargs`` column: what the run was created with (input, command, stream modes)."""
    metadata: dict[str, Any]
    multitask_strategy: str
    created_at: datetime
    updated_at: datetime
    available_at: datetime
    attempt: int
    worker_id: str | None
    lease_expires_at: datetime | None
    error: Any
    cancel_action: str | None = None
    """Set by a cancel request for a run executing in another process."""
    failed_attempts: int = 0
    """Attempts that ended in a crash or a transient failure (reset when retried by hand)."""
    discarded_at: datetime | None = None
    """When an operator discarded this dead run (it stays dead, off the dead-letter list)."""
    new_thread: bool = False
    """Not a column: ``create_run`` inserted the run's thread too (it has no checkpoints)."""

    def to_api(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "thread_id": self.thread_id,
            "assistant_id": self.assistant_id,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "status": api_status(self.status),
            "metadata": self.metadata,
            "kwargs": self.options,
            "multitask_strategy": self.multitask_strategy,
        }


def json_contains(
    backend: str, table: Table, column: str, document: dict[str, Any]
) -> list[ColumnElement[bool]]:
    """``table.column`` holds ``document``'s top-level keys with these values (JSONB ``@>`` on
    Postgres, ``json_extract`` per key on SQLite)."""
    if backend == "postgresql":
        name = f"f_{column}"
        clause = text(f'{table.name}."{column}" @> CAST(:{name} AS jsonb)').bindparams(
            **{name: json.dumps(document)}
        )
        return [clause]  # type: ignore[list-item]
    column_object = table.c[column]
    clauses: list[ColumnElement[bool]] = []
    for key, value in document.items():
        path = '$."' + key.replace('"', '\\"') + '"'
        clauses.append(
            func.json_extract(column_object, path) == func.json_extract(json.dumps(value), "$")
        )
    return clauses


def _thread(row: Row[Any]) -> ThreadRow:
    return ThreadRow.model_validate(dict(row._mapping))


def _run(row: Row[Any]) -> RunRow:
    data = dict(row._mapping)
    data["options"] = data.pop("kwargs")
    return RunRow.model_validate(data)


def new_id() -> str:
    return str(uuid.uuid4())


def _leased_to(run_id: str, worker_id: str) -> ColumnElement[bool]:
    """The run is running under this worker's lease (it may renew or give it up)."""
    return and_(runs.c.run_id == run_id, runs.c.worker_id == worker_id, runs.c.status == "running")


class RunStore:
    """Threads and runs; ``clock`` is injectable so tests can move time."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    # --- threads ---------------------------------------------------------------------------
    async def create_thread(
        self,
        thread_id: str | None,
        metadata: dict[str, Any] | None,
        *,
        if_exists: str = "raise",
    ) -> ThreadRow:
        thread_id = thread_id or new_id()
        async with self.database.transaction() as connection:
            existing = await self._thread(connection, thread_id, lock=True)
            if existing is not None:
                if if_exists == "do_nothing":
                    return existing
                raise ConflictError(f"thread {thread_id} already exists")
            return await self._insert_thread(connection, thread_id, metadata or {})

    async def _insert_thread(
        self,
        connection: AsyncConnection,
        thread_id: str,
        metadata: dict[str, Any],
        status: str = "idle",
    ) -> ThreadRow:
        values = _thread_values(thread_id, self.clock(), metadata, status)
        await connection.execute(_INSERT_THREAD, values)
        return ThreadRow.model_validate(values)

    async def _thread(
        self, connection: AsyncConnection, thread_id: str, *, lock: bool = False
    ) -> ThreadRow | None:
        query = _THREAD_FOR_UPDATE if lock and self.database.backend == "postgresql" else _THREAD
        row = (await connection.execute(query, {"b_thread_id": thread_id})).first()
        return None if row is None else _thread(row)

    async def get_thread(self, thread_id: str) -> ThreadRow | None:
        async with self.database.read() as connection:
            return await self._thread(connection, thread_id)

    async def patch_thread(self, thread_id: str, metadata: dict[str, Any]) -> ThreadRow | None:
        """Merge ``metadata`` into the thread's (the reference server merges, not replaces)."""
        async with self.database.transaction() as connection:
            current = await self._thread(connection, thread_id, lock=True)
            if current is None:
                return None
            merged = {**current.metadata, **metadata}
            await connection.execute(
                update(threads)
                .where(threads.c.thread_id == thread_id)
                .values(metadata=merged, updated_at=self.clock())
            )
            return await self._thread(connection, thread_id)

    async def delete_thread(self, thread_id: str) -> bool:
        async with self.database.transaction() as connection:
            await connection.execute(delete(runs).where(runs.c.thread_id == thread_id))
            result = await connection.execute(
                delete(threads).where(threads.c.thread_id == thread_id)
            )
            return bool(result.rowcount)

    def _json_filter(self, column: str, document: dict[str, Any]) -> list[ColumnElement[bool]]:
        return json_contains(self.database.backend, threads, column, document)

    async def search_threads(
        self,
        *,
        metadata: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
        ids: Sequence[str] | None = None,
        status: str | None = None,
        sort_by: str = "updated_at",
        sort_order: str = "desc",
        limit: int = 10,
        offset: int = 0,
    ) -> tuple[list[ThreadRow], int]:
        conditions: list[ColumnElement[bool]] = []
        if metadata:
            conditions += self._json_filter("metadata", metadata)
        if values:
            conditions += self._json_filter("values", values)
        if ids is not None:
            conditions.append(threads.c.thread_id.in_(list(ids)))
        if status is not None:
            conditions.append(threads.c.status == status)
        where = and_(True, *conditions)
        column = threads.c[sort_by]
        order = column.desc() if sort_order == "desc" else column.asc()
        async with self.database.read() as connection:
            total = (
                await connection.execute(select(func.count()).select_from(threads).where(where))
            ).scalar_one()
            rows = await connection.execute(
                select(threads)
                .where(where)
                .order_by(order, threads.c.thread_id)
                .limit(limit)
                .offset(offset)
            )
            return [_thread(row) for row in rows], int(total)

    async def count_threads(self, *, metadata: dict[str, Any] | None, status: str | None) -> int:
        _, total = await self.search_threads(metadata=metadata, status=status, limit=1)
        return total

    async def set_thread_state(
        self,
        thread_id: str,
        *,
        status: str | None = None,
        values: Any = None,
        interrupts: dict[str, Any] | None = None,
        error: Any = None,
    ) -> None:
        """Record what a finished run (or a state update) left: values, interrupts, status.

        The status given is the checkpoint's; a thread with a run still in flight stays busy.
        """
        async with self.database.transaction() as connection:
            await self._set_thread_state(connection, thread_id, status, values, interrupts, error)

    async def _set_thread_state(
        self,
        connection: AsyncConnection,
        thread_id: str,
        status: str | None,
        values: Any,
        interrupts: dict[str, Any] | None,
        error: Any,
    ) -> bool:
        """Returns whether the thread has runs in flight (only looked up with a status)."""
        now = self.clock()
        changes: dict[str, Any] = {
            "values": values,
            "interrupts": interrupts or {},
            "error": error,
            "updated_at": now,
            "state_updated_at": now,
        }
        if status is None:
            await connection.execute(_UPDATE_THREAD, {**changes, "b_thread_id": thread_id})
            return False
        result = await connection.execute(
            _SET_THREAD_STATE, {**changes, "b_status": status, "b_thread_id": thread_id}
        )
        return bool(result.scalar() == "busy")

    async def finish_run_with_state(
        self,
        run: RunRow,
        status: str,
        error: Any,
        *,
        thread_status: str,
        values: Any,
        interrupts: dict[str, Any],
    ) -> bool:
        """``finish_run`` (or, for ``rollback``, delete the run) and ``set_thread_state`` in one
        transaction: what a worker records when a run ends. True if the thread has runs
        still in flight (its next queued run may start now)."""
        if status != "rollback" and self.database.backend == "postgresql":
            now = self.clock()
            async with self.database.transaction() as connection:
                result = await connection.execute(
                    _FINISH_RUN_WITH_STATE_PG,
                    {
                        "b_run_id": run.run_id,
                        "b_run_status": status,
                        "b_run_error": error,
                        "b_run_updated_at": now,
                        "b_thread_id": run.thread_id,
                        "b_values": values,
                        "b_interrupts": interrupts or {},
                        "b_error": error,
                        "b_updated_at": now,
                        "b_state_updated_at": now,
                        "b_status": thread_status,
                    },
                )
                return bool(result.scalar() == "busy")
        async with self.database.transaction() as connection:
            if status == "rollback":
                await connection.execute(delete(runs).where(runs.c.run_id == run.run_id))
            else:
                changes = {"status": status, "error": error, "updated_at": self.clock()}
                await connection.execute(
                    _UPDATE_RUN, {**changes, "worker_id": None, "b_run_id": run.run_id}
                )
            return await self._set_thread_state(
                connection, run.thread_id, thread_status, values, interrupts, error
            )

    # --- runs ------------------------------------------------------------------------------
    async def _has_inflight(self, connection: AsyncConnection, thread_id: str) -> bool:
        result = await connection.execute(_HAS_INFLIGHT, {"b_thread_id": thread_id})
        return bool(result.scalar())

    async def _inflight(self, connection: AsyncConnection, thread_id: str) -> list[RunRow]:
        rows = await connection.execute(
            select(runs)
            .where(runs.c.thread_id == thread_id, runs.c.status.in_(INFLIGHT))
            .order_by(runs.c.created_at)
        )
        return [_run(row) for row in rows]

    async def create_run(
        self,
        *,
        thread_id: str | None,
        assistant_id: str,
        graph_id: str,
        kwargs: dict[str, Any],
        metadata: dict[str, Any],
        multitask_strategy: str,
        if_not_exists: str,
        after_seconds: float | None,
        temporary: bool = False,
        within: Callable[[AsyncConnection, str], Awaitable[None]] | None = None,
        lease_to: tuple[str, timedelta] | None = None,
    ) -> tuple[RunRow, list[RunRow]]:
        """Insert a pending run; returns it and the in-flight runs it supersedes (``interrupt``,
        ``rollback``).

        Raises ``LookupError`` for an unknown thread (unless ``if_not_exists="create"``) and
        ``ConflictError`` when ``reject`` meets a busy thread. ``within(connection, run_id)``
        runs last in the same transaction (webhook ingress records its delivery there).

        ``lease_to=(worker_id, lease)``: when the thread has nothing in flight and the run is
        due now, insert it already running and leased to that worker (which starts it at once,
        without a claim); otherwise it is queued as usual. The returned run's status tells.
        """
        now = self.clock()
        run_id = new_id()
        stamp = {"graph_id": graph_id, "assistant_id": assistant_id}
        if_new = if_not_exists == "create" and self.database.backend == "postgresql"
        if if_new and thread_id is not None:  # one statement when the thread is new
            row = _run_values(
                run_id, thread_id, assistant_id, kwargs, metadata, multitask_strategy, now,
                after_seconds, lease_to=None if after_seconds else lease_to,
            )  # fmt: skip
            thread_values = _thread_values(thread_id, now, stamp, "busy")
            async with self.database.transaction() as connection:
                created = (
                    await connection.execute(
                        _CREATE_RUN_ON_NEW_THREAD_PG,
                        {
                            **{f"t_{name}": value for name, value in thread_values.items()},
                            **{f"r_{name}": value for name, value in row.items()},
                        },
                    )
                ).first()
                if created is not None and within is not None:
                    await within(connection, run_id)
            if created is not None:
                row["options"] = row.pop("kwargs")
                return RunRow.model_validate({**row, "new_thread": True}), []
        async with self.database.transaction() as connection:
            thread: ThreadRow | None = None  # None: a thread inserted here, busy and stamped
            if thread_id is None:  # a stateless run gets a thread of its own
                thread_id = new_id()
                await self._insert_thread(
                    connection, thread_id, {"temporary": temporary, **stamp}, "busy"
                )
            else:
                thread = await self._thread(connection, thread_id, lock=True)
                if thread is None:
                    if if_not_exists != "create":
                        raise LookupError(f"thread {thread_id} not found")
                    await self._insert_thread(connection, thread_id, stamp, "busy")
            if thread is None:  # new: nothing in flight
                inflight, busy = [], False
            elif multitask_strategy in ("interrupt", "rollback"):
                inflight = await self._inflight(connection, thread_id)
                busy = bool(inflight)
            else:
                inflight = []
                busy = await self._has_inflight(connection, thread_id)
            if busy and multitask_strategy == "reject":
                raise ConflictError(
                    "Thread is already running a task. Wait for it to finish or choose a "
                    "different multitask strategy."
                )
            direct = not busy and not after_seconds
            row = _run_values(
                run_id, thread_id, assistant_id, kwargs, metadata, multitask_strategy, now,
                after_seconds, lease_to=lease_to if direct else None,
            )  # fmt: skip
            await connection.execute(_INSERT_RUN, row)
            if thread is not None:
                await connection.execute(
                    _UPDATE_THREAD,
                    {
                        "status": "busy",
                        "metadata": {**thread.metadata, **stamp},
                        "updated_at": now,
                        "b_thread_id": thread_id,
                    },
                )
            if within is not None:
                await within(connection, run_id)
        superseded = inflight if multitask_strategy in ("interrupt", "rollback") else []
        row["options"] = row.pop("kwargs")
        row["new_thread"] = thread is None
        return RunRow.model_validate(row), superseded

    async def get_run(self, run_id: str, thread_id: str | None = None) -> RunRow | None:
        query = select(runs).where(runs.c.run_id == run_id)
        if thread_id is not None:
            query = query.where(runs.c.thread_id == thread_id)
        async with self.database.read() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else _run(row)

    async def list_runs(
        self, thread_id: str, *, limit: int, offset: int, status: str | None
    ) -> list[RunRow]:
        query = select(runs).where(runs.c.thread_id == thread_id)
        if status is not None:  # ``error`` includes dead runs, as ``to_api`` reports them
            statuses = (status, DEAD) if status == "error" else (status,)
            query = query.where(runs.c.status.in_(statuses))
        query = query.order_by(runs.c.created_at.desc(), runs.c.run_id).limit(limit).offset(offset)
        async with self.database.read() as connection:
            return [_run(row) for row in await connection.execute(query)]

    async def delete_run(self, run_id: str) -> None:
        async with self.database.transaction() as connection:
            await connection.execute(delete(runs).where(runs.c.run_id == run_id))

    async def claim_run(
        self, worker_id: str, lease: timedelta, *, thread_ids: Sequence[str] | None = None
    ) -> RunRow | None:
        """Lease the oldest available run of a thread with nothing running, or ``None``;
        only runs of ``thread_ids`` when given (a CLI executes the threads it drives)."""
        now = self.clock()
        postgres = self.database.backend == "postgresql"
        if thread_ids is None:
            candidate = _CLAIM_CANDIDATE_PG if postgres else _CLAIM_CANDIDATE
        elif not thread_ids:
            return None
        else:
            candidate = _CLAIM_CANDIDATE.where(runs.c.thread_id.in_(list(thread_ids)))
            if postgres:
                candidate = candidate.with_for_update(skip_locked=True)
        try:
            async with self.database.transaction() as connection:
                run_id = (await connection.execute(candidate, {"now": now})).scalar_one_or_none()
                if run_id is None:
                    return None
                claimed = {"worker_id": worker_id, "lease_expires_at": now + lease, "now": now}
                row = (await connection.execute(_CLAIM, {**claimed, "b_run_id": run_id})).first()
                return None if row is None else _run(row)
        except IntegrityError:  # another worker started a run of that thread first
            return None

    async def extend_lease(self, run_id: str, worker_id: str, lease: timedelta) -> Lease:
        """Renew the lease; the answer carries a cancel request made in another process."""
        async with self.database.transaction() as connection:
            result = await connection.execute(
                update(runs)
                .where(_leased_to(run_id, worker_id))
                .values(lease_expires_at=self.clock() + lease)
                .returning(runs.c.cancel_action)
            )
            row = result.first()
            return Lease(held=row is not None, cancel_action=None if row is None else row[0])

    async def release_run(self, run_id: str, worker_id: str) -> bool:
        """Put a run this worker is giving up (it is shutting down) back to pending now, for
        another worker to resume, rather than waiting for its lease to lapse."""
        now = self.clock()
        async with self.database.transaction() as connection:
            result = await connection.execute(
                update(runs)
                .where(_leased_to(run_id, worker_id))
                .values(
                    status="pending",
                    worker_id=None,
                    lease_expires_at=None,
                    available_at=now,
                    updated_at=now,
                )
            )
            return bool(result.rowcount)

    async def request_cancel(self, run_id: str, action: str) -> bool:
        """Record a cancel request for a running run, whichever process executes it (its
        worker sees it on a Redis message or at its next heartbeat); False if not running."""
        async with self.database.transaction() as connection:
            result = await connection.execute(
                update(runs)
                .where(runs.c.run_id == run_id, runs.c.status == "running")
                .values(cancel_action=action, updated_at=self.clock())
            )
            return bool(result.rowcount)

    def _finish(self, run_id: str, status: str, error: Any) -> Any:
        return (
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(status=status, error=error, updated_at=self.clock(), worker_id=None)
        )

    async def finish_run(self, run_id: str, status: str, error: Any = None) -> None:
        async with self.database.transaction() as connection:
            await connection.execute(self._finish(run_id, status, error))

    async def cancel_pending(self, run_id: str) -> bool:
        """Mark a run that has not started as interrupted; False if it already started."""
        async with self.database.transaction() as connection:
            result = await connection.execute(
                update(runs)
                .where(runs.c.run_id == run_id, runs.c.status == "pending")
                .values(status="interrupted", updated_at=self.clock())
            )
            return bool(result.rowcount)

    async def requeue_expired(self, *, max_attempts: int, delay: Backoff) -> list[RunRow]:
        """Runs whose worker stopped renewing its lease (it died, or hung): each has failed
        an attempt, and goes back to pending after its backoff (to resume from its last
        checkpoint) or, at its last attempt, is dead-lettered. Returns them as they are now."""
        query = select(runs).where(
            runs.c.status == "running", runs.c.lease_expires_at < self.clock()
        )
        if self.database.backend == "postgresql":
            query = query.with_for_update(skip_locked=True)
        async with self.database.transaction() as connection:
            expired = [_run(row) for row in await connection.execute(query)]
            failed = []
            for run in expired:
                error = {
                    "error": WORKER_LOST,
                    "message": f"its worker {run.worker_id} stopped renewing the run's lease "
                    "(it died or hung)",
                }
                failed.append(await self._fail(connection, run, error, max_attempts, delay))
            return failed

    async def fail_run(
        self,
        run_id: str,
        worker_id: str,
        error: Any,
        *,
        max_attempts: int,
        delay: Backoff,
        counted: bool = True,
    ) -> RunRow | None:
        """A failed attempt of a run this worker holds (it crashed, or met a transient error):
        back to pending after ``delay(failures)`` seconds, or dead-lettered once it has failed
        ``max_attempts`` times; ``counted=False`` (the database went away under it): back to
        pending without counting a failure. ``None`` if the worker lost the run's lease."""
        query = select(runs).where(_leased_to(run_id, worker_id))
        if self.database.backend == "postgresql":
            query = query.with_for_update()
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
            if row is None:
                return None
            return await self._fail(
                connection, _run(row), error, max_attempts, delay, counted=counted
            )

    async def _fail(
        self,
        connection: AsyncConnection,
        run: RunRow,
        error: Any,
        max_attempts: int,
        delay: Backoff,
        *,
        counted: bool = True,
    ) -> RunRow:
        now = self.clock()
        failures = run.failed_attempts + 1 if counted else run.failed_attempts
        changes: dict[str, Any] = {
            "error": error,
            "failed_attempts": failures,
            "worker_id": None,
            "lease_expires_at": None,
            "updated_at": now,
        }
        if failures >= max_attempts:
            changes["status"] = DEAD
        else:
            changes["status"] = "pending"
            changes["available_at"] = now + timedelta(seconds=delay(max(failures, 1)))
        await connection.execute(_UPDATE_RUN, {**changes, "b_run_id": run.run_id})
        if failures >= max_attempts:  # the thread is free for its next run, or in error
            await connection.execute(
                _UPDATE_THREAD.values(status=case((_INFLIGHT_HERE, "busy"), else_="error")),
                {"error": error, "updated_at": now, "b_thread_id": run.thread_id},
            )
        return run.model_copy(update=changes)

    # --- the dead-letter list --------------------------------------------------------------
    async def dead_runs(self, *, limit: int, offset: int, discarded: bool = False) -> Page[RunRow]:
        """Dead runs, most recently dead first (``discarded``: those discarded instead)."""
        check_window(limit, offset)
        where = and_(
            runs.c.status == DEAD,
            runs.c.discarded_at.is_not(None) if discarded else runs.c.discarded_at.is_(None),
        )
        newest = (runs.c.updated_at.desc(), runs.c.run_id)
        async with self.database.read() as connection:
            total = await count(connection, runs, [where])
            page = select(runs).where(where).order_by(*newest).limit(limit).offset(offset)
            items = [_run(row) for row in await connection.execute(page)]
        return Page(items=items, total=total, limit=limit, offset=offset)

    async def _change_listed_dead(
        self, connection: AsyncConnection, run_id: str, **changes: Any
    ) -> RunRow | None:
        """Change a dead run still on the list (not discarded); ``None`` if it is not one."""
        listed = (runs.c.run_id == run_id, runs.c.status == DEAD, runs.c.discarded_at.is_(None))
        statement = update(runs).where(*listed).values(**changes).returning(*runs.c)
        row = (await connection.execute(statement)).first()
        return None if row is None else _run(row)

    async def revive_run(self, run_id: str) -> RunRow | None:
        """Put a dead (not discarded) run back to pending with its failures forgotten; it
        resumes from its thread's last checkpoint. ``None`` if it is not such a run."""
        now = self.clock()
        async with self.database.transaction() as connection:
            run = await self._change_listed_dead(
                connection,
                run_id,
                status="pending",
                failed_attempts=0,
                error=None,
                available_at=now,
                updated_at=now,
                cancel_action=None,
            )
            if run is None:
                return None
            await connection.execute(
                _UPDATE_THREAD, {"status": "busy", "updated_at": now, "b_thread_id": run.thread_id}
            )
            return run

    async def discard_run(self, run_id: str) -> RunRow | None:
        """Take a dead run off the dead-letter list for good (it stays ``dead``); ``None`` if
        it is not a dead run still on the list."""
        async with self.database.transaction() as connection:
            return await self._change_listed_dead(connection, run_id, discarded_at=self.clock())

    async def thread_has_inflight(self, thread_id: str) -> bool:
        async with self.database.read() as connection:
            return await self._has_inflight(connection, thread_id)

    # --- run control and thread copies (cancel many, rollback, copy) -------------------------
    async def inflight_runs(
        self,
        *,
        thread_id: str | None = None,
        run_ids: Sequence[str] | None = None,
        status: str = "all",
    ) -> list[RunRow]:
        """Runs pending or running (``status`` narrows to one), of a thread or by ids."""
        statuses = INFLIGHT if status == "all" else (status,)
        query = select(runs).where(runs.c.status.in_(statuses))
        if thread_id is not None:
            query = query.where(runs.c.thread_id == thread_id)
        if run_ids is not None:
            query = query.where(runs.c.run_id.in_(list(run_ids)))
        async with self.database.read() as connection:
            rows = await connection.execute(query.order_by(runs.c.created_at))
            return [_run(row) for row in rows]

    async def idle_threads(self, updated_before: datetime, limit: int = 100) -> list[str]:
        """Threads not updated since ``updated_before`` with nothing in flight (TTL sweeps)."""
        query = (
            select(threads.c.thread_id)
            .where(threads.c.updated_at < updated_before, ~_INFLIGHT_HERE)
            .order_by(threads.c.updated_at)
            .limit(limit)
        )
        async with self.database.read() as connection:
            return [str(row[0]) for row in await connection.execute(query)]

    async def copy_thread(self, source: ThreadRow, thread_id: str | None = None) -> ThreadRow:
        """A new thread with ``source``'s metadata and recorded state (not its runs)."""
        async with self.database.transaction() as connection:
            copied = await self._insert_thread(
                connection, thread_id or new_id(), dict(source.metadata)
            )
            changes = {
                "values": source.values,
                "interrupts": source.interrupts,
                "error": source.error,
                "config": source.config,
                "status": "idle" if source.status == "busy" else source.status,
                "state_updated_at": source.state_updated_at,
            }
            await connection.execute(
                update(threads).where(threads.c.thread_id == copied.thread_id).values(**changes)
            )
            found = await self._thread(connection, copied.thread_id)
        assert found is not None
        return found


def _thread_values(
    thread_id: str, now: datetime, metadata: dict[str, Any], status: str
) -> dict[str, Any]:
    """A new thread's row."""
    return {
        "thread_id": thread_id,
        "created_at": now,
        "updated_at": now,
        "state_updated_at": None,
        "metadata": metadata,
        "status": status,
        "values": None,
        "interrupts": {},
        "error": None,
        "config": {},
    }


def _run_values(
    run_id: str,
    thread_id: str,
    assistant_id: str,
    kwargs: dict[str, Any],
    metadata: dict[str, Any],
    multitask_strategy: str,
    now: datetime,
    after_seconds: float | None,
    *,
    lease_to: tuple[str, timedelta] | None,
) -> dict[str, Any]:
    """A new run's row: pending, or already running and leased when ``lease_to`` is given."""
    row: dict[str, Any] = {
        "run_id": run_id,
        "thread_id": thread_id,
        "assistant_id": assistant_id,
        "status": "pending",
        "kwargs": kwargs,
        "metadata": metadata,
        "multitask_strategy": multitask_strategy,
        "created_at": now,
        "updated_at": now,
        "available_at": now + timedelta(seconds=after_seconds or 0),
        "attempt": 0,
        "worker_id": None,
        "lease_expires_at": None,
        "error": None,
        "cancel_action": None,
        "failed_attempts": 0,
        "discarded_at": None,
    }
    if lease_to is not None:
        worker_id, lease = lease_to
        row.update(status="running", attempt=1, worker_id=worker_id, lease_expires_at=now + lease)
    return row
