"""Assistants created over the API: a graph with its own config, context, metadata and name,
versioned (every change is a new version; ``latest`` can point back at an older one).

The graph-id assistants (one per served graph, id = graph id) are not stored: the host lists
them beside these.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    Row,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import Database
from storage.assistants_schema import assistant_versions, assistants
from storage.runs import json_contains

SORT_COLUMNS = ("assistant_id", "graph_id", "name", "created_at", "updated_at")
_VERSIONED = ("graph_id", "name", "description", "config", "context", "metadata")


class AssistantExistsError(RuntimeError):
    """An assistant with this id exists already (``if_exists="raise"``)."""


class AssistantRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    assistant_id: str
    graph_id: str
    name: str
    description: str | None
    config: dict[str, Any]
    context: dict[str, Any]
    metadata: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        body = self.model_dump(mode="json")
        if self.updated_at is None:  # a version: no updated_at
            body.pop("updated_at")
        return body


def _row(row: Row[Any]) -> AssistantRow:
    return AssistantRow.model_validate(dict(row._mapping))


class AssistantStore:
    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    async def create(
        self,
        *,
        assistant_id: str | None,
        graph_id: str,
        name: str,
        description: str | None,
        config: dict[str, Any],
        context: dict[str, Any],
        metadata: dict[str, Any],
        if_exists: str = "raise",
    ) -> AssistantRow:
        """Version 1 of a new assistant; an existing id is returned (``do_nothing``) or refused."""
        now = self.clock()
        values = {
            "assistant_id": assistant_id or str(uuid.uuid4()),
            "graph_id": graph_id,
            "name": name,
            "description": description,
            "config": config,
            "context": context,
            "metadata": metadata,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self.database.transaction() as connection:
                await connection.execute(insert(assistants).values(values))
                await connection.execute(
                    insert(assistant_versions).values(
                        {k: v for k, v in values.items() if k != "updated_at"}
                    )
                )
        except IntegrityError:
            existing = await self.get(str(values["assistant_id"]))
            if existing is None or if_exists != "do_nothing":
                raise AssistantExistsError(f"assistant {values['assistant_id']} exists") from None
            return existing
        return AssistantRow.model_validate(values)

    async def get(self, assistant_id: str) -> AssistantRow | None:
        async with self.database.read() as connection:
            row = (
                await connection.execute(
                    select(assistants).where(assistants.c.assistant_id == assistant_id)
                )
            ).first()
        return None if row is None else _row(row)

    async def patch(self, assistant_id: str, changes: dict[str, Any]) -> AssistantRow | None:
        """A new version with ``changes`` (metadata merged, the rest replaced), made latest."""
        async with self.database.transaction() as connection:
            current = await self._locked(connection, assistant_id)
            if current is None:
                return None
            fields = {name: getattr(current, name) for name in _VERSIONED}
            fields.update({k: v for k, v in changes.items() if k != "metadata"})
            fields["metadata"] = {**current.metadata, **(changes.get("metadata") or {})}
            newest = (
                await connection.execute(
                    select(func.max(assistant_versions.c.version)).where(
                        assistant_versions.c.assistant_id == assistant_id
                    )
                )
            ).scalar_one()
            version = int(newest or 0) + 1
            now = self.clock()
            await connection.execute(
                insert(assistant_versions).values(
                    assistant_id=assistant_id, version=version, created_at=now, **fields
                )
            )
            await connection.execute(
                update(assistants)
                .where(assistants.c.assistant_id == assistant_id)
                .values(version=version, updated_at=now, **fields)
            )
        return current.model_copy(update={**fields, "version": version, "updated_at": now})

    async def set_latest(self, assistant_id: str, version: int) -> AssistantRow | None:
        """Point the assistant at one of its versions (``None``: no such assistant or version)."""
        async with self.database.transaction() as connection:
            current = await self._locked(connection, assistant_id)
            row = (
                await connection.execute(
                    select(assistant_versions).where(
                        assistant_versions.c.assistant_id == assistant_id,
                        assistant_versions.c.version == version,
                    )
                )
            ).first()
            if current is None or row is None:
                return None
            fields = {name: row._mapping[name] for name in _VERSIONED}
            now = self.clock()
            await connection.execute(
                update(assistants)
                .where(assistants.c.assistant_id == assistant_id)
                .values(version=version, updated_at=now, **fields)
            )
        return current.model_copy(update={**fields, "version": version, "updated_at": now})

    async def _locked(self, connection: AsyncConnection, assistant_id: str) -> AssistantRow | None:
        query = select(assistants).where(assistants.c.assistant_id == assistant_id)
        if self.database.backend == "postgresql":
            query = query.with_for_update()
        row = (await connection.execute(query)).first()
        return None if row is None else _row(row)

    async def delete(self, assistant_id: str) -> bool:
        async with self.database.transaction() as connection:
            await connection.execute(
                delete(assistant_versions).where(assistant_versions.c.assistant_id == assistant_id)
            )
            result = await connection.execute(
                delete(assistants).where(assistants.c.assistant_id == assistant_id)
            )
        return bool(result.rowcount)

    async def versions(
        self, assistant_id: str, metadata: dict[str, Any] | None, limit: int, offset: int
    ) -> list[AssistantRow]:
        conditions = [assistant_versions.c.assistant_id == assistant_id]
        if metadata:
            conditions += json_contains(
                self.database.backend, assistant_versions, "metadata", metadata
            )
        async with self.database.read() as connection:
            rows = await connection.execute(
                select(assistant_versions)
                .where(and_(*conditions))
                .order_by(assistant_versions.c.version.desc())
                .limit(limit)
                .offset(offset)
            )
            return [_row(row) for row in rows]

    async def search(
        self,
        *,
        graph_id: str | None = None,
        name: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> list[AssistantRow]:
        """Every matching assistant (the host merges, sorts and pages them with the built-in
        ones); ``name`` matches case-insensitively anywhere in the name."""
        conditions: list[Any] = []
        if graph_id is not None:
            conditions.append(assistants.c.graph_id == graph_id)
        if name:
            conditions.append(func.lower(assistants.c.name).contains(name.lower()))
        if metadata:
            conditions += json_contains(self.database.backend, assistants, "metadata", metadata)
        async with self.database.read() as connection:
            rows = await connection.execute(select(assistants).where(and_(True, *conditions)))
            return [_row(row) for row in rows]
