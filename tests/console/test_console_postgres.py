"""The console's database paths on real PostgreSQL, over HTTP without a browser: sign-in,
deciding a real approval, the run's event stream and the live feed's polling queries."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage import Database
from storage.users import UserRepository
from tests.api.server_support import LiveServer, live_server, sandboxed_settings
from tools.sandbox import SandboxServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def server(
    sandbox: SandboxServer, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    settings = sandboxed_settings(monkeypatch, sandbox, tmp_path / "data", postgres_url)
    with live_server(settings) as running:

        async def add_user() -> None:
            async with Database(postgres_url) as database:
                await UserRepository(database).add("ada", role="approver", password="approver-pass")

        asyncio.run(add_user())
        yield running
        assert running.runtime.unexpected_errors == 0


def events(
    client: httpx.Client, path: str, *, until: str, limit: int = 2000
) -> list[tuple[str, dict[str, object]]]:
    """SSE events of ``path`` up to and including the first ``until`` event."""
    found: list[tuple[str, dict[str, object]]] = []
    name = ""
    with client.stream("GET", path, timeout=60) as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                found.append((name, json.loads(line[len("data: ") :])))
                if name == until or len(found) >= limit:
                    break
    return found


def test_deciding_streams_the_run_and_the_feed_sees_it(server: LiveServer) -> None:
    body = {
        "assistant_id": "ceo",
        "input": {"messages": [{"role": "human", "content": "Publish a smart jump rope"}]},
        "if_not_exists": "create",
    }
    waited = httpx.post(f"{server.url}/threads/pg-rope/runs/wait", json=body, timeout=120).json()
    approval_id = waited["__interrupt__"][0]["value"]["approval_id"]

    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        form = client.get("/console/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        signed = client.post(
            "/console/login",
            data={"username": "ada", "password": "approver-pass", "csrf_token": token.group(1)},
        )
        assert signed.status_code == 303
        page = client.get(f"/console/approvals/{approval_id}")
        assert page.status_code == 200
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        decided = client.post(
            f"/console/approvals/{approval_id}/decide",
            data={"decision": "approve", "csrf_token": csrf.group(1)},
        )
        assert decided.status_code == 303
        run_id = decided.headers["location"].rsplit("run=", 1)[1]

        run = events(client, f"/console/runs/{run_id}/stream", until="end")
        end = dict(run)["end"]
        assert end["status"] == "success"
        assert "Published" in str(end["answer"])
        audit = end["audit"]
        assert isinstance(audit, list)
        assert {"approval.decided", "action.executed"} <= {entry["event"] for entry in audit}

        feed = events(client, f"/console/feed/stream?run={run_id}", until="run", limit=50)
        assert ("run", run_id) in {(name, data.get("run_id")) for name, data in feed}
        actions = events(client, "/console/feed/stream?risk=HIGH&cluster=product", until="action")
        assert actions[0][1]["cluster"] == "product"
        assert actions[0][1]["risk_level"] == "HIGH"
