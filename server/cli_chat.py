"""`royal chat`: talk to the CEO, one-shot or interactively, with live progress."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Annotated

import typer

from server.cli_common import console, fail, load_settings

if TYPE_CHECKING:  # the engine pulls in every graph: imported when a chat starts
    from server.engine import Engine


def chat(
    message: Annotated[
        str | None, typer.Argument(help="A goal; omit to chat interactively.")
    ] = None,
    thread: Annotated[str | None, typer.Option(help="Continue this thread (default: new).")] = None,
) -> None:
    """Set goals with the CEO agent and watch the clusters work."""
    settings = load_settings()
    thread_id = thread or str(uuid.uuid4())
    if message is not None and not message.strip():
        raise fail("the message is empty")
    asyncio.run(_chat(settings, thread_id, message))


async def _chat(settings: object, thread_id: str, message: str | None) -> None:
    from server.engine import open_engine
    from tools.llm import describe_model

    async with open_engine() as engine:
        console.print(
            f"[dim]thread {thread_id} · {describe_model(engine.services.models)['label']}[/]"
        )
        if message is not None:
            await _turn(engine, thread_id, message)
            return
        while True:
            try:
                text = await asyncio.to_thread(console.input, "[bold]you[/]> ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                return
            if text.strip() in {"exit", "quit"}:
                return
            if text.strip():
                await _turn(engine, thread_id, text)


async def _turn(engine: Engine, thread_id: str, text: str) -> None:
    from server.cli_progress import show_progress

    await show_progress(console, engine, thread_id, engine.stream_turn(thread_id, text))
