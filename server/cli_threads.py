"""`royal threads`: a thread's state and its checkpoint history; re-run what a crash left."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from server.cli_common import console, fail, load_settings, require_sandbox

if TYPE_CHECKING:  # the runtime pulls in every graph
    from host.runtime import Runtime

app = typer.Typer(help="Conversation threads with the CEO.", no_args_is_help=True)


def _graph_of(runtime: Runtime, assistant_id: object) -> str:
    from host.errors import ConflictError

    if not isinstance(assistant_id, str) or assistant_id not in runtime.graphs:
        raise ConflictError(f"the thread's graph ({assistant_id}) is not served here")
    return assistant_id


def _run(work: Callable[[Runtime], Awaitable[None]]) -> None:
    from server.cli_progress import on_local_runtime

    on_local_runtime(load_settings(), work)


@app.command()
def show(thread_id: str, history: int = typer.Option(20, min=0, max=1000)) -> None:
    """The thread's messages, pending approvals and its latest checkpoints."""

    async def work(runtime: Runtime) -> None:
        thread = await runtime.thread(thread_id)
        graph = runtime.served(_graph_of(runtime, thread.metadata.get("assistant_id"))).graph
        config = {"configurable": {"thread_id": thread_id}}
        state = await graph.aget_state(config)  # type: ignore[arg-type]
        console.print(f"[dim]thread {thread_id} · {thread.status}[/]")
        for message in state.values.get("messages", []):
            console.print(f"[bold]{message.type}[/]: {message.text}", highlight=False)
        for pending in state.interrupts:
            value = pending.value if isinstance(pending.value, dict) else {}
            console.print(
                f"[bold]waiting[/]: {value.get('title')} ({value.get('risk_level')}) "
                f"approval {value.get('approval_id')}"
            )
        if history:
            table = Table(title="History (newest first)", title_justify="left")
            for column in ("checkpoint", "step", "source", "next", "created"):
                table.add_column(column)
            async for snapshot in graph.aget_state_history(config, limit=history):  # type: ignore[arg-type]
                metadata = snapshot.metadata or {}
                table.add_row(
                    str(snapshot.config["configurable"].get("checkpoint_id", "")),
                    str(metadata.get("step", "")),
                    str(metadata.get("source", "")),
                    ", ".join(snapshot.next),
                    str(snapshot.created_at or ""),
                )
            console.print(table)

    _run(work)


@app.command()
def resume(thread_id: str) -> None:
    """Re-run what a thread's last checkpoint left pending (after a crash or a kill)."""
    require_sandbox(load_settings())
    problems: list[str] = []

    async def work(runtime: Runtime) -> None:
        from host import runs
        from host.errors import ConflictError
        from server.cli_progress import failure_line, follow

        thread = await runtime.thread(thread_id)
        assistant_id = _graph_of(runtime, thread.metadata.get("assistant_id"))
        state = await runtime.served(assistant_id).graph.aget_state(
            {"configurable": {"thread_id": thread_id}}
        )
        if state.interrupts:
            raise ConflictError(
                f"thread {thread_id} waits for an approval; decide it with royal approvals"
            )
        if not state.next:
            raise ConflictError(f"thread {thread_id} has nothing pending")
        runtime.workers.follow(thread_id)
        run = await runs.start(runtime, thread_id, assistant_id)
        problem = failure_line(await follow(console, runtime, run))
        if problem is not None:
            problems.append(problem)

    _run(work)
    if problems:
        raise fail(problems[0], code=1)
