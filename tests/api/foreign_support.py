"""A live server on a small foreign langgraph.json (the hold graph and the factory graphs), on
SQLite or Postgres: for the assistants, threads, store and crons tests through the SDK."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from settings import Settings
from tests.api.conftest import BACKENDS
from tests.api.server_support import LiveServer, live_server

HERE = Path(__file__).resolve().parent
GRAPHS = {
    "hold": f"{HERE / 'hold_graph.py'}:graph",
    "reporter": f"{HERE / 'factory_graphs.py'}:reporter",
    "factory": f"{HERE / 'factory_graphs.py'}:with_config_and_runtime",
    "remember": f"{HERE / 'factory_graphs.py'}:remember",
}


def foreign_server(
    request: pytest.FixtureRequest, tmp_path: Path, **settings: Any
) -> Iterator[LiveServer]:
    config = tmp_path / "langgraph.json"
    config.write_text(json.dumps({"graphs": GRAPHS}))
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    options = Settings(royal_data_dir=tmp_path / "data", database_url=database_url, **settings)
    with live_server(options, config_path=config) as server:
        yield server
        assert server.runtime.unexpected_errors == 0


@pytest.fixture(params=BACKENDS)
def foreign_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    yield from foreign_server(request, tmp_path)


@pytest.fixture
async def sdk(foreign_api: LiveServer) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=foreign_api.url)
    yield client
    await client.http.client.aclose()
