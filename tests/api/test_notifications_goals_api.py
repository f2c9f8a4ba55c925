"""What the dashboard counts, through /api/v1 on real CEO runs: MEDIUM-risk actions notify and
each identity reads them for itself (audited); a goal is active while its approval waits, done
when the turn ends with every task done, abandoned when it ends short; runs today come from
the runs table."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.auth_support import headers, interrupted_thread

VIEWER = headers("viewer")
OPERATOR = headers("operator")
APPROVER = headers("approver")
MUG: dict[str, Any] = {
    "messages": [{"role": "human", "content": "Find and publish a white glossy mug"}]
}


async def _publish_mug(http: httpx.AsyncClient) -> str:
    """A CEO turn whose publish is MEDIUM risk: it executes without waiting, and notifies."""
    thread_id = (await http.post("/threads", json={}, headers=OPERATOR)).json()["thread_id"]
    done = await http.post(
        f"/threads/{thread_id}/runs/wait",
        json={"assistant_id": "ceo", "input": MUG},
        headers=OPERATOR,
    )
    assert done.status_code == 200, done.text
    assert "__interrupt__" not in done.json()
    assert "Published" in done.json()["messages"][-1]["content"]
    return str(thread_id)


async def _goal_of(http: httpx.AsyncClient, thread_id: str) -> dict[str, Any]:
    found = await http.get("/api/v1/ceo/goals", params={"thread_id": thread_id}, headers=VIEWER)
    (goal,) = found.json()
    return dict(goal)


async def _decide(http: httpx.AsyncClient, approval_id: str, decision: str, **body: Any) -> None:
    accepted = await http.post(
        f"/api/v1/approvals/{approval_id}/{decision}", json=body, headers=APPROVER
    )
    assert accepted.status_code == 202, accepted.text
    run = accepted.json()
    joined = await http.get(
        f"/threads/{run['thread_id']}/runs/{run['run_id']}/join", headers=VIEWER
    )
    assert joined.status_code == 200, joined.text


async def test_medium_actions_notify_and_each_reader_marks_their_own(
    http: httpx.AsyncClient,
) -> None:
    thread_id = await _publish_mug(http)

    listed = await http.get("/api/v1/notifications", headers=VIEWER)
    assert listed.status_code == 200, listed.text
    (notice,) = listed.json()
    assert (notice["risk_level"], notice["cluster"], notice["thread_id"]) == (
        "MEDIUM",
        "product",
        thread_id,
    )
    assert "White Glossy Mug" in notice["title"]
    assert notice["read_at"] is None
    assert (listed.headers["x-pagination-total"], listed.headers["x-unread-count"]) == ("1", "1")
    for role in ("viewer", "approver"):
        count = await http.get("/api/v1/notifications/unread_count", headers=headers(role))
        assert count.json() == {"unread": 1}

    read = await http.post(f"/api/v1/notifications/{notice['id']}/read", headers=VIEWER)
    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None
    again = await http.post(f"/api/v1/notifications/{notice['id']}/read", headers=VIEWER)
    assert again.json()["read_at"] == read.json()["read_at"]  # the first read time is kept

    # Vera's mark is hers: Alice (approver) still has it unread until she marks all.
    unread = await http.get("/api/v1/notifications/unread_count", headers=VIEWER)
    assert unread.json() == {"unread": 0}
    assert (
        await http.get("/api/v1/notifications", params={"unread_only": True}, headers=VIEWER)
    ).json() == []
    alice = await http.get("/api/v1/notifications", params={"unread_only": True}, headers=APPROVER)
    assert [n["id"] for n in alice.json()] == [notice["id"]]
    marked = await http.post("/api/v1/notifications/read", json={"all": True}, headers=APPROVER)
    assert marked.json() == {"marked": [notice["id"]], "unread": 0}
    assert (
        await http.post("/api/v1/notifications/read", json={"all": True}, headers=APPROVER)
    ).json() == {
        "marked": [],
        "unread": 0,
    }

    # Each change of state is in the audit log, once, with who read what.
    audit = await http.get("/api/v1/audit", params={"event": "notifications.read"}, headers=VIEWER)
    entries = sorted(audit.json(), key=lambda e: e["actor"])
    assert [
        (e["actor"], e["payload"]["notification_ids"], e["payload"]["all"]) for e in entries
    ] == [
        ("key:alice", [notice["id"]], True),
        ("key:vera", [notice["id"]], False),
    ]

    # Refusals: unknown ids mark nothing, a request must name ids or all, and who you are counts.
    missing = await http.post(
        "/api/v1/notifications/read",
        json={"ids": [notice["id"], "3f1c1f8e-0000-4000-8000-000000000000"]},
        headers=OPERATOR,
    )
    assert missing.status_code == 404
    assert (await http.get("/api/v1/notifications/unread_count", headers=OPERATOR)).json() == {
        "unread": 1
    }
    refusals: list[dict[str, Any]] = [
        {},
        {"ids": [notice["id"]], "all": True},
        {"ids": []},
        {"all": False},
    ]
    for bad in refusals:
        refused = await http.post("/api/v1/notifications/read", json=bad, headers=OPERATOR)
        assert refused.status_code == 422, bad
    assert (await http.post("/api/v1/notifications/nope/read", headers=OPERATOR)).status_code == 404
    assert (await http.get("/api/v1/notifications")).status_code == 401

    # The goal of that turn is done: its one task published everything it set out to.
    goal = await _goal_of(http, thread_id)
    assert goal["status"] == "done"
    dashboard = (await http.get("/api/v1/ceo/dashboard", headers=VIEWER)).json()
    assert dashboard["active_goals"] == 0
    assert dashboard["runs_today"]["by_status"] == {"success": 1}


async def test_a_goal_stays_active_while_its_approval_waits_then_follows_the_decision(
    http: httpx.AsyncClient,
) -> None:
    approved_thread, approved = await interrupted_thread(http)
    rejected_thread, rejected = await interrupted_thread(http)
    for thread_id in (approved_thread, rejected_thread):
        assert (await _goal_of(http, thread_id))["status"] == "active"
    dashboard = (await http.get("/api/v1/ceo/dashboard", headers=VIEWER)).json()
    assert dashboard["active_goals"] == 2
    assert dashboard["runs_today"] == {
        "since": dashboard["runs_today"]["since"],
        "by_status": {"interrupted": 2},
        "total": 2,
    }

    await _decide(http, approved["id"], "approve", notes="fine")
    await _decide(http, rejected["id"], "reject", reason="not our brand")
    assert (await _goal_of(http, approved_thread))["status"] == "done"
    assert (await _goal_of(http, rejected_thread))["status"] == "abandoned"
    dashboard = (await http.get("/api/v1/ceo/dashboard", headers=VIEWER)).json()
    assert dashboard["active_goals"] == 0
    # A run's status is how it ended: the two first stopped at their interrupts, the two that
    # carried the decisions finished.
    assert dashboard["runs_today"]["by_status"] == {"interrupted": 2, "success": 2}
    active = await http.get("/api/v1/ceo/goals", params={"status": "active"}, headers=VIEWER)
    assert active.json() == []
