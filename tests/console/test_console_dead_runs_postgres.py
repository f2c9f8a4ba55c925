"""The Dead runs page over HTTP on the real PostgreSQL: listed with its error, retried with the
CSRF token (a forged one is refused) to success; a second retry says why nothing happened."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage import Database
from storage.users import UserRepository
from tests.api import crash_graph
from tests.api.server_support import LiveServer, live_server, sandboxed_settings
from tests.console.dead_runs_support import joined, start, wait_dead
from tools.sandbox import SandboxServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_server(
    sandbox: SandboxServer, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    settings = sandboxed_settings(
        monkeypatch,
        sandbox,
        tmp_path / "data",
        postgres_url,
        royal_run_retry_base_seconds=0.05,
        royal_run_retry_max_seconds=0.2,
    )
    with live_server(settings) as running:

        async def add_user() -> None:
            async with Database(postgres_url) as database:
                await UserRepository(database).add("otto", role="operator", password="op-pass-1")

        asyncio.run(add_user())
        running.runtime.add_graph("crashy", crash_graph.graph)
        yield running
        assert running.runtime.unexpected_errors == 0


def csrf(html: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    return token.group(1)


def test_the_dead_runs_page_on_postgres(pg_server: LiveServer, tmp_path: Path) -> None:
    poison = start(pg_server.url, "pg-poison", tmp_path)
    dead = wait_dead(pg_server.url, poison)
    assert (dead["failed_attempts"], dead["error_class"]) == (3, "ConnectionResetError")
    with httpx.Client(base_url=pg_server.url, follow_redirects=False, timeout=30) as client:
        login = {"username": "otto", "password": "op-pass-1"}
        token = csrf(client.get("/console/login").text)
        assert client.post("/console/login", data={**login, "csrf_token": token}).is_redirect
        page = client.get("/console/runs/dead")
        assert page.status_code == 200
        assert f'id="dead-{poison}"' in page.text
        assert "ConnectionResetError" in page.text
        forged = client.post(f"/console/runs/{poison}/retry", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        (tmp_path / "heal").touch()
        retried = client.post(f"/console/runs/{poison}/retry", data={"csrf_token": csrf(page.text)})
        assert retried.status_code == 303
        assert retried.headers["location"] == f"/console/threads/pg-poison/runs/{poison}"
        assert joined(pg_server.url, "pg-poison", poison)["log"] == ["noted", "done"]
        again = client.post(f"/console/runs/{poison}/retry", data={"csrf_token": csrf(page.text)})
        assert again.status_code == 303
        notice = client.get(again.headers["location"]).text
        assert "is success, not dead" in notice
