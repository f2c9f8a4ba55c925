"""The domain API under /api/v1 on a real HIGH-risk interrupt from the CEO pipeline: approvals
(approve, reject, modify, 409s, filters, pages, expiry), CEO goals and dashboard, agents, audit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from host.approvals import sweeping
from host.runtime import Runtime
from storage import ApprovalRecord
from storage.schema import approvals
from storage.urls import normalize_url, sqlite_url
from tests.api.auth_support import headers, interrupted_thread, shopify_writes
from tests.api.server_support import LiveServer
from tests.integration.pipeline_support import shop
from tools.sandbox import SandboxServer

VIEWER = headers("viewer")
APPROVER = headers("approver")


async def join(http: httpx.AsyncClient, accepted: dict[str, Any]) -> Any:
    """Wait for the run a decision started, as a client would."""
    joined = await http.get(
        f"/threads/{accepted['thread_id']}/runs/{accepted['run_id']}/join", headers=VIEWER
    )
    assert joined.status_code == 200, joined.text
    return joined.json()


async def approval(http: httpx.AsyncClient, approval_id: str) -> dict[str, Any]:
    found = await http.get(f"/api/v1/approvals/{approval_id}", headers=VIEWER)
    assert found.status_code == 200, found.text
    result: dict[str, Any] = found.json()
    return result


async def test_approve_publishes_and_a_second_decision_is_409(
    http: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    thread_id, pending = await interrupted_thread(http)
    assert (pending["risk_level"], pending["cluster"]) == ("HIGH", "product")
    accepted = await http.post(
        f"/api/v1/approvals/{pending['id']}/approve",
        json={"notes": "good margin", "decided_by": "mallory"},
        headers=APPROVER,
    )
    assert accepted.status_code == 422  # unknown fields are refused, identity is not a field
    accepted = await http.post(
        f"/api/v1/approvals/{pending['id']}/approve",
        json={"notes": "good margin"},
        headers=APPROVER,
    )
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert (body["decision"], body["decided_by"], body["thread_id"]) == (
        "approve",
        "key:alice",
        thread_id,
    )
    again = await http.post(f"/api/v1/approvals/{pending['id']}/approve", headers=APPROVER)
    assert again.status_code == 409  # the thread is being resumed, or already decided
    result = await join(http, body)
    assert "Published **Smart Jump Rope" in result["messages"][-1]["content"]
    handle = pending["request"]["args"]["handle"]
    product = shop(sandbox).store.product_by_handle(handle)
    assert product is not None
    assert shop(sandbox).store.published_publications(product.id) == ["Online Store"]
    assert shopify_writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    decided = await approval(http, pending["id"])
    assert (decided["status"], decided["decided_by"], decided["notes"]) == (
        "APPROVED",
        "key:alice",
        "good margin",
    )
    for action in ("approve", "reject"):
        late = await http.post(
            f"/api/v1/approvals/{pending['id']}/{action}",
            json={"reason": "too late"} if action == "reject" else None,
            headers=APPROVER,
        )
        assert late.status_code == 409
        assert "APPROVED by key:alice" in late.json()["detail"]
    decisions = await http.get("/api/v1/ceo/decisions", headers=VIEWER)
    (entry,) = decisions.json()
    assert (entry["actor"], entry["payload"]["decision"]) == ("key:alice", "approve")


async def test_reject_needs_a_reason_and_executes_nothing(
    http: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    _, pending = await interrupted_thread(http)
    url = f"/api/v1/approvals/{pending['id']}/reject"
    for body in (None, {}, {"reason": "   "}):
        refused = await http.post(url, json=body, headers=APPROVER)
        assert refused.status_code == 422, body
    accepted = await http.post(url, json={"reason": "supplier too new"}, headers=APPROVER)
    assert accepted.status_code == 202
    result = await join(http, accepted.json())
    assert "supplier too new" in result["messages"][-1]["content"]
    assert shopify_writes(sandbox) == {}
    decided = await approval(http, pending["id"])
    assert (decided["status"], decided["notes"]) == ("REJECTED", "supplier too new")


async def test_modify_validates_edits_then_publishes_them(
    http: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    _, pending = await interrupted_thread(http)
    url = f"/api/v1/approvals/{pending['id']}/modify"
    unknown = await http.post(url, json={"args": {"colour": "red"}}, headers=APPROVER)
    assert unknown.status_code == 422
    assert "colour" in unknown.json()["detail"]
    invalid = await http.post(url, json={"args": {"price": "free"}}, headers=APPROVER)
    assert invalid.status_code == 422
    assert "price" in invalid.json()["detail"]
    assert (await approval(http, pending["id"]))["status"] == "PENDING"
    accepted = await http.post(url, json={"args": {"price": "9.99"}}, headers=APPROVER)
    assert accepted.status_code == 202, accepted.text
    await join(http, accepted.json())
    product = shop(sandbox).store.product_by_handle(pending["request"]["args"]["handle"])
    assert product is not None
    assert product.variants[0].price == Decimal("9.99")
    decided = await approval(http, pending["id"])
    assert (decided["decision"], decided["decided_by"]) == ("modify", "key:alice")
    assert decided["modified_args"]["price"] == "9.99"


async def test_unknown_approval_is_404_and_viewers_cannot_decide(http: httpx.AsyncClient) -> None:
    missing = await http.post("/api/v1/approvals/nope/approve", headers=APPROVER)
    assert missing.status_code == 404
    assert (await http.get("/api/v1/approvals/nope", headers=VIEWER)).status_code == 404
    assert (await http.post("/api/v1/approvals/nope/approve", headers=VIEWER)).status_code == 403


async def _overdue(secured: LiveServer, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Move every deadline into the past, as if the approvers had let them lapse."""
    if request.node.callspec.params["secured"] == "postgres":
        url = normalize_url(request.getfixturevalue("postgres_url"))
    else:
        url = sqlite_url(tmp_path / "data" / "royal.sqlite3")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            past = datetime.now(UTC) - timedelta(minutes=1)
            await connection.execute(update(approvals).values(deadline=past))
    finally:
        await engine.dispose()


async def test_expired_approvals_are_swept_down_the_reject_path(
    secured: LiveServer,
    http: httpx.AsyncClient,
    sandbox: SandboxServer,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    thread_id, pending = await interrupted_thread(http)
    await _overdue(secured, tmp_path, request)
    late = await http.post(f"/api/v1/approvals/{pending['id']}/approve", headers=APPROVER)
    assert late.status_code == 409
    assert "expired" in late.json()["detail"]
    assert (await http.post("/api/v1/approvals/sweep", headers=APPROVER)).status_code == 403
    swept = await http.post("/api/v1/approvals/sweep", headers=headers("admin"))
    (expired,) = swept.json()
    assert expired["approval"]["id"] == pending["id"]
    await join(http, {"thread_id": thread_id, "run_id": expired["run_id"]})
    assert shopify_writes(sandbox) == {}
    decided = await approval(http, pending["id"])
    assert (decided["status"], decided["decided_by"]) == ("EXPIRED", "system")
    thread = (await http.get(f"/threads/{thread_id}", headers=VIEWER)).json()
    assert thread["status"] == "idle"
    assert (await http.post("/api/v1/approvals/sweep", headers=headers("admin"))).json() == []


async def test_approval_filters_and_pages(http: httpx.AsyncClient) -> None:
    ids = [(await interrupted_thread(http))[1]["id"] for _ in range(3)]
    first = await http.get("/api/v1/approvals", params={"limit": 2}, headers=VIEWER)
    assert first.headers["x-pagination-total"] == "3"
    assert first.headers["x-pagination-next"] == "2"
    rest = await http.get("/api/v1/approvals", params={"limit": 2, "offset": 2}, headers=VIEWER)
    assert "x-pagination-next" not in rest.headers
    assert sorted(a["id"] for a in first.json() + rest.json()) == sorted(ids)
    for params, total in (
        ({"status": "PENDING", "risk": "HIGH", "cluster": "product"}, 3),
        ({"risk": "low"}, 0),
        ({"cluster": "marketing"}, 0),
        ({"status": "APPROVED"}, 0),
    ):
        page = await http.get("/api/v1/approvals", params=params, headers=VIEWER)
        assert page.status_code == 200, page.text
        assert (page.headers["x-pagination-total"], len(page.json())) == (str(total), total)
    bad_params: list[dict[str, Any]] = [
        {"status": "MAYBE"},
        {"limit": 0},
        {"offset": -1},
        {"offset": 10**20},  # past what SQLite's integers hold: a 422, never a 500
        {"risk": "EXTREME"},
    ]
    for bad in bad_params:
        assert (await http.get("/api/v1/approvals", params=bad, headers=VIEWER)).status_code == 422


async def test_ceo_goal_dashboard_agents_and_audit(http: httpx.AsyncClient) -> None:
    operator = headers("operator")
    assert (
        await http.post("/api/v1/ceo/goals", json={"text": "x"}, headers=VIEWER)
    ).status_code == 403
    assert (
        await http.post("/api/v1/ceo/goals", json={"text": " "}, headers=operator)
    ).status_code == 422
    started = await http.post(
        "/api/v1/ceo/goals", json={"text": "Publish a smart jump rope"}, headers=operator
    )
    assert started.status_code == 202, started.text
    paused = await join(http, started.json())
    assert paused["__interrupt__"][0]["value"]["risk_level"] == "HIGH"
    thread_id = started.json()["thread_id"]

    goals = await http.get("/api/v1/ceo/goals", params={"status": "active"}, headers=VIEWER)
    assert goals.headers["x-pagination-total"] == "1"
    assert goals.json()[0]["thread_id"] == thread_id

    dashboard = (await http.get("/api/v1/ceo/dashboard", headers=VIEWER)).json()
    assert dashboard["pending_approvals"]["count"] == 1
    assert dashboard["pending_approvals"]["oldest_age_seconds"] >= 0
    assert dashboard["runs_today"]["by_status"] == {"interrupted": 1}
    assert dashboard["active_goals"] == 1

    agents = {a["id"]: a for a in (await http.get("/api/v1/agents", headers=VIEWER)).json()}
    assert set(agents) == {"catalog", "ceo", "customer_service", "finance", "marketing", "product"}
    assert agents["ceo"]["kind"] == "orchestrator"
    assert agents["ceo"]["served"]
    assert agents["ceo"]["metrics"]["runs"] == 1
    assert agents["product"]["status"] == "awaiting_approval"
    assert agents["product"]["metrics"]["pending_approvals"] == 1
    assert agents["product"]["metrics"]["last_activity_at"] is not None
    status = (await http.get("/api/v1/clusters/product/status", headers=VIEWER)).json()
    assert (status["status"], status["pending_approvals"]) == ("awaiting_approval", 1)
    metrics = await http.get("/api/v1/clusters/product/metrics", headers=VIEWER)
    assert metrics.json()["actions_executed"] == 0
    assert (await http.get("/api/v1/clusters/nope/status", headers=VIEWER)).status_code == 404
    assert (await http.get("/api/v1/agents/nope", headers=VIEWER)).status_code == 404

    audit = await http.get(
        "/api/v1/audit", params={"thread_id": thread_id, "limit": 1}, headers=VIEWER
    )
    total = int(audit.headers["x-pagination-total"])
    assert total > 1
    assert len(audit.json()) == 1
    requested = await http.get(
        "/api/v1/audit",
        params={"event": ["approval.requested", "approval.decided"], "cluster": "product"},
        headers=VIEWER,
    )
    assert [e["event"] for e in requested.json()] == ["approval.requested"]
    assert (await http.get("/api/v1/audit", headers={})).status_code == 401
    bad_time = await http.get("/api/v1/audit", params={"since": "yesterday"}, headers=VIEWER)
    assert bad_time.status_code == 422


async def test_the_api_sweeps_on_its_own_until_it_stops() -> None:
    """The background loop sweeps repeatedly; a failing sweep does not stop it."""
    calls: list[datetime | None] = []
    swept_twice = asyncio.Event()

    async def expire_due(now: datetime | None = None) -> list[ApprovalRecord]:
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        swept_twice.set()
        return []

    runtime = SimpleNamespace(
        services=SimpleNamespace(approvals=SimpleNamespace(expire_due=expire_due)),
        settings=SimpleNamespace(royal_approval_sweep_seconds=0.01),
    )
    async with sweeping(cast(Runtime, runtime)):
        await asyncio.wait_for(swept_twice.wait(), timeout=30)
    assert set(calls) == {None}  # "now" is always the repository clock's
