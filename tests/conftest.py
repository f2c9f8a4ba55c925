"""Shared fixtures: the sandbox over real HTTP, and real Postgres and Redis.

Tests that need Postgres or Redis use the real servers (``DATABASE_URL`` / ``REDIS_URL`` or the
local defaults on 127.0.0.1). When one is unreachable the test fails, never skips: a green run
must mean the real parts were exercised.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
import redis.asyncio as aioredis

from settings import reset_settings_cache
from tools.sandbox import Sandbox, SandboxServer

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _per_worker(url: str) -> str:
    """A Redis database of its own for each pytest-xdist worker (gw0: the configured one, gw1:
    the one below it, ...), so one worker's flush never wipes another's keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base, _, database = url.rpartition("/")
    if not (worker.isdigit() and database.isdigit()):
        return url
    return f"{base}/{(int(database) - int(worker)) % 16}"


REDIS_URL = _per_worker(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))

#: Environment variables that would point the code under test at real services.
_REAL_SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "SHOPIFY_SHOP",
    "SHOPIFY_ACCESS_TOKEN",
    "SHOPIFY_API_KEY",
    "SHOPIFY_API_SECRET",
    "GITHUB_TOKEN",
    "CJ_API_KEY",
    "PRINTFUL_TOKEN",
    "META_ACCESS_TOKEN",
    "KLAVIYO_API_KEY",
    "ROYAL_ENV",
    "LANGSMITH_TRACING",
    "LANGCHAIN_TRACING_V2",
)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Every test starts from embedded defaults, whatever the developer's shell exports."""
    for name in _REAL_SERVICE_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROYAL_DATA_DIR", str(tmp_path_factory.mktemp("royal-data")))
    # The demo shop's SKUs stay unmapped unless a test maps them (or turns this back on).
    monkeypatch.setenv("ROYAL_SANDBOX_SUPPLIER_MAPPING", "false")
    # No periodic order sweep starting finance runs behind a test's back (tests sweep by hand).
    monkeypatch.setenv("ROYAL_ORDER_SWEEP_SECONDS", "0")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))  # no stray .env is read
    reset_settings_cache()
    yield
    reset_settings_cache()


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """One sandbox over real loopback HTTP for the whole session."""
    with SandboxServer(Sandbox(seed=7)) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    """The session sandbox, reset to its seeded state (and no faults) for this test."""
    sandbox_server.sandbox.reset()
    yield sandbox_server
    sandbox_server.sandbox.reset()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the real server, dropped afterwards."""
    name = f"royal_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"PostgreSQL is required and unreachable at {POSTGRES_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """The real Redis server's test database, flushed before and after."""
    client: aioredis.Redis = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, aioredis.ConnectionError) as exc:  # pragma: no cover - environment problem
        pytest.fail(f"Redis is required and unreachable at {REDIS_URL}: {exc}")
    await client.flushdb()
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()
