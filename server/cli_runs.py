"""`royal runs`: the runs the queue gave up on (dead), and an operator's retry or discard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from server.cli_common import console, fail, load_settings, require_sandbox

if TYPE_CHECKING:  # the runtime pulls in every graph: imported only by commands that use it
    from host.runtime import Runtime

app = typer.Typer(help="Dead runs: list, retry or discard them.", no_args_is_help=True)


@app.command()
def dead(
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    discarded: Annotated[bool, typer.Option(help="List the discarded ones instead.")] = False,
) -> None:
    """Runs that failed every attempt they were allowed, most recently dead first."""
    from host import dead_runs
    from server.cli_progress import on_local_runtime

    async def work(runtime: Runtime) -> None:
        page = await dead_runs.listing(runtime, limit=limit, discarded=discarded)
        table = Table(title=f"Dead runs ({page.total})", title_justify="left")
        for column in ("run", "thread", "assistant", "attempts", "last error", "dead since"):
            table.add_column(column, overflow="fold")
        for run in page.items:
            table.add_row(
                run.run_id,
                run.thread_id,
                run.assistant_id,
                str(run.failed_attempts),
                f"{run.error_class}: {run.error}",
                run.dead_at.isoformat(timespec="seconds"),
            )
        console.print(table)

    on_local_runtime(load_settings(), work)


@app.command()
def retry(run_id: str) -> None:
    """Run a dead run again (from its thread's last checkpoint) and follow it here."""
    from host import dead_runs
    from host.identity import local_principal
    from server.cli_progress import failure_line, follow, on_local_runtime

    settings = load_settings()
    require_sandbox(settings)

    async def work(runtime: Runtime) -> str | None:
        run = await dead_runs.retry(runtime, run_id, local_principal().subject)
        runtime.workers.follow(run.thread_id)  # executed here unless a server's worker is first
        console.print(f"run {run_id} is pending again on thread {run.thread_id}", highlight=False)
        return failure_line(await follow(console, runtime, run))

    problem = on_local_runtime(settings, work)
    if problem is not None:
        raise fail(problem, code=1)


@app.command()
def discard(
    run_id: str,
    reason: Annotated[str | None, typer.Option(help="Why, for the audit log.")] = None,
) -> None:
    """Give up on a dead run for good: it stays dead and leaves the list (audited)."""
    from host import dead_runs
    from host.identity import local_principal
    from server.cli_progress import on_local_runtime

    async def work(runtime: Runtime) -> None:
        await dead_runs.discard(runtime, run_id, local_principal().subject, reason)
        console.print(f"run {run_id} discarded: it stays dead", highlight=False)

    on_local_runtime(load_settings(), work)
