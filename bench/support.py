"""What several benchmarks share: a throw-away PostgreSQL database, their common arguments, and
running one measurement on SQLite and then on PostgreSQL against a loopback sandbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from tools.sandbox import SandboxServer

Measure = Callable[[str, SandboxServer], Coroutine[Any, Any, None]]
"""One measurement: the backend's label ("sqlite" or "postgres") and the running sandbox."""


@contextmanager
def temporary_postgres(admin_url: str) -> Iterator[str]:
    """A fresh database on the server of ``admin_url``, dropped afterwards."""
    name = f"royal_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's arguments, starting with ``--postgres-url`` (where the temporary database
    is created from)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a database to CREATE/DROP a temporary benchmark database from",
    )
    return parser


def on_sqlite_then_postgres(postgres_url: str, measure: Measure, *, postgres: bool = True) -> None:
    """Run ``measure`` with the offline model against a loopback sandbox: on a fresh SQLite data
    directory, then (unless ``postgres`` is false) on a temporary PostgreSQL database."""
    logging.basicConfig(level=logging.ERROR)  # the offline-model notice is printed once here
    print("model: offline deterministic model (no OPENAI_API_KEY); sandbox over loopback")
    with SandboxServer() as sandbox, tempfile.TemporaryDirectory() as data:
        os.environ.update(
            ROYAL_SANDBOX_HOST=sandbox.host,
            ROYAL_SANDBOX_PORT=str(sandbox.port),
            ROYAL_DATA_DIR=data,
        )
        os.environ.pop("DATABASE_URL", None)
        asyncio.run(measure("sqlite", sandbox))
        if postgres:
            with temporary_postgres(postgres_url) as url:
                os.environ["DATABASE_URL"] = url
                asyncio.run(measure("postgres", sandbox))
