"""Database URLs as operators write them, translated for SQLAlchemy and LangGraph."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from settings import Settings
from storage.urls import (
    backend_of,
    checkpoint_path,
    database_url,
    libpq_conninfo,
    normalize_url,
    sqlite_file,
    store_path,
)


@pytest.mark.parametrize(
    "given",
    [
        "postgres://royal:s3cret@db.internal:5432/royal?sslmode=require",
        "postgresql://royal:s3cret@db.internal:5432/royal?sslmode=require",
        "postgresql+psycopg://royal:s3cret@db.internal:5432/royal?sslmode=require",
        "postgresql+asyncpg://royal:s3cret@db.internal:5432/royal?sslmode=require",
    ],
)
def test_every_postgres_spelling_becomes_async_psycopg(given: str) -> None:
    url = normalize_url(given)
    assert url.drivername == "postgresql+psycopg"
    assert backend_of(url) == "postgresql"
    assert (url.host, url.port, url.database, url.query["sslmode"]) == (
        "db.internal",
        5432,
        "royal",
        "require",
    )
    assert libpq_conninfo(url) == (
        "postgresql://royal:s3cret@db.internal:5432/royal?sslmode=require"
    )
    assert sqlite_file(url) is None


def test_sqlite_urls_use_aiosqlite() -> None:
    url = normalize_url("sqlite:////var/lib/royal/royal.sqlite3")
    assert url.drivername == "sqlite+aiosqlite"
    assert backend_of(url) == "sqlite"
    assert sqlite_file(url) == Path("/var/lib/royal/royal.sqlite3")
    assert sqlite_file(normalize_url("sqlite://")) is None
    with pytest.raises(ValueError, match="PostgreSQL"):
        libpq_conninfo(url)


def test_unsupported_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        normalize_url("mysql://root@localhost/royal")


def test_settings_choose_the_backend(tmp_path: Path) -> None:
    embedded = Settings(royal_data_dir=tmp_path / "data")
    url = database_url(embedded)
    assert url.drivername == "sqlite+aiosqlite"
    assert sqlite_file(url) == (tmp_path / "data" / "royal.sqlite3").resolve()
    assert checkpoint_path(embedded).parent == store_path(embedded).parent == tmp_path / "data"
    assert checkpoint_path(embedded) != store_path(embedded) != embedded.sqlite_path

    real = Settings(
        royal_data_dir=tmp_path, database_url=SecretStr("postgres://u:p@127.0.0.1/royal")
    )
    assert database_url(real).render_as_string(hide_password=False) == (
        "postgresql+psycopg://u:p@127.0.0.1/royal"
    )
    assert "p@" not in repr(database_url(real))
