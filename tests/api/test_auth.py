"""Authentication and authorisation of the HTTP API: API keys, bearer tokens, roles, the
identity recorded on decisions, and the start-up refusal without credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from langgraph_sdk import get_client
from pydantic import SecretStr
from typer.testing import CliRunner

from policies import Role
from server.api.auth import mint_token, route_role, startup_problem
from server.cli import app as cli
from settings import Environment, Settings
from tests.api.auth_support import (
    JWT_SECRET,
    KEYS,
    bearer,
    headers,
    interrupted_thread,
    serve_secured,
    shopify_writes,
)
from tests.api.server_support import LiveServer
from tools.sandbox import SandboxServer


@pytest.fixture
def secured(
    request: pytest.FixtureRequest, sandbox: SandboxServer, tmp_path: Path
) -> Iterator[LiveServer]:
    yield from serve_secured(request, sandbox, tmp_path, "sqlite")


@pytest.fixture
async def http(secured: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=secured.url, timeout=60) as client:
        yield client


async def test_no_or_wrong_credentials_are_401_and_probes_stay_public(
    http: httpx.AsyncClient,
) -> None:
    for method, path in (("GET", "/assistants/ceo"), ("POST", "/threads/search")):
        missing = await http.request(method, path, json={})
        assert missing.status_code == 401
        assert "credentials" in missing.json()["detail"]
        assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = await http.get("/assistants/ceo", headers={"x-api-key": KEYS["admin"] + "x"})
    assert (wrong.status_code, wrong.json()["detail"]) == (401, "invalid API key")
    assert (await http.get("/api/v1/approvals")).status_code == 401
    assert (await http.get("/ok")).status_code == 200
    assert (await http.get("/info")).status_code == 200


async def test_roles_are_enforced_per_route(http: httpx.AsyncClient) -> None:
    viewer = headers("viewer")
    assert (await http.post("/threads/search", json={}, headers=viewer)).status_code == 200
    refused = await http.post("/threads", json={}, headers=viewer)
    assert refused.status_code == 403
    assert "vera" in refused.json()["detail"]
    created = await http.post("/threads", json={}, headers=headers("operator"))
    assert created.status_code == 200
    thread_id = created.json()["thread_id"]
    deleting = await http.delete(f"/threads/{thread_id}", headers=headers("operator"))
    assert deleting.status_code == 403  # destructive: admins only
    assert (await http.get(f"/threads/{thread_id}", headers=viewer)).status_code == 200
    deleted = await http.delete(f"/threads/{thread_id}", headers=headers("admin"))
    assert deleted.status_code == 204


async def test_bearer_tokens_valid_expired_forged(
    secured: LiveServer, http: httpx.AsyncClient
) -> None:
    ok = await http.get("/assistants/ceo", headers=bearer("ada", Role.VIEWER))
    assert ok.status_code == 200
    expired = await http.get(
        "/assistants/ceo", headers=bearer("ada", Role.ADMIN, ttl=timedelta(seconds=-5))
    )
    assert expired.status_code == 401
    assert expired.json()["detail"] == "token expired"
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    forged_token = mint_token(
        "another-secret-of-sufficient-length-000",
        subject="ada",
        role=Role.ADMIN,
        ttl=timedelta(hours=1),
    )
    forged = await http.get("/assistants/ceo", headers={"Authorization": f"Bearer {forged_token}"})
    assert (forged.status_code, forged.json()["detail"]) == (401, "invalid token")
    impostor = await http.get("/assistants/ceo", headers=bearer("system", Role.ADMIN))
    assert impostor.status_code == 401  # the sweep's identity cannot be claimed
    no_role = jwt.encode({"sub": "ada", "exp": 4102444800}, JWT_SECRET, algorithm="HS256")
    missing = await http.get("/assistants/ceo", headers={"Authorization": f"Bearer {no_role}"})
    assert missing.status_code == 401
    # The official SDK sends its api_key as x-api-key.
    client = get_client(url=secured.url, api_key=KEYS["viewer"])
    try:
        assert (await client.assistants.get("ceo"))["graph_id"] == "ceo"
    finally:
        await client.http.client.aclose()


async def test_forged_resume_through_the_runs_route_is_403(
    http: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    thread_id, approval = await interrupted_thread(http)
    resume = {"command": {"resume": {"decision": "approve", "decided_by": "alice"}}}
    for role in ("viewer", "operator"):
        refused = await http.post(
            f"/threads/{thread_id}/runs/wait",
            json={"assistant_id": "ceo", **resume},
            headers=headers(role),
        )
        assert refused.status_code == 403, refused.text
    inbox = {"command": {"resume": {approval["interrupt_id"]: [{"type": "accept"}]}}}
    by_id = await http.post(
        f"/threads/{thread_id}/runs",
        json={"assistant_id": "ceo", **inbox},
        headers=headers("operator"),
    )
    assert by_id.status_code == 403
    still = await http.get(f"/api/v1/approvals/{approval['id']}", headers=headers("viewer"))
    assert still.json()["status"] == "PENDING"
    assert shopify_writes(sandbox) == {}
    # Viewers cannot decide through the domain API either.
    denied = await http.post(
        f"/api/v1/approvals/{approval['id']}/approve", headers=headers("viewer")
    )
    assert denied.status_code == 403


@pytest.mark.parametrize(
    ("credential", "resume", "identity"),
    [
        pytest.param(
            "key",
            {"decision": "approve", "decided_by": "mallory"},
            "key:alice",
            id="ours-by-api-key",
        ),
        pytest.param("jwt", [{"type": "accept", "args": None}], "ada", id="agent-inbox-by-jwt"),
        pytest.param(
            "jwt",
            {"decisions": [{"type": "approve"}], "decided_by": "mallory"},
            "ada",
            id="hitl-by-jwt",
        ),
    ],
)
async def test_a_decision_records_the_credentials_identity(
    http: httpx.AsyncClient,
    sandbox: SandboxServer,
    credential: str,
    resume: object,
    identity: str,
) -> None:
    thread_id, approval = await interrupted_thread(http)
    who = headers("approver") if credential == "key" else bearer("ada", Role.APPROVER)
    done = await http.post(
        f"/threads/{thread_id}/runs/wait",
        json={"assistant_id": "ceo", "command": {"resume": resume}},
        headers=who,
    )
    assert done.status_code == 200, done.text
    assert "Published **Smart Jump Rope" in done.json()["messages"][-1]["content"]
    assert shopify_writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    record = (
        await http.get(f"/api/v1/approvals/{approval['id']}", headers=headers("viewer"))
    ).json()
    assert (record["status"], record["decided_by"]) == ("APPROVED", identity)
    audit = await http.get(
        "/api/v1/audit",
        params={"thread_id": thread_id, "event": "approval.decided"},
        headers=headers("viewer"),
    )
    (entry,) = audit.json()
    assert (entry["actor"], entry["actor_kind"]) == (identity, "human")


async def test_invalid_decisions_are_422_and_expire_is_the_sweepers(
    http: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    thread_id, approval = await interrupted_thread(http)
    for resume in (
        {"decision": "expire"},  # would skip the gate's decision if a client could send it
        {"decision": "launch"},
        {"decision": "modify", "args": {"price": "free"}},
    ):
        refused = await http.post(
            f"/threads/{thread_id}/runs",
            json={"assistant_id": "ceo", "command": {"resume": resume}},
            headers=headers("approver"),
        )
        assert refused.status_code == 422, (resume, refused.text)
    skip = await http.post(
        f"/threads/{thread_id}/runs",
        json={"assistant_id": "ceo", "command": {"goto": "respond"}},
        headers=headers("operator"),
    )
    assert skip.status_code == 403  # moving past a pending approval is deciding it
    record = (
        await http.get(f"/api/v1/approvals/{approval['id']}", headers=headers("viewer"))
    ).json()
    assert record["status"] == "PENDING"
    assert shopify_writes(sandbox) == {}


def test_route_roles() -> None:
    assert route_role("GET", "/ok") is None
    assert route_role("GET", "/threads/{thread_id}") is Role.VIEWER
    assert route_role("POST", "/threads/{thread_id}/history") is Role.VIEWER
    assert route_role("POST", "/threads/{thread_id}/runs") is Role.OPERATOR
    assert route_role("POST", "/threads/{thread_id}/state") is Role.ADMIN
    assert route_role("DELETE", "/threads/{thread_id}") is Role.ADMIN


def test_startup_refuses_without_credentials_off_loopback_or_in_production(
    tmp_path: Path,
) -> None:
    open_dev = Settings(royal_data_dir=tmp_path)
    assert startup_problem(open_dev, "127.0.0.1") is None
    assert startup_problem(open_dev, "::1") is None
    refusal = startup_problem(open_dev, "0.0.0.0")
    assert refusal is not None
    assert "without credentials" in refusal
    # Production settings normally fail earlier (JWT_SECRET is a required secret); the server's
    # own check holds even for settings built around that validation.
    production = Settings.model_construct(royal_env=Environment.PRODUCTION, jwt_secret=None)
    message = startup_problem(production, "127.0.0.1")
    assert message is not None
    assert message.startswith("ROYAL_ENV=production")
    keyed = Settings(
        royal_data_dir=tmp_path, royal_api_keys=SecretStr(f"ops:admin:{KEYS['admin']}")
    )
    assert startup_problem(keyed, "0.0.0.0") is None
    short = Settings(royal_data_dir=tmp_path, jwt_secret=SecretStr("too-short"))
    assert "32 bytes" in (startup_problem(short, "127.0.0.1") or "")


def test_royal_serve_refuses_a_public_host_without_credentials() -> None:
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "without credentials" in result.output


def test_royal_serve_refuses_production_without_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROYAL_ENV", "production")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "JWT_SECRET" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_api_key_settings_are_refused_without_echoing_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROYAL_API_KEYS", "ops:boss:short-secret-value")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "ROYAL_API_KEYS" in result.output
    assert "short-secret-value" not in result.output


def test_royal_token_mints_a_verifiable_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    result = CliRunner().invoke(
        cli, ["token", "--subject", "alice", "--role", "approver", "--ttl", "8h"]
    )
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), JWT_SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["role"]) == ("alice", "approver")
    assert claims["exp"] - claims["iat"] == 8 * 3600
    refused = CliRunner().invoke(cli, ["token", "--subject", "a", "--role", "boss"])
    assert refused.exit_code == 2


async def test_non_admin_commands_are_not_queued_behind_a_running_run(
    http: httpx.AsyncClient,
) -> None:
    thread_id = (await http.post("/threads", json={}, headers=headers("operator"))).json()[
        "thread_id"
    ]
    later = await http.post(
        f"/threads/{thread_id}/runs",
        json={"assistant_id": "ceo", "input": {"messages": []}, "after_seconds": 3600},
        headers=headers("operator"),
    )
    assert later.status_code == 200, later.text
    # What a queued resume would answer is unknown until that run stops: refuse, don't queue.
    queued = await http.post(
        f"/threads/{thread_id}/runs",
        json={"assistant_id": "ceo", "command": {"resume": {"decision": "approve"}}},
        headers=headers("approver"),
    )
    assert queued.status_code == 409
    cancel = await http.post(
        f"/threads/{thread_id}/runs/{later.json()['run_id']}/cancel", headers=headers("operator")
    )
    assert cancel.status_code == 202
