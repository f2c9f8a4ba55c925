"""The CLI as a front end of the runtime: open it for this shell's user, and follow a run in
the terminal (which cluster and node works, proposed actions and their risk, the CEO's answer
as it streams, approvals left waiting, services that failed)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rich.console import Console

from host import runs
from host.errors import HostError
from host.identity import acting_as, local_principal
from host.progress import RunOutcome, outcome, progress_events
from host.runtime import Runtime
from server.cli_common import fail
from settings import Settings
from storage.runs import RunRow

RISK_STYLE = {"LOW": "green", "MEDIUM": "yellow", "HIGH": "bold red"}
#: Run slots of a CLI process: it executes only the runs of the threads it drives.
CLI_WORKERS = 2
T = TypeVar("T")


@asynccontextmanager
async def local_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The runtime in this process, acting as the shell's user; its workers claim only runs of
    threads this command follows, so a CLI never takes another front end's work."""
    async with Runtime.open(settings, workers=CLI_WORKERS, threads=set()) as runtime:
        with acting_as(local_principal()):
            yield runtime


def on_local_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[T]]) -> T:
    """``work`` on this process's runtime; a refusal is one line and exit 1."""

    async def go() -> T:
        async with local_runtime(settings) as runtime:
            return await work(runtime)

    try:
        return asyncio.run(go())
    except HostError as exc:
        raise fail(str(exc), code=1) from None


async def follow(console: Console, runtime: Runtime, run: RunRow) -> RunOutcome:
    """Print the run as it happens, then how it ended; returns that outcome."""
    answering = answered = False

    def stop_answer() -> None:
        nonlocal answering
        if answering:
            console.print()
            answering = False

    async for event in runs.events(runtime, run):
        for kind, data in progress_events(event):
            if kind == "token":
                if not answering:
                    console.print("\n[bold]CEO[/]: ", end="")
                    answering = answered = True
                console.print(data["text"], end="", markup=False, highlight=False)
            elif kind == "step":
                stop_answer()
                console.print(f"  [dim]✓ {data['where']} › {data['node']}[/]")
            elif kind == "plan":
                stop_answer()
                _print_plan(console, data)
            elif kind == "action":
                stop_answer()
                _print_action(console, data)
    stop_answer()
    ended = await outcome(runtime, run.run_id)
    if not answered and ended.answer:
        # An answer written without a model call (a clarifying question, a stop) never streams.
        console.print("\n[bold]CEO[/]: ", end="")
        console.print(ended.answer, markup=False, highlight=False)
    for pending in ended.interrupts:
        risk = str(pending.get("risk_level") or "?")
        console.print(
            f"\n[bold]Waiting for approval[/]: {pending.get('title')} "
            f"[{RISK_STYLE.get(risk, 'white')}]{risk}[/] — {'; '.join(pending.get('reasons', []))}"
        )
        approval = pending.get("approval_id")
        console.print(
            f"  decide with [bold]royal approvals approve|reject|modify {approval}[/] "
            "or in the console"
        )
    return ended


def _print_plan(console: Console, plan: Any) -> None:
    if not isinstance(plan, dict):
        return
    for task in plan.get("tasks") or []:
        if isinstance(task, dict):
            console.print(f"  [dim]→ {task.get('cluster')}: {task.get('title')}[/]")


def _print_action(console: Console, event: Any) -> None:
    if not isinstance(event, dict):
        return
    risk = str(event.get("risk_level", ""))
    style = RISK_STYLE.get(risk, "white")
    where = f"{event.get('cluster')} › {event.get('agent')}"
    if event.get("type") == "action_executed":
        console.print(f"  ▶ {where}: {event.get('action')} executed [{style}]{risk}[/]")
    elif event.get("type") == "approval_requested":
        console.print(f"  ⏸ {where}: {event.get('action')} needs approval [{style}]{risk}[/]")


def failure_line(ended: RunOutcome) -> str | None:
    """Why a command that ran this run must exit non-zero (``None``: it need not)."""
    if ended.status in ("error", "dead"):
        message = (ended.error or {}).get("message") or "unknown error"
        gave_up = " (dead after its last attempt)" if ended.status == "dead" else ""
        return f"the run failed{gave_up}: {message}"
    if ended.failures:
        count = len(ended.failures)
        return f"{count} task(s) could not be done because a service failed: " + "; ".join(
            ended.failures
        )
    return None
