"""The console in headless Chromium against a live server on the sandbox and offline model:
sign-in, deciding real CEO approvals (approve, reject, modify), roles and CSRF, chat, the
live feed, threads and runs, policies. Screenshots of each page go to the test output."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.console.conftest import Console, csrf_of, shoot
from tests.integration.pipeline_support import shop, writes
from tools.sandbox import SandboxServer

RUN_DONE = ".run-stream[data-done]"


def decision_applied(page: Page) -> None:
    """After submitting: the run's events stream in, then the page reloads with the decision."""
    page.wait_for_url(re.compile(r"\?run="))
    page.wait_for_selector("#decided", timeout=60_000)
    page.wait_for_selector(RUN_DONE, timeout=60_000)


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Writes made between two ledger readings."""
    return {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}


def pending_count(page: Page, console: Console) -> int:
    page.goto(f"{console.url}/console/")
    return int(page.locator("#pending-count").inner_text())


def open_approval(page: Page, console: Console, approval_id: str) -> None:
    page.goto(f"{console.url}/console/approvals")
    page.locator(f'a[href="/console/approvals/{approval_id}"]').first.click()
    page.wait_for_url(re.compile(rf"/console/approvals/{approval_id}$"))


def test_signed_out_visitors_are_sent_to_sign_in_and_wrong_passwords_refused(
    console: Console, tmp_path: Path
) -> None:
    context = console.browser.new_context()
    page = context.new_page()
    page.goto(f"{console.url}/console/approvals")
    expect(page).to_have_url(re.compile(r"/console/login\?next=%2Fconsole%2Fapprovals$"))
    shoot(page, "login", tmp_path)
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("Wrong user name or password")
    answer = httpx.get(f"{console.url}/console/feed/stream", timeout=5)
    assert answer.status_code == 401
    root = httpx.get(f"{console.url}/console", timeout=5)
    assert (root.status_code, root.headers["location"]) == (307, "/console/")
    login = httpx.get(f"{console.url}/console/login", timeout=5)
    assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
    assert "httponly" in login.headers["set-cookie"].lower()
    context.close()


def test_approve_publishes_the_product_and_the_pending_count_drops(
    console: Console, approver: Page, store: SandboxServer, tmp_path: Path
) -> None:
    approval_id = console.pending_rope("console-approve")
    written = writes(store)
    before = pending_count(approver, console)
    assert before >= 1

    approver.goto(f"{console.url}/console/approvals?risk=HIGH")
    expect(approver.locator("table.list")).to_contain_text("Smart Jump Rope")
    shoot(approver, "approvals", tmp_path)
    open_approval(approver, console, approval_id)
    expect(approver.locator(".approval-head .risk")).to_have_text("HIGH")
    expect(approver.locator("h1")).to_contain_text("Smart Jump Rope")
    expect(approver.locator(".countdown").first).to_contain_text("remaining")
    expect(approver.locator("#action-args")).to_contain_text('"price": "18.99"')
    expect(approver.locator(".grid3")).to_contain_text("not yet onboarded")
    shoot(approver, "approval-detail", tmp_path)

    approver.check("input[value=approve]")
    approver.fill("textarea[name=notes]", "Supplier looks fine")
    approver.click("#submit-decision")
    decision_applied(approver)
    stream = approver.locator(".run-stream")
    assert stream.get_attribute("data-done") == "success"
    expect(stream.locator(".answer")).to_contain_text("Published")
    shoot(approver, "approval-decided", tmp_path)

    record = console.approval(approval_id)
    request = record["request"]
    assert isinstance(request, dict)
    live = shop(store).store.product_by_handle(request["args"]["handle"])
    assert live is not None
    assert live.status == "ACTIVE"
    assert shop(store).store.published_publications(live.id) == ["Online Store"]
    assert delta(written, writes(store)) == {
        "shopify.productSet": 1,
        "shopify.publishablePublish": 1,
    }
    assert (record["status"], record["decided_by"], record["notes"]) == (
        "APPROVED",
        "ada",
        "Supplier looks fine",
    )

    approver.goto(f"{console.url}/console/approvals/{approval_id}")
    expect(approver.locator("#decided-by")).to_have_text("ada")
    expect(approver.locator("#decision-form")).to_have_count(0)
    assert pending_count(approver, console) == before - 1

    with console.http(approver) as client:  # a second decision, even a well-formed one
        again = client.post(
            f"/console/approvals/{approval_id}/decide",
            data={"decision": "approve", "csrf_token": csrf_of(approver)},
        )
    assert again.status_code == 409
    assert "APPROVED by ada" in again.text


def test_reject_needs_a_reason_and_publishes_nothing(
    console: Console, approver: Page, store: SandboxServer, tmp_path: Path
) -> None:
    approval_id = console.pending_rope("console-reject")
    written = writes(store)
    open_approval(approver, console, approval_id)
    approver.check("input[value=reject]")
    approver.click("#submit-decision")
    reason = approver.locator("#reason")
    assert reason.evaluate("node => node.validationMessage") != ""  # stopped in the browser
    expect(approver).to_have_url(re.compile(rf"/console/approvals/{approval_id}$"))

    with console.http(approver) as client:  # the server refuses it too
        refused = client.post(
            f"/console/approvals/{approval_id}/decide",
            data={"decision": "reject", "reason": "  ", "csrf_token": csrf_of(approver)},
        )
    assert refused.status_code == 422
    assert "A reason is required" in refused.text

    reason.fill("Supplier has only 14 days on the platform")
    shoot(approver, "approval-reject", tmp_path)
    approver.click("#submit-decision")
    decision_applied(approver)
    expect(approver.locator(".run-stream .answer")).to_contain_text("14 days on the platform")
    record = console.approval(approval_id)
    assert (record["status"], record["notes"]) == (
        "REJECTED",
        "Supplier has only 14 days on the platform",
    )
    assert delta(written, writes(store)) == {}


def test_modified_price_is_validated_reclassified_and_published(
    console: Console, approver: Page, store: SandboxServer, tmp_path: Path
) -> None:
    approval_id = console.pending_rope("console-modify")
    open_approval(approver, console, approval_id)
    approver.check("input[value=modify]")
    price = approver.locator("#arg-price")
    expect(price).to_have_value("18.99")
    price.fill("-3")
    approver.click("#submit-decision")
    assert "more than 0" in price.evaluate("node => node.validationMessage")
    expect(approver).to_have_url(re.compile(rf"/console/approvals/{approval_id}$"))

    with console.http(approver) as client:  # and on the server, by the action's own model
        refused = client.post(
            f"/console/approvals/{approval_id}/decide",
            data={"decision": "modify", "arg.price": "-3", "csrf_token": csrf_of(approver)},
        )
    assert refused.status_code == 422
    assert "price" in refused.text

    price.fill("9.99")
    shoot(approver, "approval-modify", tmp_path)
    approver.click("#submit-decision")
    decision_applied(approver)
    recorded = approver.locator(".run-stream .recorded")
    expect(recorded).to_contain_text("action.classified")  # the edit, classified again
    expect(recorded).to_contain_text("product-low-margin")

    record = console.approval(approval_id)
    assert record["status"] == "APPROVED"
    assert record["decision"] == "modify"
    modified = record["modified_args"]
    assert isinstance(modified, dict)
    assert modified["price"] == "9.99"
    assert record["reclassified_level"] == "HIGH"
    classified = httpx.get(
        f"{console.url}/api/v1/audit",
        params={"thread_id": "console-modify", "event": "action.classified"},
        timeout=10,
    ).json()
    assert any("product-low-margin" in entry["payload"]["rules"] for entry in classified)
    live = shop(store).store.product_by_handle(str(modified["handle"]))
    assert live is not None
    assert live.variants[0].price == Decimal("9.99")

    approver.goto(f"{console.url}/console/approvals/{approval_id}")
    expect(approver.locator("#decided")).to_contain_text("Re-classified as")


def test_viewer_sees_no_decision_form_and_forged_posts_are_refused(
    console: Console, viewer: Page, approver: Page, tmp_path: Path
) -> None:
    approval_id = console.pending_rope("console-viewer")
    (session,) = [c for c in viewer.context.cookies() if c["name"] == "royal_session"]
    assert (session["httpOnly"], session["sameSite"], session["path"]) == (True, "Lax", "/console")
    viewer.goto(f"{console.url}/console/approvals/{approval_id}")
    expect(viewer.locator("#no-decision")).to_be_visible()
    expect(viewer.locator("#decision-form")).to_have_count(0)
    expect(viewer.locator("input[name=decision]")).to_have_count(0)
    shoot(viewer, "approval-viewer", tmp_path)

    with console.http(viewer) as client:  # a valid session and token, the wrong role
        forged = client.post(
            f"/console/approvals/{approval_id}/decide",
            data={"decision": "approve", "csrf_token": csrf_of(viewer)},
        )
    assert forged.status_code == 403
    assert "viewer" in forged.json()["detail"]

    open_approval(approver, console, approval_id)
    with console.http(approver) as client:  # the right role, no CSRF token
        missing = client.post(
            f"/console/approvals/{approval_id}/decide", data={"decision": "approve"}
        )
        wrong = client.post(
            f"/console/approvals/{approval_id}/decide",
            data={"decision": "approve"},
            headers={"x-csrf-token": "not-the-token-of-this-session"},
        )
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert missing.json()["detail"] == "CSRF token missing or wrong"
    assert console.approval(approval_id)["status"] == "PENDING"


def test_chat_streams_the_answer_and_plan_and_the_feed_shows_the_action(
    console: Console, approver: Page, store: SandboxServer, tmp_path: Path
) -> None:
    feed = approver.context.new_page()
    feed.goto(f"{console.url}/console/feed")

    approver.goto(f"{console.url}/console/chat")
    approver.fill("textarea[name=text]", "Find and publish a white glossy mug")
    approver.click("#chat-form button[type=submit]")
    turn = approver.locator(".turn").last
    expect(turn.locator(".plan")).to_contain_text("product", timeout=60_000)
    approver.wait_for_selector(".turn[data-done]", timeout=60_000)
    assert turn.get_attribute("data-done") == "success"
    answer = turn.locator(".answer")
    expect(answer).to_contain_text("Published")
    assert int(answer.get_attribute("data-chunks") or 0) > 1  # arrived in pieces
    expect(approver).to_have_url(re.compile(r"/console/chat/[0-9a-f-]{36}$"))
    shoot(approver, "chat", tmp_path)

    expect(feed.locator("#feed")).to_contain_text("product.create executed", timeout=15_000)
    expect(feed.locator("#feed")).to_contain_text("MEDIUM")
    shoot(feed, "feed", tmp_path)
    feed.close()
    approver.goto(f"{console.url}/console/")
    expect(approver.locator("#dashboard-feed")).to_contain_text("White Glossy Mug")
    shoot(approver, "dashboard", tmp_path)


def test_threads_runs_and_policies_pages(console: Console, approver: Page, tmp_path: Path) -> None:
    console.pending_rope("console-threads")
    approver.goto(f"{console.url}/console/threads")
    approver.locator('a[href="/console/threads/console-threads"]').click()
    expect(approver.locator("#history tbody tr").first).to_be_visible()
    assert approver.locator("#history tbody tr").count() >= 2
    expect(approver.locator("#history tbody tr").first).to_contain_text("product")  # waiting in it
    expect(approver.locator("body")).to_contain_text("Waiting on")
    shoot(approver, "thread", tmp_path)
    approver.locator('a[href^="/console/threads/console-threads/runs/"]').first.click()
    expect(approver.locator("h1")).to_contain_text("Run")
    expect(approver.locator("body")).to_contain_text("approval.requested")
    shoot(approver, "run", tmp_path)

    approver.goto(f"{console.url}/console/policies")
    expect(approver.locator(".md table").first).to_contain_text("product-low-margin")
    shoot(approver, "policies", tmp_path)


def test_an_admin_edits_the_policy_and_a_broken_file_saves_nothing(
    console: Console, approver: Page, tmp_path: Path
) -> None:
    approver.goto(f"{console.url}/console/policies")
    expect(approver.locator("#policy-text")).to_have_count(0)  # approvers only read
    with console.http(approver) as client:
        forged = client.post(
            "/console/policies", data={"policy": "x: 1", "csrf_token": csrf_of(approver)}
        )
    assert forged.status_code == 403

    admin = console.sign_in("root")
    try:
        admin.goto(f"{console.url}/console/policies")
        original = admin.locator("#policy-text").input_value()
        assert "product-low-margin" in original
        broken = original.replace("margin_pct: {lt: 20}", "margin_pct: {lt: twenty}")
        admin.locator("#policy-text").fill(broken)
        admin.locator("#policy-save").click()
        expect(admin.locator("#policy-errors")).to_contain_text("line:")
        shoot(admin, "policies-error", tmp_path)
        admin.goto(f"{console.url}/console/policies")
        assert admin.locator("#policy-text").input_value() == original  # nothing was written

        stricter = original.replace("margin_pct: {lt: 20}", "margin_pct: {lt: 25}")
        admin.locator("#policy-text").fill(stricter)
        admin.locator("#policy-save").click()
        expect(admin.locator("#policy-message")).to_contain_text("is in force")
        expect(admin.locator(".md table").first).to_contain_text("25")
        changes = httpx.get(f"{console.url}/api/v1/audit", params={"event": "policy.changed"})
        assert [entry["actor"] for entry in changes.json()] == ["root"]
        admin.locator("#policy-text").fill(original)  # put it back for the other tests
        admin.locator("#policy-save").click()
        expect(admin.locator("#policy-message")).to_contain_text("is in force")
    finally:
        admin.context.close()


def test_pages_fit_a_phone_screen(console: Console, tmp_path: Path) -> None:
    approval_id = console.pending_rope("console-phone")
    page = console.sign_in("otto", width=390, height=844)
    for path, name in (
        ("/console/", "phone-dashboard"),
        (f"/console/approvals/{approval_id}", "phone-approval"),
    ):
        page.goto(f"{console.url}{path}")
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px"
        shoot(page, name, tmp_path)
    page.context.close()


def test_bad_input_answers_4xx_never_5xx(console: Console, approver: Page) -> None:
    token = csrf_of(approver)
    with console.http(approver) as client:
        answers = {
            "page 0": client.get("/console/approvals?page=0").status_code,
            "unknown risk": client.get("/console/approvals?risk=EXTREME").status_code,
            "unknown approval": client.get("/console/approvals/not-an-id").status_code,
            "unknown run": client.get("/console/runs/nope/stream").status_code,
            "unknown thread": client.get("/console/threads/nope").status_code,
            "bad feed filter": client.get("/console/feed/stream?risk=x").status_code,
            "empty message": client.post(
                "/console/chat", data={"text": "  ", "csrf_token": token}
            ).status_code,
            "no decision": client.post(
                f"/console/approvals/{'0' * 8}-0000-0000-0000-{'0' * 12}/decide",
                data={"csrf_token": token},
            ).status_code,
        }
    assert answers == {
        "page 0": 422,
        "unknown risk": 422,
        "unknown approval": 404,
        "unknown run": 404,
        "unknown thread": 404,
        "bad feed filter": 422,
        "empty message": 422,
        "no decision": 404,
    }
