"""A new user follows the README: every command of its shell examples, in order, each in its
own process, against `royal up` — then an approval started from the CLI is decided in the
console (a real browser), and a stateless `/runs/wait` that pauses is decided through
`/api/v1`. Every step must say what happened; the products end up live in the sandbox.

The README's commands are read from the README itself, so an example that stops working (or a
new one nobody ran) fails here.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.cli_support import ROOT, free_port, royal

CHROMIUM = "/usr/bin/chromium"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PASSWORD = "walkthrough-pass-1"
#: Commands of the README that this test runs itself, in its own way.
MAIN_JOB = "royal up"
TEST_COMMAND = "scripts/test"


def readme_commands() -> list[str]:
    """Every command of the README's ```bash blocks, in order (continuations joined,
    comments dropped)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for command in block.replace("\\\n", " ").splitlines():
            command = command.strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


@dataclass
class Stack:
    """`royal up` running in its own process, and how to reach it."""

    api: str
    sandbox: str
    env: dict[str, str]

    def royal(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return royal(self.env, *args, stdin=stdin)

    def product(self, title: str) -> dict[str, object] | None:
        answer = httpx.post(
            f"{self.sandbox}/shopify/admin/api/2026-01/graphql.json",
            headers={"X-Shopify-Access-Token": "shpat_sandbox_token"},
            json={"query": "{ products(first: 100) { nodes { title status } } }"},
            timeout=10,
        )
        answer.raise_for_status()
        nodes = answer.json()["data"]["products"]["nodes"]
        return next((n for n in nodes if str(n["title"]).startswith(title)), None)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    api_port, sandbox_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ROYAL_", "DATABASE_URL", "REDIS_URL", "OPENAI_"))
    }
    env.update(
        ROYAL_SANDBOX_PORT=str(sandbox_port),
        ROYAL_DATA_DIR=str(tmp_path / "data"),
        COLUMNS="250",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "up", "--port", str(api_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    api = f"http://127.0.0.1:{api_port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"{api}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError("royal up did not become ready")
        yield Stack(api=api, sandbox=f"http://127.0.0.1:{sandbox_port}", env=env)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            raise AssertionError(f"royal up did not stop on SIGTERM:\n{output}") from None
    assert process.returncode == 0, output
    assert "Traceback" not in output, output


def _run_readme_command(stack: Stack, command: str, approval_ids: list[str]) -> str:
    """Run one README command as a new user would type it; returns what it printed."""
    command = command.replace("http://127.0.0.1:2024", stack.api)
    command = command.replace("http://127.0.0.1:8787", stack.sandbox)
    words = shlex.split(command, comments=True)
    if words[:2] == ["curl", "-s"] or words[0] == "curl":
        done = subprocess.run(words, capture_output=True, text=True, timeout=240, check=False)
        assert done.returncode == 0, (command, done.stderr)
        return done.stdout
    assert words[:3] == ["uv", "run", "royal"], f"a README command this test cannot run: {command}"
    args = [approval_ids[-1] if word == "<id>" else word for word in words[3:]]
    stdin = f"{PASSWORD}\n{PASSWORD}\n" if args[:2] == ["users", "add"] else None
    done = stack.royal(*args, stdin=stdin)
    assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    approval_ids.extend(re.findall(rf"approve\|reject\|modify ({UUID})", done.stdout))
    approval_ids.extend(re.findall(rf"^\s*({UUID})\b", done.stdout, re.M))
    return done.stdout + done.stderr


@pytest.mark.timeout(1200)
def test_a_new_user_follows_the_readme(stack: Stack) -> None:
    commands = [c for c in readme_commands() if not c.endswith(MAIN_JOB) and TEST_COMMAND not in c]
    assert any("royal chat" in c for c in commands)
    assert any("royal approvals approve" in c for c in commands)
    approval_ids: list[str] = []
    outputs = []
    started = time.monotonic()
    for command in commands:
        output = _run_readme_command(stack, command, approval_ids)
        outputs.append(output)
        assert "failed to" not in output, (command, output)  # no service failed on the way
    # Every chat example ran within a minute of the first (the CJ token is shared).
    assert time.monotonic() - started < 600
    assert approval_ids, "no example waited for an approval"
    assert any("APPROVED by cli:" in output for output in outputs)
    rope = stack.product("Smart Jump Rope")
    assert rope is not None
    assert rope["status"] == "ACTIVE", rope


@pytest.mark.timeout(900)
def test_an_approval_from_the_cli_is_decided_in_the_console(stack: Stack) -> None:
    added = stack.royal("users", "add", "ada", "--role", "admin", stdin=f"{PASSWORD}\n" * 2)
    assert added.returncode == 0, added.stderr
    chat = stack.royal("chat", "Publish a rechargeable LED camping lantern", "--thread", "lamp")
    assert chat.returncode == 0, chat.stdout + chat.stderr
    (approval_id,) = re.findall(rf"approve\|reject\|modify ({UUID})", chat.stdout)
    assert stack.product("Rechargeable LED Camping Lantern") is None
    # The thread the CLI created is the API's and the console's too.
    state = httpx.get(f"{stack.api}/threads/lamp/state", timeout=10)
    assert state.status_code == 200, state.text

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page()
            page.goto(f"{stack.api}/console/login")
            page.fill("input[name=username]", "ada")
            page.fill("input[name=password]", PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_url(f"{stack.api}/console/")
            page.goto(f"{stack.api}/console/approvals/{approval_id}")
            page.get_by_label("Approve").check()
            page.get_by_role("button", name="Submit decision").click()
            page.wait_for_url(re.compile(r"\?run="), timeout=60_000)
            expect(page.locator("#decision-sent")).to_be_visible()
        finally:
            browser.close()
    deadline = time.monotonic() + 60
    while stack.product("Rechargeable LED Camping Lantern") is None:
        assert time.monotonic() < deadline, "the approved product never went live"
        time.sleep(0.5)
    record = httpx.get(f"{stack.api}/api/v1/approvals/{approval_id}", timeout=10).json()
    assert record["status"] == "APPROVED"
    assert record["decided_by"] == "ada"


@pytest.mark.timeout(900)
def test_a_stateless_run_that_pauses_is_decided_through_the_api(stack: Stack) -> None:
    body = {
        "assistant_id": "ceo",
        "input": {"messages": [{"role": "user", "content": "Publish a reflective dog harness"}]},
    }
    answer = httpx.post(f"{stack.api}/runs/wait", json=body, timeout=240)
    assert answer.status_code == 200, answer.text
    (interrupt,) = answer.json()["__interrupt__"]
    request = interrupt["value"]
    thread = answer.headers["location"]
    assert thread == f"/threads/{request['thread_id']}"  # the paused thread is kept, and named
    decided = httpx.post(
        f"{stack.api}/api/v1/approvals/{request['approval_id']}/approve",
        json={"notes": "fine"},
        timeout=30,
    )
    assert decided.status_code == 202, decided.text
    run = decided.json()
    joined = httpx.get(
        f"{stack.api}/threads/{run['thread_id']}/runs/{run['run_id']}/join", timeout=240
    )
    assert joined.status_code == 200
    assert stack.product("Reflective No-Pull Dog Harness") is not None
    final = httpx.get(f"{stack.api}/api/v1/approvals/{request['approval_id']}", timeout=10)
    assert final.json()["status"] == "APPROVED"
