"""One live server (SQLite, sandbox, offline model) and one headless Chromium per module."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from settings import Settings, reset_settings_cache
from storage import Database
from storage.users import UserRepository
from tests.api.server_support import LiveServer, live_server
from tests.conftest import _REAL_SERVICE_VARS
from tools.sandbox import SandboxServer

CHROMIUM = "/usr/bin/chromium"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
USERS = {
    "ada": ("approver", "approver-pass-1"),
    "otto": ("operator", "operator-pass-1"),
    "vic": ("viewer", "viewer-pass-1"),
    "root": ("admin", "admin-pass-1"),
}


@dataclass
class Console:
    server: LiveServer
    browser: Browser
    settings: Settings
    sandbox: SandboxServer

    @property
    def url(self) -> str:
        return self.server.url

    def sign_in(self, username: str, *, width: int = 1280, height: int = 900) -> Page:
        """A fresh browser context signed in through the form, using the keyboard only."""
        context = self.browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{self.url}/console/login")
        expect(page.locator("input[name=username]")).to_be_focused()  # autofocus
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(USERS[username][1])
        page.keyboard.press("Enter")
        page.wait_for_url(f"{self.url}/console/")
        return page

    def http(self, page: Page) -> httpx.Client:
        """An HTTP client carrying the page's session cookie (for forged or repeated posts)."""
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        return httpx.Client(base_url=self.url, cookies=cookies, follow_redirects=False)

    def pending_rope(self, thread_id: str) -> str:
        """A real CEO run that stops at a HIGH-risk approval (a new supplier); its id."""
        body = {
            "assistant_id": "ceo",
            "input": {"messages": [{"role": "human", "content": "Publish a smart jump rope"}]},
            "if_not_exists": "create",
        }
        answer = httpx.post(f"{self.url}/threads/{thread_id}/runs/wait", json=body, timeout=120)
        answer.raise_for_status()
        interrupts = answer.json().get("__interrupt__")
        assert interrupts, f"the run did not stop for approval: {answer.text[-1500:]}"
        (interrupt,) = interrupts
        assert interrupt["value"]["risk_level"] == "HIGH"
        approval_id: str = interrupt["value"]["approval_id"]
        return approval_id

    def approval(self, approval_id: str) -> dict[str, object]:
        found = httpx.get(f"{self.url}/api/v1/approvals/{approval_id}", timeout=10)
        found.raise_for_status()
        record: dict[str, object] = found.json()
        return record


def csrf_of(page: Page) -> str:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    return token


def shoot(page: Page, name: str, out: Path) -> None:
    """A screenshot into the test's output; into docs/img too with ROYAL_UPDATE_SCREENSHOTS=1."""
    page.screenshot(path=out / f"console-{name}.png", full_page=True)
    if os.environ.get("ROYAL_UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=DOCS_IMG / f"console-{name}.png", full_page=True)


async def _add_users(settings: Settings) -> None:
    async with Database.from_settings(settings) as database:
        await database.migrate()
        users = UserRepository(database)
        for name, (role, password) in USERS.items():
            await users.add(name, role=role, password=password)


@pytest.fixture(scope="module")
def console(
    sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    with pytest.MonkeyPatch.context() as patch:
        for name in _REAL_SERVICE_VARS:
            patch.delenv(name, raising=False)
        patch.chdir(tmp_path_factory.mktemp("console-cwd"))
        patch.setenv("ROYAL_SANDBOX_HOST", sandbox_server.host)
        patch.setenv("ROYAL_SANDBOX_PORT", str(sandbox_server.port))
        # As in every test (tests/conftest.py): demo SKUs unmapped, no periodic order sweep.
        patch.setenv("ROYAL_SANDBOX_SUPPLIER_MAPPING", "false")
        patch.setenv("ROYAL_ORDER_SWEEP_SECONDS", "0")
        reset_settings_cache()
        settings = Settings(
            royal_data_dir=tmp_path_factory.mktemp("console-data"),
            royal_sandbox_host=sandbox_server.host,
            royal_sandbox_port=sandbox_server.port,
        )
        sandbox_server.sandbox.reset()
        with live_server(settings) as server:
            asyncio.run(_add_users(settings))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
                )
                try:
                    yield Console(server, browser, settings, sandbox_server)
                finally:
                    browser.close()
            assert server.runtime.unexpected_errors == 0
        reset_settings_cache()


@pytest.fixture
def store(console: Console) -> SandboxServer:
    """The module's sandbox. Not reset between tests: the server's supplier sessions would not
    survive it, so tests compare write counts before and after instead."""
    return console.sandbox


@pytest.fixture
def approver(console: Console) -> Iterator[Page]:
    page = console.sign_in("ada")
    yield page
    page.context.close()


@pytest.fixture
def viewer(console: Console) -> Iterator[Page]:
    page = console.sign_in("vic")
    yield page
    page.context.close()
