"""`royal worker`: a process that only executes runs, beside `royal serve --no-workers` APIs."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer

from server.cli_common import console, fail, load_settings
from settings import Settings


def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Runs executed at once.")] = 4,
    config: Annotated[
        Path | None,
        typer.Option(help="A langgraph.json whose graphs to run [default: this project's]."),
    ] = None,
    grace: Annotated[
        float | None,
        typer.Option(
            min=0, help="Seconds in-flight runs get on SIGTERM [ROYAL_SHUTDOWN_GRACE_SECONDS]."
        ),
    ] = None,
) -> None:
    """Execute pending runs from the shared database until SIGTERM or Ctrl-C.

    Scaled out, API processes (`royal serve --no-workers`) enqueue runs and stream their events;
    workers claim them (DATABASE_URL) and publish events and take wake-ups and cancel requests
    over Redis (REDIS_URL). On SIGTERM a worker stops claiming, lets in-flight runs finish within
    the grace period, re-queues the rest for other workers and exits 0.
    """
    from server.api.graphs import DEFAULT_CONFIG, GraphConfigError, read_specs

    settings = load_settings()
    if grace is not None:
        settings = settings.model_copy(update={"royal_shutdown_grace_seconds": grace})
    config_path = (config or DEFAULT_CONFIG).resolve()
    try:
        specs = read_specs(config_path)
    except GraphConfigError as exc:
        raise fail(str(exc)) from None
    if settings.redis_url is None:
        console.print(
            "REDIS_URL is unset: API processes will not see this worker's events live, and "
            "it finds new runs by polling the database."
        )
    names = ", ".join(spec.graph_id for spec in specs)
    asyncio.run(_work(settings, config_path, concurrency, names))
    console.print("Stopped.")


async def _work(settings: Settings, config_path: Path, concurrency: int, names: str) -> None:
    from server.api.runtime import ApiRuntime

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with ApiRuntime.open(settings, config_path=config_path, workers=concurrency) as runtime:
        console.print(
            f"Worker {runtime.workers.worker_id} executing runs of {names}, {concurrency} at a time"
        )
        await stop.wait()
        console.print(
            f"Stopping: in-flight runs get {settings.royal_shutdown_grace_seconds:g} s, "
            "then go back to the queue"
        )
