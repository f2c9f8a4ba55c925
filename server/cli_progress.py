"""Live progress of a graph run in the terminal: which cluster and node is working, proposed
actions and their risk, the CEO's answer as it streams, and approvals left waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from langchain_core.messages import AIMessageChunk
from rich.console import Console

from server.engine import Engine

RISK_STYLE = {"LOW": "green", "MEDIUM": "yellow", "HIGH": "bold red"}


def _where(namespace: tuple[str, ...]) -> str:
    return " › ".join(part.split(":", 1)[0] for part in namespace)


async def show_progress(
    console: Console,
    engine: Engine,
    thread_id: str,
    events: AsyncIterator[tuple[tuple[str, ...], str, Any]],
) -> int:
    """Print the run as it happens; returns the number of approvals left waiting."""
    answering = False
    answered = False
    async for namespace, mode, chunk in events:
        if mode == "messages":
            message, metadata = chunk
            if metadata.get("langgraph_node") == "respond" and isinstance(message, AIMessageChunk):
                if not answering:
                    console.print("\n[bold]CEO[/]: ", end="")
                    answering = answered = True
                console.print(message.text, end="", markup=False, highlight=False)
        elif mode == "custom":
            if answering:
                console.print()
                answering = False
            _print_event(console, chunk)
        elif mode == "updates":
            if answering:
                console.print()
                answering = False
            for node in chunk:
                if node.startswith("__"):
                    continue
                prefix = f"{_where(namespace)} › " if namespace else ""
                console.print(f"  [dim]✓ {prefix}{node}[/]")
    if answering:
        console.print()
    state = await engine.state(thread_id)
    messages = state.values.get("messages", []) if isinstance(state.values, dict) else []
    if not answered and not state.interrupts and messages and messages[-1].type == "ai":
        # An answer written without a model call (a clarifying question, a stop) never streams.
        console.print("\n[bold]CEO[/]: ", end="")
        console.print(messages[-1].text, markup=False, highlight=False)
    for pending in state.interrupts:
        request = pending.value if isinstance(pending.value, dict) else {}
        risk = request.get("risk_level", "?")
        console.print(
            f"\n[bold]Waiting for approval[/]: {request.get('title')} "
            f"[{RISK_STYLE.get(risk, 'white')}]{risk}[/] — {'; '.join(request.get('reasons', []))}"
        )
        console.print(
            f"  deadline {request.get('deadline')}; decide with "
            f"[bold]royal approvals approve|reject|modify {request.get('approval_id')}[/]"
        )
    return len(state.interrupts)


def _print_event(console: Console, event: Any) -> None:
    if not isinstance(event, dict):
        return
    risk = str(event.get("risk_level", ""))
    style = RISK_STYLE.get(risk, "white")
    where = f"{event.get('cluster')} › {event.get('agent')}"
    if event.get("type") == "action_executed":
        console.print(f"  ▶ {where}: {event.get('action')} executed [{style}]{risk}[/]")
    elif event.get("type") == "approval_requested":
        console.print(f"  ⏸ {where}: {event.get('action')} needs approval [{style}]{risk}[/]")
