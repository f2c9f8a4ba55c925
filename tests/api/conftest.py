"""Fixtures: a live API server per test, on SQLite or Postgres, pointed at the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from settings import Settings
from tests.api.server_support import LiveServer, live_server
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
    monkeypatch.setenv("ROYAL_SANDBOX_HOST", sandbox.host)
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", str(sandbox.port))
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    settings = Settings(
        royal_data_dir=tmp_path / "data",
        royal_sandbox_host=sandbox.host,
        royal_sandbox_port=sandbox.port,
        database_url=database_url,
    )
    with live_server(settings) as server:
        yield server
        assert server.runtime.unexpected_errors == 0


@pytest.fixture
async def client(api: LiveServer) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=api.url)
    yield client
    await client.http.client.aclose()
