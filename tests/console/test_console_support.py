"""The Support page: the agent's replies and hand-offs from Zendesk, the cluster's figures, and
a person answering a hand-off from the reply box (operators and above; viewers only read)."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.console.conftest import Console, approver, console, viewer
from tests.integration.cs_support import ticket_id, zendesk
from tools.sandbox.zendesk.store import BOT_ID

__all__ = ["approver", "console", "viewer"]


def _answer(console: Console, key: str) -> dict[str, Any]:
    task = {
        "cluster": "customer_service",
        "title": f"Answer ticket {key}",
        "instructions": "console test",
        "parameters": {"operation": "answer_tickets", "ticket_id": ticket_id(key)},
    }
    body = {
        "assistant_id": "customer_service",
        "input": {"task": task, "goal": task["title"]},
        "if_not_exists": "create",
    }
    answer = httpx.post(f"{console.url}/threads/support-{key}/runs/wait", json=body, timeout=120)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def test_hand_offs_wait_with_a_reply_box_and_a_person_answers_once(
    console: Console, approver: Page, viewer: Page
) -> None:
    _answer(console, "wismo")
    _answer(console, "chargeback")
    angry = ticket_id("chargeback")

    viewer.goto(f"{console.url}/console/support")
    waiting = viewer.locator(f"#ticket-{angry}")
    expect(waiting).to_contain_text("needs a person")
    expect(waiting).to_contain_text("legal threat or chargeback")
    expect(waiting.locator("form")).to_have_count(0)  # viewers read only
    answered = viewer.locator(f"#ticket-{ticket_id('wismo')}")
    expect(answered).to_contain_text("answered by the agent")
    expect(answered).to_contain_text("tracking number")
    expect(viewer.locator("#auto-share")).to_have_text("50% (1 of 2)")
    expect(viewer.locator("#refunds-today")).to_contain_text("0")

    approver.goto(f"{console.url}/console/support")
    card = approver.locator(f"#ticket-{angry}")
    card.get_by_label("Your reply to the customer").fill("Sorry for the trouble: I am on it.")
    card.get_by_role("button", name="Send reply").click()
    approver.wait_for_url("**/console/support?message=*")
    expect(approver.locator(".notice")).to_contain_text(f"ticket #{angry} was sent")
    expect(approver.locator(f"#ticket-{angry} form")).to_have_count(0)
    comments = zendesk(console.sandbox).store.tickets[angry].comments
    public = [c.body for c in comments if c.author_id == BOT_ID and c.public]
    assert public == ["Sorry for the trouble: I am on it."]
    audit = httpx.get(
        f"{console.url}/api/v1/audit", params={"event": "support.human_reply"}, timeout=10
    )
    audit.raise_for_status()
    assert [entry["actor"] for entry in audit.json()] == ["ada"]
