"""Bad requests get a clear 4xx with a JSON ``detail`` and never reach the 500 handler (the
``api`` fixture asserts the server counted no unexpected error)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.api.server_support import LiveServer


@pytest.fixture
async def http(api: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.url) as client:
        yield client


CASES: list[tuple[str, str, object, int]] = [
    ("POST", "/threads", "{not json", 422),
    ("POST", "/threads", {"metadata": "not a dict"}, 422),
    ("POST", "/threads/search", {"limit": "ten"}, 422),
    ("POST", "/threads/search", {"status": "sleeping"}, 422),
    ("GET", "/threads/nope", None, 404),
    ("GET", "/threads/nope/state", None, 404),
    ("POST", "/threads/nope/history", {}, 404),
    ("GET", "/threads/nope/history?limit=0", None, 422),
    ("PATCH", "/threads/nope", {"metadata": {}}, 404),
    ("DELETE", "/threads/nope", None, 404),
    ("GET", "/assistants/nope", None, 404),
    ("GET", "/assistants/nope/graph", None, 404),
    ("POST", "/runs/wait", {"assistant_id": "nope"}, 404),
    ("POST", "/runs/wait", {}, 422),
    ("POST", "/runs/wait", {"assistant_id": 42}, 422),
    (
        "POST",
        "/runs/wait",
        {"assistant_id": "ceo", "input": {"x": 1}, "command": {"resume": 1}},
        422,
    ),
    ("POST", "/runs/wait", {"assistant_id": "ceo", "command": {}}, 422),
    ("POST", "/runs/wait", {"assistant_id": "ceo", "stream_mode": "everything"}, 422),
    ("POST", "/runs/wait", {"assistant_id": "ceo", "context": {"unknown": 1}}, 422),
    ("POST", "/runs/wait", {"assistant_id": "ceo", "context": {"kill_switch": "yes"}}, 422),
    ("POST", "/runs/wait", {"assistant_id": "ceo", "config": {"recursion_limit": -1}}, 422),
    ("POST", "/threads/nope/runs", {"assistant_id": "ceo"}, 404),
    ("POST", "/threads/nope/runs/stream", {"assistant_id": "ceo"}, 404),
    ("GET", "/threads/nope/runs", None, 404),
    ("GET", "/threads/nope/runs/nope", None, 404),
    ("GET", "/threads/nope/runs/nope/join", None, 404),
    ("POST", "/threads/nope/runs/nope/cancel", None, 404),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), CASES)
async def test_bad_request_is_a_4xx_with_detail(
    http: httpx.AsyncClient, method: str, path: str, body: object, status: int
) -> None:
    if isinstance(body, str):
        response = await http.request(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )
    else:
        response = await http.request(method, path, json=body)
    assert response.status_code == status, response.text
    assert "detail" in response.json()


async def test_existing_thread_conflicts_and_oversized_bodies(http: httpx.AsyncClient) -> None:
    assert (await http.post("/threads", json={"thread_id": "t1"})).status_code == 200
    duplicate = await http.post("/threads", json={"thread_id": "t1"})
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.json()["detail"]
    huge = await http.post("/threads", content=b"x" * (11 * 1024 * 1024))
    assert huge.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(11):
            yield b"x" * (1024 * 1024)

    chunked = await http.post("/threads", content=chunks())
    assert chunked.status_code == 413
    assert "detail" in chunked.json()
    unknown_run = await http.get("/threads/t1/runs/00000000-0000-0000-0000-000000000000")
    assert unknown_run.status_code == 404


async def test_ok_info_and_cors_exposes_the_sdk_headers(http: httpx.AsyncClient) -> None:
    assert (await http.get("/ok")).json() == {"ok": True}
    info = (await http.get("/info")).json()
    assert info["flags"]["assistants"] is True
    preflight = await http.options(
        "/threads/search",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    response = await http.post(
        "/threads/search", json={}, headers={"Origin": "http://localhost:3000"}
    )
    exposed = response.headers["access-control-expose-headers"].lower()
    for header in ("content-location", "location", "x-pagination-total", "x-pagination-next"):
        assert header in exposed
