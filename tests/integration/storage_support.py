"""Helpers for the storage tests: both back-ends, a migrated database, a controllable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.engine import Database

#: Parametrize a fixture with these to run a test on SQLite and on the real PostgreSQL.
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgres", marks=pytest.mark.postgres),
]


def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database of the requested back-end (Postgres only when asked for)."""
    backend: str = request.param
    if backend == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path / 'data' / 'royal.sqlite3'}"


@asynccontextmanager
async def migrated(url: str) -> AsyncIterator[Database]:
    async with Database(url) as database:
        await database.migrate()
        yield database


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now
