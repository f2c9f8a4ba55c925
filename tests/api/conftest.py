"""Fixtures: a live API server per test, on SQLite or Postgres, pointed at the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.api.auth_support import serve_secured
from tests.api.server_support import LiveServer, live_server, sandboxed_settings
from tools.sandbox import SandboxServer

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def api(
    request: pytest.FixtureRequest,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LiveServer]:
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    settings = sandboxed_settings(monkeypatch, sandbox, tmp_path / "data", database_url)
    with live_server(settings) as server:
        yield server
        assert server.runtime.unexpected_errors == 0


@pytest.fixture
async def client(api: LiveServer) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=api.url)
    yield client
    await client.http.client.aclose()


@pytest.fixture(params=BACKENDS)
def secured(
    request: pytest.FixtureRequest, sandbox: SandboxServer, tmp_path: Path
) -> Iterator[LiveServer]:
    """A live API that requires credentials (an API key per role, a JWT secret)."""
    yield from serve_secured(request, sandbox, tmp_path, request.param)


@pytest.fixture
async def http(secured: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=secured.url, timeout=60) as client:
        yield client
