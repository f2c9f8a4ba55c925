"""The Support page counts the marketing emails sent today per flow (one per message, not per
batch), after the email agent ran a flow through the API."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.console.conftest import Console, console, viewer

__all__ = ["console", "viewer"]


def test_the_support_page_counts_emails_sent_per_flow(console: Console, viewer: Page) -> None:
    task = {
        "cluster": "customer_service",
        "title": "Send abandoned cart emails",
        "instructions": "console test",
        "parameters": {"operation": "email_flows", "flow": "abandoned_cart"},
    }
    body = {
        "assistant_id": "customer_service",
        "input": {"task": task, "goal": task["title"]},
        "if_not_exists": "create",
    }
    sent = httpx.post(f"{console.url}/threads/email-cart/runs/wait", json=body, timeout=120)
    sent.raise_for_status()

    viewer.goto(f"{console.url}/console/support")
    expect(viewer.locator("#emails-abandoned_cart")).to_have_text("2")
    expect(viewer.locator("#emails-welcome")).to_have_text("0")
    expect(viewer.locator("#emails-today")).to_contain_text("Abandoned cart recovery")
