"""`royal serve`: the LangGraph-Server-compatible API over every graph of a langgraph.json."""

from __future__ import annotations

import errno
import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from server.cli_common import console, fail, load_settings

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from settings import Settings

_CONFIG_ENV = "ROYAL_SERVE_CONFIG"
_CONCURRENCY_ENV = "ROYAL_SERVE_CONCURRENCY"
"""How ``--processes`` hands the graphs file and ``--workers`` to its spawned processes."""


def serve(
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 2024,
    config: Annotated[
        Path | None,
        typer.Option(help="A langgraph.json whose graphs to serve [default: this project's]."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Runs executed concurrently.")] = 4,
    no_workers: Annotated[
        bool,
        typer.Option(
            "--no-workers",
            help="Only serve the API; runs execute in `royal worker` processes (needs "
            "DATABASE_URL and REDIS_URL shared with them).",
        ),
    ] = False,
    processes: Annotated[
        int,
        typer.Option(
            min=1,
            help="API processes sharing the port (each with its own --workers); more than one "
            "needs REDIS_URL: a run's events may come from another process.",
        ),
    ] = 1,
) -> None:
    """Serve the graphs as assistants over the LangGraph Server API until interrupted.

    On SIGTERM: stop accepting, give in-flight runs ROYAL_SHUTDOWN_GRACE_SECONDS, re-queue
    the rest for other workers, exit 0.
    """
    from host.graphs import DEFAULT_CONFIG, GraphConfigError, read_specs
    from server.api.auth import startup_problem

    settings = load_settings()

    if (problem := startup_problem(settings, host)) is not None:
        raise fail(problem)
    config_path = (config or DEFAULT_CONFIG).resolve()
    try:
        specs = read_specs(config_path)
    except GraphConfigError as exc:
        raise fail(str(exc)) from None
    if no_workers and settings.redis_url is None:
        raise fail("--no-workers needs REDIS_URL: streams come from the worker processes")
    if processes > 1 and settings.redis_url is None:
        raise fail("--processes needs REDIS_URL: a run's events may come from another process")
    concurrency = 0 if no_workers else workers
    names = ", ".join(spec.graph_id for spec in specs)
    mode = " (API only)" if no_workers else ""
    if processes > 1:
        from host.logging_setup import configure_logging

        console.print(f"Serving {names} from {config_path} on http://{host}:{port}{mode}")
        configure_logging(settings.royal_log_format, settings.log_level)  # ROYAL_LOG_FORMAT
        _serve_processes(config_path, concurrency, processes, _options(settings, host, port))
        return
    sock = bind_or_fail(host, port, "choose another with --port")
    console.print(f"Serving {names} from {config_path} on http://{host}:{port}{mode}")
    run_api(settings, sock, config_path=config_path, concurrency=concurrency)


def bind_or_fail(host: str, port: int, remedy: str, *, what: str = "port") -> socket.socket:
    """The listening address, bound now, or one line saying why not (and what to do)."""
    try:
        return bind_socket(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise fail(f"{what} {port} on {host} is already in use; {remedy}") from None
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}; {remedy}") from None


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` as uvicorn binds it (``SO_REUSEADDR``), before
    anything starts: a taken port is found here, not after the banner said "Running"."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run_api(
    settings: Settings,
    sock: socket.socket,
    *,
    config_path: Path,
    concurrency: int,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Serve the API on an already bound socket until SIGTERM or Ctrl-C; ``on_started`` runs
    once the runtime is open and the API accepts connections."""
    import uvicorn

    from host.logging_setup import configure_logging
    from host.runtime import Runtime
    from server.api import create_app

    configure_logging(settings.royal_log_format, settings.log_level)  # ROYAL_LOG_FORMAT
    host, port = sock.getsockname()[:2]
    app = create_app(
        lambda: Runtime.open(settings, config_path=config_path, workers=concurrency),
        opentelemetry=settings.royal_opentelemetry,
    )
    config = uvicorn.Config(app, **_options(settings, host, port))  # type: ignore[arg-type]
    server = _graceful_server(config, on_started)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    if not server.started:
        raise typer.Exit(3)  # uvicorn logged why (as `uvicorn.run` would exit)


def _options(settings: Settings, host: str, port: int) -> dict[str, object]:
    return {
        "host": host,
        "port": port,
        "log_level": "warning",
        "log_config": None,  # our handler (configure_logging) formats uvicorn's lines too
        "access_log": False,  # the API logs each request itself, with its request id
        "timeout_graceful_shutdown": max(int(settings.royal_shutdown_grace_seconds), 1),
    }


def _serve_processes(
    config_path: Path, concurrency: int, processes: int, options: dict[str, object]
) -> None:
    """uvicorn's supervisor: ``processes`` spawned processes accept on one socket, each
    opening its own runtime (``app_from_env``); SIGTERM stops them all gracefully."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ[_CONFIG_ENV] = str(config_path)
    os.environ[_CONCURRENCY_ENV] = str(concurrency)
    config = uvicorn.Config(
        "server.cli_serve:app_from_env",
        factory=True,
        workers=processes,
        **options,  # type: ignore[arg-type]
    )
    sock = bind_or_fail(config.host, config.port, "choose another with --port")
    Multiprocess(config, sockets=[sock]).run()


def app_from_env() -> FastAPI:
    """The app of one ``--processes`` process (uvicorn imports this in each one)."""
    from host.logging_setup import configure_logging
    from host.runtime import Runtime
    from server.api import create_app

    settings = load_settings()
    configure_logging(settings.royal_log_format, settings.log_level)
    config_path = Path(os.environ[_CONFIG_ENV])
    concurrency = int(os.environ[_CONCURRENCY_ENV])
    return create_app(
        lambda: Runtime.open(settings, config_path=config_path, workers=concurrency),
        opentelemetry=settings.royal_opentelemetry,
    )


def _graceful_server(
    config: uvicorn.Config, on_started: Callable[[], None] | None = None
) -> uvicorn.Server:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGTERM after its graceful shutdown (the process then dies by the
        signal); a shutdown done on request is a success, so exit 0 instead."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and on_started is not None:
                on_started()

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            super().handle_exit(sig, frame)
            if sig == signal.SIGTERM:
                self._captured_signals = [s for s in self._captured_signals if s != sig]

    return Server(config)
