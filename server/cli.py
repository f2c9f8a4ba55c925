"""The `royal` command-line program."""

from __future__ import annotations

import asyncio
import errno
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from server import cli_approvals, cli_credentials, cli_effects, cli_runs, cli_threads, cli_users
from server.cli_chat import chat
from server.cli_common import console, fail, load_settings
from server.cli_eval import eval_command
from server.cli_serve import serve
from server.cli_token import token
from server.cli_worker import worker
from server.config_view import configuration_rows
from settings import Settings

if TYPE_CHECKING:
    from server.doctor import ServiceStatus

app = typer.Typer(
    name="royal",
    help="Royal Orchestrator: LangGraph agents that run a Shopify store with human oversight.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
sandbox_app = typer.Typer(
    help="The local emulators of Shopify, GitHub, the suppliers, Meta ads and Zendesk."
)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(cli_approvals.app, name="approvals")
app.add_typer(cli_threads.app, name="threads")
app.add_typer(cli_runs.app, name="runs")
app.add_typer(cli_effects.app, name="effects")
app.add_typer(cli_users.app, name="users")
app.add_typer(cli_credentials.app, name="credentials")
app.command()(chat)
app.command("eval")(eval_command)
app.command()(serve)
app.command()(token)
app.command()(worker)


def _status_table(statuses: list[ServiceStatus]) -> Table:
    table = Table(title="Services", title_justify="left")
    for column in ("service", "mode", "target", "reachable", "detail"):
        table.add_column(column)
    for status in statuses:
        reachable = {True: "[green]yes[/]", False: "[red]no[/]", None: "[dim]n/a[/]"}
        table.add_row(
            status.service,
            status.mode.value,
            status.target,
            reachable[status.reachable],
            status.detail,
            style=None,
        )
    return table


def _config_table(settings: Settings) -> Table:
    table = Table(title="Configuration", title_justify="left")
    for column in ("variable", "value", "meaning"):
        table.add_column(column, overflow="fold")
    for row in configuration_rows(settings):
        table.add_row(row.variable, row.value, row.description)
    return table


@app.command()
def doctor() -> None:
    """Show how each service is provided (real, sandbox, embedded, offline) and if it answers."""
    settings = load_settings()
    from server.doctor import diagnose

    statuses = asyncio.run(diagnose(settings))
    console.print(_status_table(statuses))
    if any(status.reachable is False for status in statuses):
        raise fail("some services are not reachable (see the table above)", code=1)


@app.command("config")
def show_config() -> None:
    """Print the effective configuration (secrets are shown only as "(set)")."""
    console.print(_config_table(load_settings()))


@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[str | None, typer.Option(help="Listen address [ROYAL_SANDBOX_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [ROYAL_SANDBOX_PORT].")] = None,
    seed: Annotated[int | None, typer.Option(help="Demo-data seed [ROYAL_SANDBOX_SEED].")] = None,
) -> None:
    """Serve the Shopify, GitHub, CJdropshipping, Printful, Meta and Zendesk emulators until
    interrupted."""
    import uvicorn

    from tools.sandbox import Sandbox, create_sandbox_app

    settings = load_settings()
    host = host or settings.royal_sandbox_host
    port = settings.royal_sandbox_port if port is None else port
    sandbox = Sandbox(seed=settings.royal_sandbox_seed if seed is None else seed)
    console.print(f"Sandbox on http://{host}:{port} — services: {', '.join(sandbox.emulators)}")
    try:
        uvicorn.run(create_sandbox_app(sandbox), host=host, port=port, log_level="warning")
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@app.command()
def up(
    port: Annotated[int, typer.Option(help="Port of the API and the console.")] = 2024,
) -> None:
    """The main job on embedded defaults: the sandbox, the API with its workers and the console.

    Runs until Ctrl-C or SIGTERM (in-flight runs get ROYAL_SHUTDOWN_GRACE_SECONDS).
    """
    from host.graphs import DEFAULT_CONFIG
    from server.api.auth import startup_problem
    from server.cli_serve import bind_or_fail, run_api
    from server.doctor import diagnose
    from server.up_screen import up_screen
    from tools.sandbox import Sandbox, SandboxServer

    settings = load_settings()
    host = "127.0.0.1"
    if (problem := startup_problem(settings, host)) is not None:
        raise fail(problem)
    # Both ports are taken now, before anything is printed: a busy one is one line and exit 2.
    api_socket = bind_or_fail(host, port, "choose another with --port", what="the API's port")
    sandbox: SandboxServer | None = None
    if settings.uses_sandbox:
        try:
            sandbox = SandboxServer(
                Sandbox(seed=settings.royal_sandbox_seed),
                host=settings.royal_sandbox_host,
                port=settings.royal_sandbox_port,
            ).start()
        except OSError as exc:
            api_socket.close()
            where = f"{settings.royal_sandbox_host}:{settings.royal_sandbox_port}"
            reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"({exc.strerror})"
            raise fail(
                f"the sandbox's port {where} {reason}; set ROYAL_SANDBOX_PORT to a free port"
            ) from None
    try:
        screen = up_screen(
            settings,
            asyncio.run(diagnose(settings)),
            api_url=f"http://{host}:{port}",
            sandbox_url=None if sandbox is None else settings.sandbox_url,
            emulators=[] if sandbox is None else list(sandbox.sandbox.emulators),
        )
        for line in screen:
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        run_api(
            settings,
            api_socket,
            config_path=DEFAULT_CONFIG.resolve(),
            concurrency=4,
            on_started=lambda: console.print("Running. Press Ctrl-C to stop.", highlight=False),
        )
    finally:
        if sandbox is not None:
            sandbox.stop()
    console.print("Stopped.")


def main() -> None:
    """Entry point of the `royal` script."""
    app(prog_name="royal")


if __name__ == "__main__":
    main()
