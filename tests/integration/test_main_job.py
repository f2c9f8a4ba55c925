"""The README's main job as a user runs it: `royal up` in its own process prints a short start
screen, serves the sandbox, the API and the console, logs for people on a terminal and JSON
otherwise, refuses a taken port in one line, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

MAX_SCREEN_LINES = 28


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _held_port() -> Iterator[int]:
    """A loopback port another program is listening on."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield busy.getsockname()[1]


def _env(tmp_path: Path, sandbox_port: int, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ROYAL_SANDBOX_PORT": str(sandbox_port),
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
        **extra,
    }
    env.pop("ROYAL_LOG_FORMAT", None)
    return env


def _up(*args: str) -> list[str]:
    return [sys.executable, "-m", "server.cli", "up", *args]


def _wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float = 60) -> str:
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not printed; output so far:\n{''.join(seen)}")


def _wait_until_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s")


def test_royal_up_prints_a_short_screen_serves_everything_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    sandbox_port, api_port = _free_port(), _free_port()
    api = f"http://127.0.0.1:{api_port}"
    process = subprocess.Popen(
        _up("--port", str(api_port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path, sandbox_port),
    )
    try:
        screen = _wait_for_line(process, "Running.")
        _wait_until_ready(f"{api}/readyz")
        response = httpx.post(
            f"http://127.0.0.1:{sandbox_port}/shopify/admin/api/2026-01/graphql.json",
            headers={"X-Shopify-Access-Token": "shpat_sandbox_token"},
            json={"query": "{ products(first: 3) { nodes { id title handle } } }"},
            timeout=10,
        )
        assert response.status_code == 200
        assert len(response.json()["data"]["products"]["nodes"]) == 3
        assistants = httpx.post(f"{api}/assistants/search", json={}, timeout=10).json()
        assert {"ceo", "product"} <= {a["graph_id"] for a in assistants}
        assert "<form" in httpx.get(f"{api}/console/login", timeout=10).text
        assert httpx.get(f"{api}/docs", timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        rest, logs = process.communicate(timeout=30)
    assert process.returncode == 0, logs[-3000:]
    assert rest.strip() == "Stopped."

    lines = screen.rstrip("\n").splitlines()
    assert lines[-1] == "Running. Press Ctrl-C to stop."
    assert len(lines) <= MAX_SCREEN_LINES, screen
    assert f"Console  {api}/console/" in screen
    assert f"API      {api}  (docs: {api}/docs)" in screen
    assert f"Sandbox  http://127.0.0.1:{sandbox_port}" in screen
    modes = dict(re.findall(r"^  (\S+)\s+(embedded|sandbox|real|offline|disabled)\b", screen, re.M))
    assert modes == {
        "database": "embedded",
        "redis": "disabled",
        "model": "offline",
        "shopify": "sandbox",
        "github": "sandbox",
        "cjdropshipping": "sandbox",
        "printful": "sandbox",
        "helpdesk": "sandbox",
        "reviews": "sandbox",
        "email": "sandbox",
        "ads": "sandbox",
    }
    assert "NOT ANSWERING" not in screen  # every service the sandbox provides answered
    steps = re.findall(r"^  \d\. (.+)$", screen, re.M)
    assert [step.split(":")[0] for step in steps] == [
        "Add a console user",
        "Open the console",
        "Try a goal",
    ]
    assert "royal users add" in steps[0]
    assert "royal chat" in steps[2]
    assert "SHOPIFY_API_VERSION" not in screen  # the configuration table is `royal config`'s

    # stderr is not a terminal here: the logs are JSON lines, one object each.
    records = [json.loads(line) for line in logs.splitlines() if line.strip()]
    assert records
    assert all({"level", "logger", "message"} <= set(r) for r in records)


def test_royal_up_logs_readable_lines_when_stderr_is_a_terminal(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        _up("--port", str(_free_port())),
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
        env=_env(tmp_path, _free_port()),
    )
    os.close(terminal)
    try:
        _wait_for_line(process, "Running.")
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    logs = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        logs += chunk
    os.close(controller)
    text = logs.decode()
    assert process.returncode == 0, text
    assert re.search(r"^\d\d:\d\d:\d\d WARNING server\.api\.auth: no API credentials", text, re.M)
    assert "{" not in text.splitlines()[0], text  # not a JSON object
    assert "alembic" not in text  # migration steps stay out of a person's start screen


def test_a_taken_api_port_is_one_line_naming_the_port_and_the_option(tmp_path: Path) -> None:
    with _held_port() as port:
        result = subprocess.run(
            _up("--port", str(port)),
            capture_output=True,
            text=True,
            timeout=180,
            env=_env(tmp_path, _free_port()),
            check=False,
        )
    assert result.returncode == 2
    assert result.stdout == ""  # nothing said "Running" (nothing was printed at all)
    assert result.stderr.splitlines() == [
        f"royal: the API's port {port} on 127.0.0.1 is already in use; choose another with --port"
    ]


def test_a_taken_sandbox_port_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    with _held_port() as port:
        result = subprocess.run(
            _up("--port", str(_free_port())),
            capture_output=True,
            text=True,
            timeout=180,
            env=_env(tmp_path, port),
            check=False,
        )
    assert result.returncode == 2
    assert "Running" not in result.stdout
    assert result.stderr.splitlines() == [
        f"royal: the sandbox's port 127.0.0.1:{port} is already in use; "
        "set ROYAL_SANDBOX_PORT to a free port"
    ]
