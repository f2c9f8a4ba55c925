"""Webhook ingress over real HTTP, on SQLite and Postgres: signatures checked before parsing,
one run per delivery id, nothing written for anything refused."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from server.api.routes_webhooks import (
    SANDBOX_GITHUB_WEBHOOK_SECRET,
    SANDBOX_SHOPIFY_WEBHOOK_SECRET,
    WEBHOOK_MAX_BYTES,
)
from storage import Database
from storage.runs_schema import runs, webhook_deliveries
from tests.api.server_support import LiveServer

PRODUCT = {"id": 820982911946154508, "title": "Smart jump rope", "status": "active"}
ISSUE = {
    "action": "opened",
    "issue": {"number": 7, "title": "Add a jump rope", "body": "Customers ask for one."},
    "repository": {"full_name": "royal-equips/storefront"},
}


def shopify_headers(
    body: bytes, delivery_id: str, topic: str = "products/update"
) -> dict[str, str]:
    digest = hmac.new(SANDBOX_SHOPIFY_WEBHOOK_SECRET.encode(), body, hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "x-shopify-hmac-sha256": base64.b64encode(digest).decode(),
        "x-shopify-topic": topic,
        "x-shopify-webhook-id": delivery_id,
        "x-shopify-shop-domain": "sandbox.myshopify.com",
    }


def github_headers(body: bytes, delivery_id: str, event: str = "issues") -> dict[str, str]:
    digest = hmac.new(SANDBOX_GITHUB_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {
        "content-type": "application/json",
        "x-hub-signature-256": f"sha256={digest}",
        "x-github-event": event,
        "x-github-delivery": delivery_id,
    }


async def table_counts(api: LiveServer) -> tuple[int, int]:
    """(webhook deliveries, runs) as the database holds them."""
    database = Database.from_settings(api.runtime.settings)
    async with database, database.read() as connection:
        deliveries = (
            await connection.execute(select(func.count()).select_from(webhook_deliveries))
        ).scalar_one()
        run_count = (await connection.execute(select(func.count()).select_from(runs))).scalar_one()
    return int(deliveries), int(run_count)


async def post(api: LiveServer, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        return await http.post(path, content=body, headers=headers)


async def test_shopify_delivery_starts_one_catalog_sync_run(api: LiveServer) -> None:
    body = json.dumps(PRODUCT).encode()
    first = await post(api, "/webhooks/shopify", body, shopify_headers(body, "d-1"))
    assert first.status_code == 200, first.text
    ack: dict[str, Any] = first.json()
    assert ack["status"] == "started"
    async with httpx.AsyncClient(base_url=api.url) as http:
        run = (await http.get(f"/threads/{ack['thread_id']}/runs/{ack['run_id']}")).json()
        thread = (await http.get(f"/threads/{ack['thread_id']}")).json()
    assert run["assistant_id"] == "catalog"
    task = run["kwargs"]["input"]["task"]
    assert task["cluster"] == "catalog"
    assert task["parameters"] == {
        "operation": "shopify_changed",
        "product_id": str(PRODUCT["id"]),
        "topic": "products/update",
    }
    assert thread["metadata"]["webhook_topic"] == "products/update"

    replay = await post(api, "/webhooks/shopify", body, shopify_headers(body, "d-1"))
    assert replay.status_code == 200
    assert replay.json() == {"status": "duplicate"}
    assert await table_counts(api) == (1, 1)


async def test_github_issue_starts_one_ceo_run_and_ping_is_ignored(api: LiveServer) -> None:
    body = json.dumps(ISSUE).encode()
    started = await post(api, "/webhooks/github", body, github_headers(body, "g-1"))
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "started"
    replay = await post(api, "/webhooks/github", body, github_headers(body, "g-1"))
    assert replay.json() == {"status": "duplicate"}

    ping = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
    ignored = await post(api, "/webhooks/github", ping, github_headers(ping, "g-2", "ping"))
    assert ignored.status_code == 200
    assert ignored.json()["status"] == "ignored"
    assert await table_counts(api) == (2, 1)  # the ping is recorded, it starts nothing


async def test_inventory_delivery_starts_a_product_run(api: LiveServer) -> None:
    level = {"inventory_item_id": 271878346596884015, "location_id": 24826418, "available": 2}
    body = json.dumps(level).encode()
    answer = await post(
        api, "/webhooks/shopify", body, shopify_headers(body, "d-7", "inventory_levels/update")
    )
    assert answer.json()["status"] == "started"
    async with httpx.AsyncClient(base_url=api.url) as http:
        ack = answer.json()
        run = (await http.get(f"/threads/{ack['thread_id']}/runs/{ack['run_id']}")).json()
    assert run["assistant_id"] == "product"


async def test_unknown_shopify_topic_is_recorded_and_ignored(api: LiveServer) -> None:
    body = json.dumps({"id": 1}).encode()
    headers = shopify_headers(body, "d-9", "orders/fulfilled")
    answer = await post(api, "/webhooks/shopify", body, headers)
    assert answer.status_code == 200
    assert answer.json()["status"] == "ignored"
    assert await table_counts(api) == (1, 0)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/webhooks/shopify", {"x-shopify-hmac-sha256": "bm9wZQ=="}),
        ("/webhooks/shopify", {}),
        ("/webhooks/github", {"x-hub-signature-256": "sha256=" + "0" * 64}),
        ("/webhooks/github", {}),
    ],
)
async def test_bad_or_missing_signature_is_401_and_writes_nothing(
    api: LiveServer, path: str, headers: dict[str, str]
) -> None:
    body = json.dumps(PRODUCT).encode()
    ids = {
        "x-shopify-topic": "products/update",
        "x-shopify-webhook-id": "forged",
        "x-github-event": "issues",
        "x-github-delivery": "forged",
    }
    answer = await post(api, path, body, {**ids, **headers})
    assert answer.status_code == 401
    assert "signature" in answer.json()["detail"].lower() or "missing" in answer.json()["detail"]
    assert await table_counts(api) == (0, 0)


async def test_signed_but_malformed_body_is_400_and_writes_nothing(api: LiveServer) -> None:
    for body in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        answer = await post(api, "/webhooks/shopify", body, shopify_headers(body, "bad"))
        assert answer.status_code == 400, body
        assert answer.json()["detail"]
    body = json.dumps(PRODUCT).encode()
    headers = github_headers(body, "x")
    del headers["x-github-delivery"]
    missing_id = await post(api, "/webhooks/github", body, headers)
    assert missing_id.status_code == 400
    assert await table_counts(api) == (0, 0)


async def test_oversized_body_is_413_and_writes_nothing(api: LiveServer) -> None:
    body = b"{" + b" " * WEBHOOK_MAX_BYTES + b"}"
    answer = await post(api, "/webhooks/shopify", body, shopify_headers(body, "big"))
    assert answer.status_code == 413
    assert answer.json()["detail"]
    assert await table_counts(api) == (0, 0)


@pytest.mark.postgres
@pytest.mark.parametrize("api", ["postgres"], indirect=True)
async def test_concurrent_copies_of_one_delivery_start_one_run(api: LiveServer) -> None:
    body = json.dumps(PRODUCT).encode()
    answers = await asyncio.gather(
        *(post(api, "/webhooks/shopify", body, shopify_headers(body, "twin")) for _ in range(4))
    )
    assert [a.status_code for a in answers] == [200] * 4
    assert sorted(a.json()["status"] for a in answers) == ["duplicate"] * 3 + ["started"]
    assert await table_counts(api) == (1, 1)
