"""`royal serve`: the LangGraph-Server-compatible API over every graph of a langgraph.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from server.cli_common import console, fail, load_settings


def serve(
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 2024,
    config: Annotated[
        Path | None,
        typer.Option(help="A langgraph.json whose graphs to serve [default: this project's]."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Runs executed concurrently.")] = 4,
) -> None:
    """Serve the graphs as assistants over the LangGraph Server API until interrupted."""
    import uvicorn

    from server.api import ApiRuntime, create_app
    from server.api.graphs import DEFAULT_CONFIG, GraphConfigError, read_specs

    settings = load_settings()
    config_path = (config or DEFAULT_CONFIG).resolve()
    try:
        specs = read_specs(config_path)
    except GraphConfigError as exc:
        raise fail(str(exc)) from None
    app = create_app(lambda: ApiRuntime.open(settings, config_path=config_path, workers=workers))
    names = ", ".join(spec.graph_id for spec in specs)
    console.print(f"Serving {names} from {config_path} on http://{host}:{port}")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
