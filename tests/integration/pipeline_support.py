"""An engine (CEO graph + services + persistence) on the sandbox, per storage back-end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from server.engine import Engine, open_engine, thread_config
from settings import Settings, reset_settings_cache
from tools.sandbox import SandboxServer
from tools.sandbox.shopify import ShopifyEmulator


def point_at(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer, database_url: str | None
) -> Settings:
    monkeypatch.setenv("ROYAL_SANDBOX_HOST", sandbox.host)
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", str(sandbox.port))
    if database_url is not None:
        monkeypatch.setenv("DATABASE_URL", database_url)
    reset_settings_cache()
    return Settings()


def database_for(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """None (embedded SQLite in the data dir) or a fresh Postgres database."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return None


@pytest.fixture
async def engine(
    request: pytest.FixtureRequest,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Engine]:
    settings = point_at(monkeypatch, sandbox, database_for(request, tmp_path))
    async with open_engine(settings) as opened:
        yield opened


async def turn(engine: Engine, thread_id: str, text: str) -> dict[str, Any]:
    """One chat turn to completion or to an interrupt; returns the graph's output."""
    result: dict[str, Any] = await engine.graph.ainvoke(
        {"messages": [HumanMessage(text)]}, thread_config(thread_id), context=engine.context()
    )
    return result


def shop(sandbox: SandboxServer) -> ShopifyEmulator:
    emulator = sandbox.sandbox.emulators["shopify"]
    assert isinstance(emulator, ShopifyEmulator)
    return emulator


def writes(sandbox: SandboxServer) -> dict[str, int]:
    return {k: v for k, v in sandbox.sandbox.ledger.counts().items() if k.startswith("shopify.")}
