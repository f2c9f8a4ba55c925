"""The README's main job: `royal up` starts the sandbox, reports, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float = 30) -> str:
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


def test_royal_up_serves_the_sandbox_the_api_and_the_console_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    port, api_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "ROYAL_SANDBOX_PORT": str(port),
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "up", "--port", str(api_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        output = _wait_for_line(process, "Running.")
        assert "SHOPIFY_API_VERSION" in output  # the configuration table
        assert "shopify" in output
        assert "sandbox" in output
        response = httpx.post(
            f"http://127.0.0.1:{port}/shopify/admin/api/2026-01/graphql.json",
            headers={"X-Shopify-Access-Token": "shpat_sandbox_token"},
            json={"query": "{ products(first: 3) { nodes { id title handle } } }"},
            timeout=10,
        )
        body = response.json()
        assert response.status_code == 200
        assert len(body["data"]["products"]["nodes"]) == 3
        assert "throttleStatus" in body["extensions"]["cost"]
        api = f"http://127.0.0.1:{api_port}"
        _wait_until_ready(f"{api}/readyz")
        assistants = httpx.post(f"{api}/assistants/search", json={}, timeout=10).json()
        assert {a["graph_id"] for a in assistants} == {"ceo", "product"}
        sign_in = httpx.get(f"{api}/console/login", timeout=10)
        assert sign_in.status_code == 200
        assert "<form" in sign_in.text
    finally:
        process.send_signal(signal.SIGTERM)
        remaining, _ = process.communicate(timeout=20)
    assert process.returncode == 0, remaining
    assert "Stopped." in remaining


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


def test_royal_up_reports_a_busy_port_in_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", "up"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "ROYAL_SANDBOX_PORT": str(port)},
            check=False,
        )
    assert result.returncode == 2
    assert "ROYAL_SANDBOX_PORT" in result.stderr
    assert "Traceback" not in result.stderr
