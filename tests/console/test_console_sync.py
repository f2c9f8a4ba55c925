"""The Conflicts and Sync pages in a real browser: a field edited on both sides is shown with
both values, an approver resolves it once, and a sync's page offers the rollback."""

from __future__ import annotations

import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from server.api.routes_webhooks import SANDBOX_GITHUB_WEBHOOK_SECRET
from tests.console.conftest import Console, approver, console, viewer
from tools.catalog.codec import path_for
from tools.sandbox.github import GitHubEmulator
from tools.sandbox.shopify import ShopifyEmulator

__all__ = ["approver", "console", "viewer"]

HANDLE = "foam-roller-pro"
REPO = "royal-equips/storefront"
AUTH = {"Authorization": "Bearer ghp_sandbox_token"}


def join(console: Console, started: dict[str, Any]) -> None:
    answer = httpx.get(
        f"{console.url}/threads/{started['thread_id']}/runs/{started['run_id']}/join", timeout=120
    )
    answer.raise_for_status()


def emulators(console: Console) -> tuple[GitHubEmulator, ShopifyEmulator]:
    hub, shop = (
        console.sandbox.sandbox.emulators["github"],
        console.sandbox.sandbox.emulators["shopify"],
    )
    assert isinstance(hub, GitHubEmulator)
    assert isinstance(shop, ShopifyEmulator)
    return hub, shop


def merge(console: Console, head: str) -> None:
    """Open and merge a pull request as a reviewer would; wait for the runs its webhooks start."""
    hub, _ = emulators(console)
    seen = len(hub.hooks.deliveries)
    api = f"{console.sandbox.url}/github/repos/{REPO}"
    pull = httpx.post(
        f"{api}/pulls", json={"title": head, "head": head, "base": "main"}, headers=AUTH
    )
    number = (
        pull.json()["number"]
        if pull.status_code == 201
        else next(
            p.number
            for p in hub._repo(REPO).pulls.values()
            if p.head_ref == head and p.state == "open"
        )
    )
    httpx.put(f"{api}/pulls/{number}/merge", json={}, headers=AUTH).raise_for_status()
    deadline = time.monotonic() + 30
    while len(hub.hooks.deliveries) < seen + (2 if pull.status_code == 201 else 1):
        assert time.monotonic() < deadline, "no webhook delivered"
        time.sleep(0.05)
    for record in hub.hooks.deliveries[seen:]:
        if record.answer.get("status") == "started":
            join(console, record.answer)


def test_a_conflict_is_shown_and_resolved_once_in_the_console(
    console: Console, approver: Page, viewer: Page
) -> None:
    hub, shop = emulators(console)
    httpx.post(
        f"{console.sandbox.url}/github/repos/{REPO}/hooks",
        headers=AUTH,
        json={
            "config": {
                "url": f"{console.url}/webhooks/github",
                "secret": SANDBOX_GITHUB_WEBHOOK_SECRET,
            },
            "events": ["pull_request"],
        },
    ).raise_for_status()
    join(console, httpx.post(f"{console.url}/api/v1/sync/export", timeout=60).json())
    merge(console, "catalog-sync/shopify")

    product = shop.store.handle_owner(HANDLE)
    assert product is not None
    product.title = "Foam Roller (Shopify)"
    text = (hub.read_file(path_for(HANDLE), ref="main") or b"").decode()
    hub.write_files(
        "edit/roller",
        {
            path_for(HANDLE): text.replace(  # the product's title only, not its SEO title
                "title: Foam Roller Pro", "title: Foam Roller (repo)", 1
            ).encode()
        },
        "Rename",
    )
    merge(console, "edit/roller")
    assert product.title == "Foam Roller (Shopify)"  # nothing overwritten

    viewer.goto(f"{console.url}/console/conflicts")
    expect(viewer.locator(".conflict")).to_have_count(1)
    expect(viewer.locator(".conflict form")).to_have_count(0)  # viewers may not decide

    approver.goto(f"{console.url}/console/conflicts")
    card = approver.locator(".conflict")
    expect(card).to_contain_text(HANDLE)
    expect(card.locator(".ours")).to_have_text("Foam Roller (Shopify)")
    expect(card.locator(".theirs")).to_have_text("Foam Roller (repo)")
    writes = console.sandbox.sandbox.ledger.counts().get("shopify.productSet", 0)
    card.get_by_label("Take the repository's").check()
    card.get_by_role("button", name="Resolve").click()
    approver.wait_for_url("**/runs/**")
    run_id = approver.url.rsplit("/", 1)[1]
    thread_id = approver.url.split("/threads/", 1)[1].split("/", 1)[0]
    join(console, {"thread_id": thread_id, "run_id": run_id})
    assert product.title == "Foam Roller (repo)"
    assert console.sandbox.sandbox.ledger.counts()["shopify.productSet"] - writes == 1

    approver.goto(f"{console.url}/console/conflicts")
    expect(approver.locator(".conflict")).to_have_count(0)
    approver.goto(f"{console.url}/console/conflicts?status=RESOLVED")
    expect(approver.locator(".conflict")).to_contain_text("theirs (Foam Roller (repo)) by ada")


def test_a_sync_that_changed_shopify_offers_its_rollback(console: Console, approver: Page) -> None:
    approver.goto(f"{console.url}/console/sync")
    row = approver.locator("tr", has_text="resolution").first
    row.locator("a").first.click()
    expect(approver.locator("h1")).to_contain_text("Sync")
    expect(approver.get_by_role("button", name="Roll back this sync")).to_be_visible()
    expect(approver.locator("table")).to_contain_text("title")
