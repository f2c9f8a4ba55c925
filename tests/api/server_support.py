"""A live ``royal serve`` app on a random loopback port, in a thread, for SDK-driven tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from host.graphs import DEFAULT_CONFIG
from host.runtime import Runtime
from server.api import create_app
from settings import Settings
from tools.sandbox import SandboxServer


class LiveServer:
    def __init__(self, server: uvicorn.Server, port: int, app_state: object) -> None:
        self.server = server
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._state = app_state

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self._state.runtime  # type: ignore[attr-defined]
        return runtime


def sandboxed_settings(
    monkeypatch: pytest.MonkeyPatch,
    sandbox: SandboxServer,
    data_dir: Path,
    database_url: str | None = None,
    **overrides: Any,
) -> Settings:
    """Server settings on the test sandbox (also exported, for the graphs' default services)."""
    monkeypatch.setenv("ROYAL_SANDBOX_HOST", sandbox.host)
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", str(sandbox.port))
    return Settings(
        royal_data_dir=data_dir,
        royal_sandbox_host=sandbox.host,
        royal_sandbox_port=sandbox.port,
        database_url=database_url,
        **overrides,
    )


@contextmanager
def live_server(
    settings: Settings, config_path: Path = DEFAULT_CONFIG, *, workers: int = 2
) -> Iterator[LiveServer]:
    """``workers=0``: an API that only enqueues (``royal serve --no-workers``)."""
    app = create_app(lambda: Runtime.open(settings, config_path=config_path, workers=workers))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(server, port, app.state)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
