"""The catalog sync through the server, as it runs in production: the sync API starts runs,
GitHub's pull_request webhooks (delivered by the emulator) and Shopify's products/* webhooks
start runs, rollback restores a price on Shopify, conflicts are decided once."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from server.api.routes_webhooks import SANDBOX_GITHUB_WEBHOOK_SECRET, SANDBOX_SHOPIFY_WEBHOOK_SECRET
from tests.api.server_support import LiveServer
from tools.catalog.codec import dump, load, path_for
from tools.github import GitHubClient
from tools.sandbox import SandboxServer
from tools.sandbox.github import GitHubEmulator
from tools.sandbox.shopify import ShopifyEmulator

HANDLE = "resistance-band-kit"


def emulators(sandbox: SandboxServer) -> tuple[GitHubEmulator, ShopifyEmulator]:
    github, shopify = sandbox.sandbox.emulators["github"], sandbox.sandbox.emulators["shopify"]
    assert isinstance(github, GitHubEmulator)
    assert isinstance(shopify, ShopifyEmulator)
    return github, shopify


@pytest.fixture
async def repo_client(api: LiveServer) -> AsyncIterator[GitHubClient]:
    """A client of the test's own (the server's clients belong to the server's event loop)."""
    async with GitHubClient.from_settings(api.runtime.settings) as client:
        yield client


async def finished(client: LangGraphClient, started: dict[str, Any]) -> dict[str, Any]:
    run = await client.runs.join(started["thread_id"], started["run_id"])
    assert isinstance(run, dict)
    return run


async def delivered(
    client: LangGraphClient, emulator: GitHubEmulator, count: int
) -> list[dict[str, Any]]:
    """Wait until the emulator has made ``count`` deliveries; join the runs they started."""
    for _ in range(200):
        if len(emulator.hooks.deliveries) >= count:
            break
        await asyncio.sleep(0.05)
    results = []
    for record in emulator.hooks.deliveries[:count]:
        assert record.status_code == 200, record
        if record.answer.get("status") == "started":
            results.append(await finished(client, record.answer))
    return results


async def setup_sync(
    api: LiveServer, client: LangGraphClient, sandbox: SandboxServer, repo_client: GitHubClient
) -> None:
    """Webhooks from the repository to the server, and the catalog exported and merged."""
    hub, _ = emulators(sandbox)
    await repo_client.create_hook(
        f"{api.url}/webhooks/github", SANDBOX_GITHUB_WEBHOOK_SECRET, ["pull_request"]
    )
    async with httpx.AsyncClient(base_url=api.url) as http:
        started = (await http.post("/api/v1/sync/export")).json()
    await finished(client, started)
    (pull,) = [
        p
        for p in hub._repo("royal-equips/storefront").pulls.values()
        if p.state == "open" and p.head_ref == "catalog-sync/shopify"
    ]
    await repo_client.merge_pull_request(pull.number)
    await delivered(client, hub, 2)  # opened (ignored) and closed-merged


def edited_price(hub: GitHubEmulator, factor: str) -> str:
    text = hub.read_file(path_for(HANDLE), ref="main")
    assert text is not None
    product = load(text.decode(), path_for(HANDLE))
    first = product.variants[0]
    price = (first.price * Decimal(factor)).quantize(Decimal("0.01"))
    return dump(
        product.model_copy(
            update={"variants": [first.model_copy(update={"price": price}), *product.variants[1:]]}
        )
    )


async def test_merged_pull_request_reaches_shopify_and_a_rollback_restores_it(
    api: LiveServer, client: LangGraphClient, sandbox: SandboxServer, repo_client: GitHubClient
) -> None:
    hub, shop = emulators(sandbox)
    await setup_sync(api, client, sandbox, repo_client)
    hub.write_files("edit/price", {path_for(HANDLE): edited_price(hub, "1.10").encode()}, "+10%")
    pull = await repo_client.create_pull_request(title="+10%", head="edit/price", base="main")
    await repo_client.merge_pull_request(pull.number)
    await delivered(client, hub, 4)
    product = shop.store.handle_owner(HANDLE)
    assert product is not None
    assert product.variants[0].price == Decimal("27.44")

    async with httpx.AsyncClient(base_url=api.url) as http:
        syncs = (await http.get("/api/v1/sync", params={"direction": "github_to_shopify"})).json()
        applied = next(s for s in syncs if s["pull_request"] == pull.number)
        assert applied["status"] == "done"
        detail = (await http.get(f"/api/v1/sync/{applied['id']}")).json()
        assert [(c["field"], c["status"]) for c in detail["changes"]] == [
            ("variants[RE-RBK-GREEN].price", "applied")
        ]
        started = (await http.post(f"/api/v1/sync/{applied['id']}/rollback")).json()
        await finished(client, started)
        history = (await http.get(f"/api/v1/sync/products/{HANDLE}/history")).json()
        unknown = await http.post("/api/v1/sync/00000000-0000-0000-0000-000000000000/rollback")
    assert product.variants[0].price == Decimal("24.95")
    assert history[0]["sync"]["direction"] == "rollback"
    assert history[0]["sync"]["rollback_of"] == applied["id"]
    assert unknown.status_code == 404


def shopify_headers(body: bytes, delivery: str, topic: str) -> dict[str, str]:
    digest = hmac.new(SANDBOX_SHOPIFY_WEBHOOK_SECRET.encode(), body, hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "x-shopify-hmac-sha256": base64.b64encode(digest).decode(),
        "x-shopify-topic": topic,
        "x-shopify-webhook-id": delivery,
    }


async def test_products_update_webhook_opens_a_pull_request_and_conflicts_are_decided_once(
    api: LiveServer, client: LangGraphClient, sandbox: SandboxServer, repo_client: GitHubClient
) -> None:
    hub, shop = emulators(sandbox)
    await setup_sync(api, client, sandbox, repo_client)
    product = shop.store.handle_owner(HANDLE)
    assert product is not None
    product.title = "Band Kit (Shopify)"
    body = json.dumps({"id": product.number, "title": product.title}).encode()
    async with httpx.AsyncClient(base_url=api.url) as http:
        ack = (
            await http.post(
                "/webhooks/shopify",
                content=body,
                headers=shopify_headers(body, "w-1", "products/update"),
            )
        ).json()
        await finished(client, ack)
        replay = await http.post(
            "/webhooks/shopify",
            content=body,
            headers=shopify_headers(body, "w-1", "products/update"),
        )
    assert replay.json() == {"status": "duplicate"}
    (proposal,) = [
        p
        for p in hub._repo("royal-equips/storefront").pulls.values()
        if p.state == "open" and p.head_ref == "catalog-sync/shopify"
    ]
    files = await repo_client.list_pull_request_files(proposal.number)
    assert [f.filename for f in files] == [path_for(HANDLE)]

    text = (hub.read_file(path_for(HANDLE), ref="main") or b"").decode()
    renamed = text.replace("title: Resistance Band Kit", "title: Band Kit (repo)")
    hub.write_files("edit/title", {path_for(HANDLE): renamed.encode()}, "Rename")
    pull = await repo_client.create_pull_request(title="Rename", head="edit/title", base="main")
    await repo_client.merge_pull_request(pull.number)
    await delivered(client, hub, len(hub.hooks.deliveries) + 2)
    assert product.title == "Band Kit (Shopify)"
    async with httpx.AsyncClient(base_url=api.url) as http:
        (conflict,) = (await http.get("/api/v1/sync/conflicts")).json()
        assert (conflict["ours"], conflict["theirs"]) == ("Band Kit (Shopify)", "Band Kit (repo)")
        writes = sandbox.sandbox.ledger.counts().get("shopify.productSet", 0)
        decided = await http.post(
            f"/api/v1/sync/conflicts/{conflict['id']}/resolve", json={"resolution": "theirs"}
        )
        assert decided.status_code == 202, decided.text
        await finished(client, decided.json())
        again = await http.post(
            f"/api/v1/sync/conflicts/{conflict['id']}/resolve", json={"resolution": "ours"}
        )
        audit = (await http.get("/api/v1/audit", params={"event": "conflict.resolved"})).json()
    assert again.status_code == 409
    assert product.title == "Band Kit (repo)"
    assert sandbox.sandbox.ledger.counts()["shopify.productSet"] - writes == 1
    assert [a["actor"] for a in audit] == ["dev:anonymous"]
