"""The catalog sync's records: syncs and their field changes, merge bases, conflicts.

Every write here is idempotent on a key the graph derives from its run (a sync id from the
thread, a change by (sync, handle, field), a conflict by (sync, handle, field)), because the
node that writes may execute again after a crash or a resume.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, JsonValue
from sqlalchemy import Row, func, select, update

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.errors import NotFoundError, StorageError
from storage.pagination import Page, check_window
from storage.sql import count, insert_or_ignore, is_uuid
from storage.sync_schema import (
    ChangeStatus,
    ConflictStatus,
    Resolution,
    SyncDirection,
    SyncStatus,
    sync_bases,
    sync_changes,
    sync_conflicts,
    sync_records,
)


class SyncRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    direction: SyncDirection
    status: SyncStatus
    trigger: str
    thread_id: str | None
    pull_request: int | None
    branch: str | None
    commit_sha: str | None
    summary: str
    rollback_of: str | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class SyncChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    sync_id: str
    handle: str
    field: str
    before: JsonValue
    after: JsonValue
    status: ChangeStatus
    created_at: AwareDatetime


class HistoryEntry(BaseModel):
    """A change of one product with the sync it was part of."""

    model_config = ConfigDict(frozen=True)

    change: SyncChange
    sync: SyncRecord


class ConflictRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    sync_id: str
    handle: str
    field: str
    base: JsonValue
    ours: JsonValue
    theirs: JsonValue
    status: ConflictStatus
    resolution: Resolution | None
    resolved_value: JsonValue
    resolved_by: str | None
    resolved_at: AwareDatetime | None
    resolution_sync_id: str | None
    created_at: AwareDatetime


class ConflictAlreadyResolvedError(StorageError):
    def __init__(self, current: ConflictRecord) -> None:
        self.current = current
        super().__init__(
            f"conflict {current.id} was already resolved by {current.resolved_by} "
            f"({current.resolution})"
        )


def _model(model: type[Any], row: Row[Any]) -> Any:
    return model.model_validate(dict(row._mapping))


class SyncRepository:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    # --- syncs ---------------------------------------------------------------------------
    async def start(
        self,
        sync_id: str,
        direction: SyncDirection,
        trigger: str,
        *,
        thread_id: str | None,
        rollback_of: str | None = None,
        pull_request: int | None = None,
    ) -> SyncRecord:
        """The sync's record, created once (a re-executed node finds the first one)."""
        now = self._clock()
        async with self._db.transaction() as connection:
            await connection.execute(
                insert_or_ignore(connection, sync_records, ("id",)).values(
                    id=sync_id,
                    direction=direction.value,
                    status=SyncStatus.RUNNING.value,
                    trigger=trigger[:255],
                    thread_id=thread_id,
                    summary="",
                    rollback_of=rollback_of,
                    pull_request=pull_request,
                    created_at=now,
                    updated_at=now,
                )
            )
            row = (
                await connection.execute(select(sync_records).where(sync_records.c.id == sync_id))
            ).one()
        record: SyncRecord = _model(SyncRecord, row)
        return record

    async def finish(
        self,
        sync_id: str,
        status: SyncStatus,
        summary: str,
        *,
        pull_request: int | None = None,
        branch: str | None = None,
        commit_sha: str | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status.value,
            "summary": summary,
            "updated_at": self._clock(),
        }
        for name, value in (
            ("pull_request", pull_request),
            ("branch", branch),
            ("commit_sha", commit_sha),
        ):
            if value is not None:
                values[name] = value
        async with self._db.transaction() as connection:
            await connection.execute(
                update(sync_records).where(sync_records.c.id == sync_id).values(values)
            )

    async def get(self, sync_id: str) -> SyncRecord | None:
        async with self._db.read() as connection:
            row = (
                await connection.execute(select(sync_records).where(sync_records.c.id == sync_id))
            ).first()
        return None if row is None else _model(SyncRecord, row)

    async def syncs(
        self, *, direction: SyncDirection | None = None, limit: int = 50, offset: int = 0
    ) -> Page[SyncRecord]:
        check_window(limit, offset)
        where = [] if direction is None else [sync_records.c.direction == direction.value]
        query = (
            select(sync_records)
            .where(*where)
            .order_by(sync_records.c.created_at.desc(), sync_records.c.id)
            .limit(limit)
            .offset(offset)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
            total = await count(connection, sync_records, where)
        return Page(
            items=[_model(SyncRecord, r) for r in rows], total=total, limit=limit, offset=offset
        )

    # --- changes -------------------------------------------------------------------------
    async def record_changes(
        self,
        sync_id: str,
        handle: str,
        changes: Sequence[tuple[str, JsonValue, JsonValue]],
        status: ChangeStatus,
    ) -> None:
        """``(field, before, after)`` of one product; a change already recorded is kept."""
        if not changes:
            return
        now = self._clock()
        async with self._db.transaction() as connection:
            for field, before, after in changes:
                await connection.execute(
                    insert_or_ignore(
                        connection, sync_changes, ("sync_id", "handle", "field")
                    ).values(
                        sync_id=sync_id,
                        handle=handle,
                        field=field[:512],
                        before=before,
                        after=after,
                        status=status.value,
                        created_at=now,
                    )
                )

    async def set_change_status(
        self, sync_id: str, handle: str, status: ChangeStatus, *, only: ChangeStatus | None = None
    ) -> None:
        where = [sync_changes.c.sync_id == sync_id, sync_changes.c.handle == handle]
        if only is not None:
            where.append(sync_changes.c.status == only.value)
        async with self._db.transaction() as connection:
            await connection.execute(update(sync_changes).where(*where).values(status=status.value))

    async def changes(self, sync_id: str) -> list[SyncChange]:
        query = (
            select(sync_changes)
            .where(sync_changes.c.sync_id == sync_id)
            .order_by(sync_changes.c.id)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
        return [_model(SyncChange, r) for r in rows]

    async def history(self, handle: str, *, limit: int = 200) -> list[HistoryEntry]:
        """Every recorded change of ``handle``, newest first, with its sync."""
        query = (
            select(sync_changes, sync_records)
            .join(sync_records, sync_records.c.id == sync_changes.c.sync_id)
            .where(sync_changes.c.handle == handle)
            .order_by(sync_changes.c.id.desc())
            .limit(limit)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
        entries = []
        for row in rows:
            values = list(row)
            change = dict(zip(sync_changes.c.keys(), values[: len(sync_changes.c)], strict=True))
            sync = dict(zip(sync_records.c.keys(), values[len(sync_changes.c) :], strict=True))
            entries.append(
                HistoryEntry(
                    change=SyncChange.model_validate(change), sync=SyncRecord.model_validate(sync)
                )
            )
        return entries

    # --- merge bases ---------------------------------------------------------------------
    async def base(self, handle: str) -> str | None:
        async with self._db.read() as connection:
            row = (
                await connection.execute(
                    select(sync_bases.c.content).where(sync_bases.c.handle == handle)
                )
            ).first()
        return None if row is None else str(row.content)

    async def set_base(
        self, handle: str, content: str, sync_id: str | None, *, product_id: str | None = None
    ) -> None:
        """Record ``content`` as the state both sides agree on for ``handle``."""
        now = self._clock()
        values: dict[str, Any] = {"content": content, "sync_id": sync_id, "updated_at": now}
        if product_id is not None:
            values["product_id"] = product_id
        async with self._db.transaction() as connection:
            await connection.execute(
                insert_or_ignore(connection, sync_bases, ("handle",)).values(
                    handle=handle, **values
                )
            )
            await connection.execute(
                update(sync_bases).where(sync_bases.c.handle == handle).values(values)
            )

    async def handle_of_product(self, product_id: str) -> str | None:
        """The handle last synced for a Shopify product id (a deletion names only the id)."""
        async with self._db.read() as connection:
            row = (
                await connection.execute(
                    select(sync_bases.c.handle).where(sync_bases.c.product_id == product_id)
                )
            ).first()
        return None if row is None else str(row.handle)

    async def drop_base(self, handle: str) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(sync_bases.delete().where(sync_bases.c.handle == handle))

    async def base_count(self) -> int:
        async with self._db.read() as connection:
            total: int = (
                await connection.execute(select(func.count()).select_from(sync_bases))
            ).scalar_one()
        return total

    # --- conflicts -----------------------------------------------------------------------
    async def open_conflict(
        self,
        conflict_id: str,
        sync_id: str,
        handle: str,
        field: str,
        *,
        base: JsonValue,
        ours: JsonValue,
        theirs: JsonValue,
    ) -> ConflictRecord:
        """Record a conflict, unless the same one (same field, same two values) is open."""
        async with self._db.transaction() as connection:
            same = (
                await connection.execute(
                    select(sync_conflicts).where(
                        sync_conflicts.c.handle == handle,
                        sync_conflicts.c.field == field,
                        sync_conflicts.c.status == ConflictStatus.OPEN.value,
                    )
                )
            ).all()
            for row in same:
                existing: ConflictRecord = _model(ConflictRecord, row)
                if existing.ours == ours and existing.theirs == theirs:
                    return existing
            await connection.execute(
                insert_or_ignore(connection, sync_conflicts, ("sync_id", "handle", "field")).values(
                    id=conflict_id,
                    sync_id=sync_id,
                    handle=handle,
                    field=field[:512],
                    base=base,
                    ours=ours,
                    theirs=theirs,
                    status=ConflictStatus.OPEN.value,
                    created_at=self._clock(),
                )
            )
            row = (
                await connection.execute(
                    select(sync_conflicts).where(
                        sync_conflicts.c.sync_id == sync_id,
                        sync_conflicts.c.handle == handle,
                        sync_conflicts.c.field == field[:512],
                    )
                )
            ).one()
        record: ConflictRecord = _model(ConflictRecord, row)
        return record

    async def get_conflict(self, conflict_id: str) -> ConflictRecord | None:
        if not is_uuid(conflict_id):
            return None
        async with self._db.read() as connection:
            row = (
                await connection.execute(
                    select(sync_conflicts).where(sync_conflicts.c.id == conflict_id)
                )
            ).first()
        return None if row is None else _model(ConflictRecord, row)

    async def conflicts(
        self,
        *,
        status: ConflictStatus | None = ConflictStatus.OPEN,
        handle: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[ConflictRecord]:
        check_window(limit, offset)
        where = []
        if status is not None:
            where.append(sync_conflicts.c.status == status.value)
        if handle is not None:
            where.append(sync_conflicts.c.handle == handle)
        query = (
            select(sync_conflicts)
            .where(*where)
            .order_by(sync_conflicts.c.created_at.desc(), sync_conflicts.c.id)
            .limit(limit)
            .offset(offset)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
            total = await count(connection, sync_conflicts, where)
        return Page(
            items=[_model(ConflictRecord, r) for r in rows],
            total=total,
            limit=limit,
            offset=offset,
        )

    async def resolve_conflict(
        self,
        conflict_id: str,
        resolution: Resolution,
        value: JsonValue,
        *,
        by: str,
        resolution_sync_id: str,
    ) -> ConflictRecord:
        """Decide an OPEN conflict (one conditional update: a second decision is refused)."""
        statement = (
            update(sync_conflicts)
            .where(
                sync_conflicts.c.id == conflict_id,
                sync_conflicts.c.status == ConflictStatus.OPEN.value,
            )
            .values(
                status=ConflictStatus.RESOLVED.value,
                resolution=resolution.value,
                resolved_value=value,
                resolved_by=by,
                resolved_at=self._clock(),
                resolution_sync_id=resolution_sync_id,
            )
            .returning(*sync_conflicts.c)
        )
        async with self._db.transaction() as connection:
            row = (await connection.execute(statement)).first()
        if row is not None:
            record: ConflictRecord = _model(ConflictRecord, row)
            return record
        current = await self.get_conflict(conflict_id)
        if current is None:
            raise NotFoundError("conflict", conflict_id)
        raise ConflictAlreadyResolvedError(current)
