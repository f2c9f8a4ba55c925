"""The effects ledger: every external write applied once, however often its node re-runs.

LangGraph re-executes a node from the top after a crash, a resume or a retry, so a node that
writes to Shopify can reach the same write several times. Each write carries an idempotency key
derived from the run's durable identity (thread, task, action — see ``idempotency_key``) and
goes through ``EffectsLedger.run_once``, which first waits until the checkpoints that task id
derives from are saved (``storage.lineage``): a task id is durable only then.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, JsonValue
from pydantic_core import to_jsonable_python
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.enums import EffectStatus
from storage.errors import IdempotencyConflictError
from storage.lineage import wait_for_lineage
from storage.schema import effects
from storage.sql import insert_or_ignore

logger = logging.getLogger(__name__)

_KEY_NAMESPACE = uuid.UUID("5d0f8a1e-3a5c-4c52-9f3e-6b1f0b7c2a91")


def idempotency_key(thread_id: str, task_id: str, action_kind: str, *discriminators: str) -> str:
    """A stable key for one action of one task of one thread (a UUID string).

    The same inputs give the same key in every process, so a re-executed task presents the
    same key to the ledger and to the external service. ``discriminators`` tell apart several
    writes of the same kind within one task (e.g. the product handle).
    """
    parts = (thread_id, task_id, action_kind, *discriminators)
    return str(uuid.uuid5(_KEY_NAMESPACE, "\x1f".join(parts)))


def args_hash(args: Mapping[str, Any] | BaseModel) -> str:
    """SHA-256 of the arguments' canonical JSON (key order and whitespace do not matter)."""
    data = args.model_dump(mode="json") if isinstance(args, BaseModel) else args
    canonical = json.dumps(
        to_jsonable_python(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class EffectRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    thread_id: str
    task_id: str
    action_kind: str
    tool: str
    args_hash: str
    args: JsonValue = None
    """The write's arguments (None on rows written before the ledger kept them)."""
    status: EffectStatus
    result: JsonValue = None
    error: str | None = None
    attempts: int
    created_at: AwareDatetime
    applied_at: AwareDatetime | None = None


class EffectOutcome(BaseModel):
    """What ``run_once`` returns: the effect's result and whether it came from the ledger."""

    model_config = ConfigDict(frozen=True)

    key: str
    result: JsonValue
    replayed: bool
    attempts: int


def _record(row: Row[tuple[object, ...]]) -> EffectRecord:
    return EffectRecord.model_validate(dict(row._mapping))


class EffectsLedger:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def run_once(
        self,
        key: str,
        *,
        thread_id: str,
        task_id: str,
        action_kind: str,
        tool: str,
        args: Mapping[str, Any] | BaseModel,
        apply: Callable[[], Awaitable[JsonValue]],
    ) -> EffectOutcome:
        """Apply an external write at most once per ``key`` and remember its result.

        - APPLIED record for ``key``: ``apply`` is not called; the stored result is returned
          with ``replayed=True``.
        - Same ``key`` with different ``args``: ``IdempotencyConflictError``.
        - Otherwise the record is marked STARTED, ``apply`` runs, and the result is stored as
          APPLIED (``replayed=False``). If ``apply`` raises, the record becomes FAILED and the
          error propagates.

        A STARTED (or FAILED) record found here means an earlier attempt may or may not have
        reached the service: the process died after the write and before recording it, or the
        call failed without a clear answer. The ledger cannot know which, so it calls ``apply``
        again — and that is safe only because ``apply`` sends *the same key* to a service that
        is itself idempotent on it (Shopify's ``@idempotent(key:)``, or a lookup by a
        key-derived handle before creating): the service returns the first write's result
        instead of writing twice. The ledger makes replays free and visible; the key carried
        to the service is what makes the crash window safe. Concurrent calls with one key are
        covered by the same argument; the first APPLIED result recorded is the one kept.
        """
        digest = args_hash(args)
        await wait_for_lineage()  # a key made from a task id holds only once its step is saved
        async with self._db.transaction() as connection:
            claimed = await self._claim(
                connection,
                key,
                digest,
                thread_id=thread_id,
                task_id=task_id,
                action_kind=action_kind,
                tool=tool,
                args=to_jsonable_python(
                    args.model_dump(mode="json") if isinstance(args, BaseModel) else args
                ),
            )
        if claimed.status is EffectStatus.APPLIED:
            return EffectOutcome(
                key=key, result=claimed.result, replayed=True, attempts=claimed.attempts
            )
        if claimed.attempts > 1:
            logger.warning(
                "effect %s (%s via %s) was started before and never recorded as applied; "
                "applying again with the same idempotency key (attempt %d)",
                key,
                action_kind,
                tool,
                claimed.attempts,
            )
        try:
            result = to_jsonable_python(await apply())
        except Exception as exc:
            await self._finish(
                key, status=EffectStatus.FAILED, error=f"{type(exc).__name__}: {exc}"
            )
            raise
        # BaseException (cancellation, shutdown) leaves the record STARTED: outcome unknown.
        recorded = await self._finish(key, status=EffectStatus.APPLIED, result=result)
        if recorded is None:  # another execution with this key recorded its result first
            stored = await self.get(key)
            if stored is None or stored.status is not EffectStatus.APPLIED:
                raise RuntimeError(f"effect {key} vanished from the ledger")  # pragma: no cover
            return EffectOutcome(
                key=key, result=stored.result, replayed=True, attempts=stored.attempts
            )
        return EffectOutcome(key=key, result=result, replayed=False, attempts=recorded.attempts)

    async def get(self, key: str) -> EffectRecord | None:
        async with self._db.read() as connection:
            row = (
                await connection.execute(select(effects).where(effects.c.idempotency_key == key))
            ).first()
        return None if row is None else _record(row)

    async def list_for_thread(self, thread_id: str) -> list[EffectRecord]:
        query = (
            select(effects)
            .where(effects.c.thread_id == thread_id)
            .order_by(effects.c.created_at, effects.c.idempotency_key)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
        return [_record(r) for r in rows]

    async def started_before(self, cutoff: datetime, limit: int = 100) -> list[EffectRecord]:
        """Writes still STARTED that were first claimed before ``cutoff``, oldest first."""
        query = (
            select(effects)
            .where(effects.c.status == EffectStatus.STARTED.value, effects.c.created_at < cutoff)
            .order_by(effects.c.created_at, effects.c.idempotency_key)
            .limit(limit)
        )
        async with self._db.read() as connection:
            return [_record(r) for r in (await connection.execute(query)).all()]

    async def started_by_tool(self) -> dict[str, int]:
        """How many writes are STARTED, by tool (``/metrics``)."""
        query = (
            select(effects.c.tool, func.count())
            .where(effects.c.status == EffectStatus.STARTED.value)
            .group_by(effects.c.tool)
        )
        async with self._db.read() as connection:
            return {str(t): int(n) for t, n in (await connection.execute(query)).all()}

    async def resolve_started(
        self,
        record: EffectRecord,
        *,
        applied: bool,
        result: JsonValue = None,
        error: str | None = None,
    ) -> EffectRecord | None:
        """Settle a STARTED write from what its service shows (the sweeper): APPLIED with the
        found result, or FAILED. ``None`` if it changed meanwhile (a run re-claimed it)."""
        values: dict[str, Any] = {"status": EffectStatus.FAILED.value, "error": error}
        if applied:
            values = {
                "status": EffectStatus.APPLIED.value,
                "error": None,
                "result": result,
                "applied_at": self._clock(),
            }
        statement = (
            update(effects)
            .where(
                effects.c.idempotency_key == record.idempotency_key,
                effects.c.status == EffectStatus.STARTED.value,
                effects.c.attempts == record.attempts,
            )
            .values(values)
            .returning(*effects.c)
        )
        async with self._db.transaction() as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _record(row)

    async def _claim(
        self,
        connection: AsyncConnection,
        key: str,
        digest: str,
        *,
        thread_id: str,
        task_id: str,
        action_kind: str,
        tool: str,
        args: JsonValue,
    ) -> EffectRecord:
        """The record this attempt works from: new, re-attempted, or APPLIED (to replay).

        Each step is one atomic statement, so two processes claiming one key never both see
        "new"; a mismatched hash is never touched.
        """
        fresh = {
            "idempotency_key": key,
            "thread_id": thread_id,
            "task_id": task_id,
            "action_kind": action_kind,
            "tool": tool,
            "args_hash": digest,
            "args": args,
            "status": EffectStatus.STARTED.value,
            "attempts": 1,
            "created_at": self._clock(),
        }
        insert = insert_or_ignore(connection, effects, ("idempotency_key",))
        row = (await connection.execute(insert.values(fresh).returning(*effects.c))).first()
        if row is not None:
            return _record(row)
        retry = (
            update(effects)
            .where(
                effects.c.idempotency_key == key,
                effects.c.args_hash == digest,
                effects.c.status != EffectStatus.APPLIED.value,
            )
            .values(attempts=effects.c.attempts + 1, status=EffectStatus.STARTED.value)
            .returning(*effects.c)
        )
        row = (await connection.execute(retry)).first()
        if row is not None:
            return _record(row)
        existing = _record(
            (
                await connection.execute(select(effects).where(effects.c.idempotency_key == key))
            ).one()
        )
        if existing.args_hash != digest:
            raise IdempotencyConflictError(key, existing.args_hash, digest)
        return existing

    async def _finish(
        self,
        key: str,
        *,
        status: EffectStatus,
        result: JsonValue = None,
        error: str | None = None,
    ) -> EffectRecord | None:
        values: dict[str, Any] = {"status": status.value, "error": error}
        if status is EffectStatus.APPLIED:
            values |= {"result": result, "applied_at": self._clock()}
        statement = (
            update(effects)
            .where(
                effects.c.idempotency_key == key,
                effects.c.status != EffectStatus.APPLIED.value,
            )
            .values(values)
            .returning(*effects.c)
        )
        async with self._db.transaction() as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _record(row)
