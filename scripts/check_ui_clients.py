"""Drive the unchanged Agent Inbox and agent-chat-ui against a running API, in Chromium.

Not part of the test suite: the clients are built from their public repositories with npm
(``../shared/clients/build.sh``), which CI cannot download. What it checks is what an approver
sees: a HIGH-risk CEO approval shows every set argument in the client's card, and an edit made
there (the price, typed as text) publishes the product at the edited price.

    royal up --port 2098 &
    build.sh serve inbox 3151 & build.sh serve chat 3150 &
    python -m scripts.check_ui_clients --api http://127.0.0.1:2098 \\
        --inbox http://127.0.0.1:3151 --chat http://127.0.0.1:3150

Prints one line per check and exits non-zero on the first that fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from decimal import Decimal
from typing import Any

from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient
from playwright.async_api import Page, Route, async_playwright

GOAL: dict[str, Any] = {"messages": [{"role": "human", "content": "Publish a smart jump rope"}]}
CHROMIUM = "/usr/bin/chromium"


class CheckFailedError(Exception):
    """One check did not hold; the message says which and what was seen."""


async def _pending_approval(client: LangGraphClient) -> tuple[str, dict[str, Any]]:
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "ceo", input=GOAL)
    found = await client.threads.get(thread["thread_id"])
    values = [item["value"] for items in (found["interrupts"] or {}).values() for item in items]
    if len(values) != 1 or not isinstance(values[0], dict):
        raise CheckFailedError(f"expected one approval on the new thread, found {values}")
    return thread["thread_id"], values[0]


async def _published_at(client: LangGraphClient, thread_id: str, price: Decimal) -> None:
    for _ in range(60):
        thread = await client.threads.get(thread_id)
        if thread["status"] == "idle":
            break
        await asyncio.sleep(0.5)
    state = await client.threads.get_state(thread_id)
    values = state["values"]
    answer = values["messages"][-1]["content"] if isinstance(values, dict) else ""
    if f"€{price}" not in answer:
        raise CheckFailedError(f"not published at €{price}: {answer[:200]!r}")


async def _loopback_only(route: Route) -> None:
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "http://localhost", "data:")):
        await route.continue_()
    else:  # Google Fonts and the like: fail fast, offline
        await route.abort()


async def _open(page: Page, url: str) -> None:
    await page.route("**/*", _loopback_only)
    await page.goto(url)


async def _edit_price_and_submit(page: Page, old: str, new: str, submit: str) -> None:
    boxes = page.locator("textarea")
    for index in range(await boxes.count()):
        if await boxes.nth(index).input_value() == old:
            await boxes.nth(index).fill(new)
            break
    else:
        raise CheckFailedError(f"no edit box holds the price {old}")
    await page.locator("button", has_text=submit).first.click()


async def _visible_text(page: Page) -> str:
    """The page's text and the values of its edit boxes (which inner text leaves out)."""
    boxes = await page.locator("textarea").all()
    return "\n".join([await page.inner_text("body")] + [await b.input_value() for b in boxes])


def _shown(text: str, args: dict[str, Any]) -> None:
    missing = [str(v) for v in args.values() if v is not None and str(v)[:40] not in text]
    if missing:
        raise CheckFailedError(f"the card does not show {missing}")


async def check_inbox(client: LangGraphClient, page: Page, api: str, inbox: str) -> str:
    thread_id, value = await _pending_approval(client)
    args = value["args"]
    inbox_config = {"id": str(uuid.uuid4()), "graphId": "ceo", "deploymentUrl": api}
    stored = json.dumps([inbox_config | {"name": "Royal", "selected": True}])
    await page.context.add_init_script(
        f"window.localStorage.setItem('inbox:agent_inboxes', {json.dumps(stored)});"
    )
    query = f"inbox=interrupted&agent_inbox={inbox_config['id']}&view_state_thread_id={thread_id}"
    await _open(page, f"{inbox}/?{query}")
    await page.locator("text=Edit/Accept").wait_for(timeout=60_000)
    text = await _visible_text(page)
    _shown(text, {k: v for k, v in args.items() if k != "description_html"})
    price = Decimal(str(args["price"])) + Decimal("0.50")
    await _edit_price_and_submit(page, str(args["price"]), str(price), "Submit")
    await _published_at(client, thread_id, price)
    return f"Agent Inbox: card shows {len(args)} arguments; edit → published at €{price}"


async def check_chat(client: LangGraphClient, page: Page, api: str, chat: str) -> str:
    thread_id, value = await _pending_approval(client)
    args = value["args"]
    await _open(page, f"{chat}/?apiUrl={api}&assistantId=ceo&threadId={thread_id}")
    await page.locator("text=Smart Jump Rope").first.wait_for(timeout=60_000)
    await page.wait_for_timeout(2_000)
    text = await _visible_text(page)
    _shown(text, {k: v for k, v in args.items() if k != "description_html"})
    price = Decimal(str(args["price"])) + Decimal("0.25")
    await _edit_price_and_submit(page, str(args["price"]), str(price), "Submit")
    await _published_at(client, thread_id, price)
    return f"agent-chat-ui: card shows {len(args)} arguments; edit → published at €{price}"


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--api", default="http://127.0.0.1:2098")
    parser.add_argument("--inbox", help="Agent Inbox URL (skipped when absent)")
    parser.add_argument("--chat", help="agent-chat-ui URL (skipped when absent)")
    options = parser.parse_args(argv)
    client = get_client(url=options.api)
    checks = [
        (check, url)
        for check, url in ((check_inbox, options.inbox), (check_chat, options.chat))
        if url
    ]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            for check, url in checks:
                context = await browser.new_context(viewport={"width": 1400, "height": 1100})
                page = await context.new_page()
                try:
                    print(await check(client, page, options.api, url))  # noqa: T201
                except CheckFailedError as failed:
                    await page.screenshot(path=f"{check.__name__}.png", full_page=True)
                    print(f"{check.__name__}: {failed} (screenshot {check.__name__}.png)")  # noqa: T201
                    return 1
                finally:
                    await context.close()
        finally:
            await browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
