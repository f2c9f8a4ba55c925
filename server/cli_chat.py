"""`royal chat`: talk to the CEO, one-shot or interactively, with live progress.

Each turn is a run on the thread created the way the HTTP API creates one (a row in the runs
table, executed by the same worker code), so the thread is visible and resumable from the API,
the console and every other front end."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Annotated

import typer

from server.cli_common import console, fail, load_settings, require_sandbox
from settings import Settings

if TYPE_CHECKING:  # the runtime pulls in every graph: imported when a chat starts
    from host.runtime import Runtime

CEO = "ceo"


def chat(
    message: Annotated[
        str | None, typer.Argument(help="A goal; omit to chat interactively.")
    ] = None,
    thread: Annotated[str | None, typer.Option(help="Continue this thread (default: new).")] = None,
) -> None:
    """Set goals with the CEO agent and watch the clusters work.

    Exits 1 when the run failed or a task could not be done because a service failed, 3 when
    the sandbox is configured but not running."""
    settings = load_settings()
    if message is not None and not message.strip():
        raise fail("the message is empty")
    require_sandbox(settings)
    thread_id = thread or str(uuid.uuid4())
    problem = asyncio.run(_chat(settings, thread_id, message))
    if problem is not None:
        raise fail(problem, code=1)


async def _chat(settings: Settings, thread_id: str, message: str | None) -> str | None:
    from server.cli_progress import local_runtime
    from tools.llm import describe_model

    async with local_runtime(settings) as runtime:
        runtime.workers.follow(thread_id)
        label = describe_model(runtime.require_services().models)["label"]
        console.print(f"[dim]thread {thread_id} · {label}[/]")
        if message is not None:
            return await _turn(runtime, thread_id, message)
        while True:
            try:
                text = await asyncio.to_thread(console.input, "[bold]you[/]> ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                return None
            if text.strip() in {"exit", "quit"}:
                return None
            if text.strip():
                problem = await _turn(runtime, thread_id, text)
                if problem is not None:
                    console.print(f"[red]{problem}[/]", highlight=False)


async def _turn(runtime: Runtime, thread_id: str, text: str) -> str | None:
    from host import runs
    from host.identity import current_principal
    from server.cli_progress import failure_line, follow

    principal = current_principal()
    operator = principal.subject if principal else "operator"
    run = await runs.start(
        runtime,
        thread_id,
        CEO,
        input={"messages": [{"role": "human", "content": text}]},
        context={"operator": operator},
        metadata={"goal_set_by": operator, "source": "cli"},
    )
    return failure_line(await follow(console, runtime, run))
