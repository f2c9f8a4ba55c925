"""A live API that requires credentials: one API key per role, and a JWT secret."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from policies import Role
from server.api.auth import mint_token
from settings import Settings
from tests.api.server_support import LiveServer, live_server
from tools.sandbox import SandboxServer

JWT_SECRET = "test-jwt-secret-that-is-long-enough-for-hs256"
KEYS = {
    "viewer": "vera-viewer-key-0123456789abcdef",
    "operator": "otto-operator-key-0123456789abcdef",
    "approver": "alice-approver-key-0123456789abcdef",
    "admin": "root-admin-key-0123456789abcdef",
}
NAMES = {"viewer": "vera", "operator": "otto", "approver": "alice", "admin": "root"}
ROPE: dict[str, Any] = {"messages": [{"role": "human", "content": "Publish a smart jump rope"}]}


def secured_settings(
    sandbox: SandboxServer, data_dir: Path, database_url: str | None = None
) -> Settings:
    keys = ",".join(f"{NAMES[role]}:{role}:{key}" for role, key in KEYS.items())
    return Settings(
        royal_data_dir=data_dir,
        royal_sandbox_host=sandbox.host,
        royal_sandbox_port=sandbox.port,
        database_url=database_url,
        royal_api_keys=SecretStr(keys),
        jwt_secret=SecretStr(JWT_SECRET),
    )


def headers(role: str) -> dict[str, str]:
    return {"x-api-key": KEYS[role]}


def bearer(subject: str, role: Role, ttl: timedelta = timedelta(hours=1)) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {mint_token(JWT_SECRET, subject=subject, role=role, ttl=ttl)}"
    }


def serve_secured(
    request: pytest.FixtureRequest, sandbox: SandboxServer, tmp_path: Path, backend: str
) -> Iterator[LiveServer]:
    database_url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    with live_server(secured_settings(sandbox, tmp_path / "data", database_url)) as server:
        yield server
        assert server.runtime.unexpected_errors == 0


async def interrupted_thread(http: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    """A CEO thread paused on the HIGH-risk publish of a smart jump rope, and its approval."""
    thread = (await http.post("/threads", json={}, headers=headers("operator"))).json()
    thread_id = thread["thread_id"]
    paused = await http.post(
        f"/threads/{thread_id}/runs/wait",
        json={"assistant_id": "ceo", "input": ROPE},
        headers=headers("operator"),
    )
    assert paused.status_code == 200, paused.text
    assert paused.json()["__interrupt__"][0]["value"]["risk_level"] == "HIGH"
    listed = await http.get(
        "/api/v1/approvals",
        params={"status": "PENDING", "thread_id": thread_id},
        headers=headers("viewer"),
    )
    (approval,) = listed.json()
    return thread_id, approval


def shopify_writes(sandbox: SandboxServer) -> dict[str, int]:
    counts = sandbox.sandbox.ledger.counts()
    return {key: value for key, value in counts.items() if key.startswith("shopify.")}
