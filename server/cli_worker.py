"""`royal worker`: a process that only executes runs, beside `royal serve --no-workers` APIs."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from server.cli_common import console, fail, load_settings
from settings import Settings

if TYPE_CHECKING:
    from host.runtime import Runtime


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
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Serve this worker's node, tool and model metrics for Prometheus on "
            "127.0.0.1:PORT/metrics (queue and approval figures come from the API's /metrics).",
        ),
    ] = None,
) -> None:
    """Execute pending runs from the shared database until SIGTERM or Ctrl-C.

    Scaled out, API processes (`royal serve --no-workers`) enqueue runs and stream their events;
    workers claim them (DATABASE_URL) and publish events and take wake-ups and cancel requests
    over Redis (REDIS_URL). On SIGTERM a worker stops claiming, lets in-flight runs finish within
    the grace period, re-queues the rest for other workers and exits 0.
    """
    from host.graphs import DEFAULT_CONFIG, GraphConfigError, read_specs
    from host.logging_setup import configure_logging

    settings = load_settings()
    configure_logging(settings.royal_log_format, settings.log_level)  # as `royal serve` does
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
    asyncio.run(_work(settings, config_path, concurrency, names, metrics_port))
    console.print("Stopped.")


async def _work(
    settings: Settings, config_path: Path, concurrency: int, names: str, metrics_port: int | None
) -> None:
    from host import crons, effects_sweep, order_sweep
    from host.runtime import Runtime

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with (
        Runtime.open(settings, config_path=config_path, workers=concurrency) as runtime,
        crons.ticking(runtime),  # any worker may fire a due cron; each tick fires once
        effects_sweep.sweeping(runtime),  # writes left STARTED by a dead process: resolved
        order_sweep.sweeping(runtime),  # paid orders no webhook delivered; each line once
    ):
        console.print(
            f"Worker {runtime.workers.worker_id} executing runs of {names}, {concurrency} at a time"
        )
        if metrics_port is not None:
            serve_worker_metrics(runtime, metrics_port)
        await stop.wait()
        console.print(
            f"Stopping: in-flight runs get {settings.royal_shutdown_grace_seconds:g} s, "
            "then go back to the queue"
        )


def serve_worker_metrics(runtime: Runtime, port: int) -> None:
    """The run-level families (node, tool, model latency and spend) of this worker's runs."""
    from prometheus_client import start_http_server

    from server.api.metrics import Metrics, MetricsCallback

    metrics = Metrics()
    prices = runtime.services.models.prices if runtime.services else None
    runtime.workers.callbacks.append(MetricsCallback(metrics, prices))
    runtime.workers.on_start.append(metrics.run_started)
    try:
        start_http_server(port, addr="127.0.0.1", registry=metrics.registry)
    except OSError as exc:
        raise fail(f"cannot serve metrics on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    console.print(f"Metrics on http://127.0.0.1:{port}/metrics")
