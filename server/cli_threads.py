"""`royal threads`: a thread's state and its checkpoint history."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from server.cli_common import console, fail, load_settings

if TYPE_CHECKING:
    from server.engine import Engine

app = typer.Typer(help="Conversation threads with the CEO.", no_args_is_help=True)


@app.command()
def show(thread_id: str, history: int = typer.Option(20, min=0, max=1000)) -> None:
    """The thread's messages, pending approvals and its latest checkpoints."""
    load_settings()

    async def work(engine: Engine) -> bool:
        state = await engine.state(thread_id)
        if not state.values and not state.next:
            return False
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
            for snapshot in await engine.history(thread_id, limit=history):
                metadata = snapshot.metadata or {}
                table.add_row(
                    str(snapshot.config["configurable"].get("checkpoint_id", "")),
                    str(metadata.get("step", "")),
                    str(metadata.get("source", "")),
                    ", ".join(snapshot.next),
                    str(snapshot.created_at or ""),
                )
            console.print(table)
        return True

    async def go() -> bool:
        from server.engine import open_engine

        async with open_engine() as engine:
            return await work(engine)

    if not asyncio.run(go()):
        raise fail(f"no thread {thread_id}", code=1)


@app.command()
def resume(thread_id: str) -> None:
    """Re-run what a thread's last checkpoint left pending (after a crash or a kill)."""
    load_settings()

    async def go() -> int:
        from server.cli_progress import show_progress
        from server.engine import open_engine

        async with open_engine() as engine:
            state = await engine.state(thread_id)
            if not state.next:
                return -1
            if state.interrupts:
                return -2
            return await show_progress(
                console, engine, thread_id, engine.stream_continue(thread_id)
            )

    outcome = asyncio.run(go())
    if outcome == -1:
        raise fail(f"thread {thread_id} has nothing pending", code=1)
    if outcome == -2:
        raise fail(
            f"thread {thread_id} waits for an approval; decide it with royal approvals", code=1
        )
