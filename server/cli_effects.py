"""`royal effects`: external writes left STARTED (claimed, never recorded), and the sweep that
resolves them against their service."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from server.cli_common import console, load_settings

if TYPE_CHECKING:  # the runtime pulls in every graph: imported only by commands that use it
    from host.runtime import Runtime

app = typer.Typer(
    help="The effects ledger: writes left STARTED, and sweeping them.", no_args_is_help=True
)


@app.command()
def started(limit: Annotated[int, typer.Option(min=1, max=500)] = 100) -> None:
    """Writes still STARTED (any age), oldest first, and whether a resolver knows their tool."""
    from host.effect_resolvers import RESOLVERS
    from server.cli_progress import on_local_runtime
    from storage.effects import EffectsLedger

    async def work(runtime: Runtime) -> None:
        ledger = EffectsLedger(runtime.store.database, clock=runtime.store.clock)
        rows = await ledger.started_before(runtime.store.clock() + timedelta(days=1), limit)
        table = Table(title=f"STARTED effects ({len(rows)})", title_justify="left")
        for column in ("key", "thread", "action", "tool", "attempts", "since", "resolver"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                row.idempotency_key,
                row.thread_id,
                row.action_kind,
                row.tool,
                str(row.attempts),
                row.created_at.isoformat(timespec="seconds"),
                "yes" if row.tool in RESOLVERS else "none: check by hand",
            )
        console.print(table)

    on_local_runtime(load_settings(), work)


@app.command()
def sweep(
    grace: Annotated[
        float | None,
        typer.Option(help="Only rows older than this many seconds [ROYAL_EFFECTS_GRACE_SECONDS]."),
    ] = None,
) -> None:
    """Resolve STARTED writes against their service now (what each worker does periodically);
    exits 1 if some stay unresolved."""
    from host.effects_sweep import sweep_once
    from server.cli_progress import on_local_runtime

    settings = load_settings()
    seconds = settings.royal_effects_grace_seconds if grace is None else grace

    async def work(runtime: Runtime) -> int:
        report = await sweep_once(runtime, grace=timedelta(seconds=seconds))
        console.print(
            f"applied {len(report.applied)}, not applied {len(report.not_applied)}, "
            f"unresolved {len(report.unresolved)}, skipped (run in flight) {report.in_flight}",
            highlight=False,
        )
        for key in report.unresolved:
            console.print(f"unresolved: {key}", highlight=False)
        return len(report.unresolved)

    if on_local_runtime(settings, work):
        raise typer.Exit(code=1)
