"""Where the databases live: one settings object, three consumers with different URL dialects.

SQLAlchemy wants ``postgresql+psycopg://`` (async psycopg 3) or ``sqlite+aiosqlite:///``; the
LangGraph Postgres saver wants a plain libpq conninfo; the LangGraph SQLite saver wants a file
path. Operators write whatever their provider hands them (``postgres://`` included), so the
translation lives in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url

from settings import Settings

Backend = Literal["postgresql", "sqlite"]

_POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})


def normalize_url(url: str | URL) -> URL:
    """The async SQLAlchemy URL for ``url``: psycopg 3 for Postgres, aiosqlite for SQLite."""
    parsed = make_url(url) if isinstance(url, str) else url
    dialect = parsed.drivername.partition("+")[0]
    if dialect in _POSTGRES_SCHEMES:
        return parsed.set(drivername="postgresql+psycopg")
    if dialect == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    raise ValueError(
        f"unsupported database URL scheme {parsed.drivername!r} (postgresql or sqlite)"
    )


def sqlite_url(path: Path) -> URL:
    """The aiosqlite URL of a database file (absolute, so a later ``chdir`` cannot move it)."""
    return URL.create("sqlite+aiosqlite", database=str(path.expanduser().resolve()))


def database_url(settings: Settings) -> URL:
    """The app database: ``DATABASE_URL`` when set, else the SQLite file in the data directory."""
    if settings.database_url is not None:
        return normalize_url(settings.database_url.get_secret_value())
    return sqlite_url(settings.sqlite_path)


def backend_of(url: URL) -> Backend:
    return "postgresql" if url.get_backend_name() == "postgresql" else "sqlite"


def libpq_conninfo(url: URL) -> str:
    """A ``postgresql://`` URL psycopg and LangGraph's Postgres saver accept (password kept)."""
    if backend_of(url) != "postgresql":
        raise ValueError("a libpq conninfo only exists for PostgreSQL URLs")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_file(url: URL) -> Path | None:
    """The file behind a SQLite URL (``None`` for in-memory databases)."""
    if backend_of(url) != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def checkpoint_path(settings: Settings) -> Path:
    """The embedded LangGraph checkpointer's file (kept apart from the app tables' file)."""
    return settings.royal_data_dir / "checkpoints.sqlite3"


def store_path(settings: Settings) -> Path:
    """The embedded LangGraph store's file."""
    return settings.royal_data_dir / "store.sqlite3"
