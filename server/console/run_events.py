"""A run's events, reduced to what the console draws: answer tokens, the plan, cluster steps,
actions, interrupts and the end (status, final answer, approvals left waiting)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from host.broker import RunEvent
from host.runs import events as run_events
from host.runtime import Runtime
from server.api.sse import frame
from server.console.views import markdown_html
from storage.runs import RunRow

ANSWER_NODES = frozenset({"respond"})


def message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") if isinstance(part, dict) else str(part) for part in content
        )
    return ""


def _where(namespace: str) -> str:
    return " › ".join(part.split(":", 1)[0] for part in namespace.split("|") if part)


def interrupt_summary(value: Any) -> dict[str, Any]:
    request = value.get("value") if isinstance(value, dict) else None
    request = request if isinstance(request, dict) else {}
    return {
        "approval_id": request.get("approval_id"),
        "title": request.get("title"),
        "risk_level": request.get("risk_level"),
        "reasons": request.get("reasons", []),
    }


def console_events(event: RunEvent) -> list[tuple[str, Any]]:
    """The console's events for one broker event (often none)."""
    base, _, namespace = event.event.partition("|")
    data = event.data
    if base == "messages" and isinstance(data, list) and len(data) == 2:
        message, metadata = data
        node = metadata.get("langgraph_node") if isinstance(metadata, dict) else None
        text = message_text(message.get("content")) if isinstance(message, dict) else ""
        if not text:
            return []
        kind = "token" if node in ANSWER_NODES and not namespace else "thinking"
        return [(kind, {"node": node, "where": _where(namespace), "text": text})]
    if base == "updates" and isinstance(data, dict):
        out: list[tuple[str, Any]] = []
        for node, update in data.items():
            if node == "__interrupt__":
                if not namespace:  # the root repeats the subgraph's interrupt
                    continue
                for item in update if isinstance(update, list) else []:
                    out.append(("interrupt", interrupt_summary(item)))
            elif node == "plan" and isinstance(update, dict) and update.get("plan"):
                out.append(("plan", update["plan"]))
            elif not node.startswith("__"):
                out.append(("step", {"where": _where(namespace) or "ceo", "node": node}))
        return out
    if base == "custom" and isinstance(data, dict):
        return [("action", data)]
    if base == "error":
        return [("failure", data)]
    return []


def _last_answer(values: Any) -> str | None:
    messages = values.get("messages") if isinstance(values, dict) else None
    if isinstance(messages, list) and messages:
        last = messages[-1]
        if isinstance(last, dict) and last.get("type") == "ai":
            return message_text(last.get("content"))
    return None


async def run_end(runtime: Runtime, run_id: str) -> dict[str, Any]:
    """How the run ended, what it recorded in the audit log, and what the thread holds now."""
    run = await runtime.store.get_run(run_id)
    thread = None if run is None else await runtime.store.get_thread(run.thread_id)
    interrupts = []
    if thread is not None:
        for items in thread.interrupts.values():
            for item in items if isinstance(items, list) else []:
                interrupts.append(interrupt_summary(item))
    audit = []
    if runtime.services is not None and run is not None:
        # Entries of this run: graph nodes do not always know their run id, so by thread and time.
        page = await runtime.services.audit.list(
            thread_id=run.thread_id, since=run.created_at, newest_first=False, limit=100
        )
        audit = [
            {
                "event": entry.event,
                "actor": entry.actor,
                "cluster": entry.cluster,
                "action": entry.action_kind,
                "risk_level": entry.risk_level,
                "rules": entry.payload.get("rules"),
                "reasoning": entry.reasoning,
            }
            for entry in page.items
        ]
    answer = None if thread is None else _last_answer(thread.values)
    return {
        "run_id": run_id,
        "status": None if run is None else run.status,
        "audit": audit,
        "error": None if run is None else run.error,
        "answer": answer,
        "answer_html": None if answer is None else markdown_html(answer),
        "interrupts": interrupts,
    }


async def relay(runtime: Runtime, run: RunRow) -> AsyncIterator[bytes]:
    """SSE frames for the console, ending with an ``end`` frame."""
    from server.api.sse import with_heartbeats

    async for chunk in with_heartbeats(_converted(run_events(runtime, run))):
        yield chunk
    yield frame("end", await run_end(runtime, run.run_id))


async def _converted(events: AsyncIterator[RunEvent]) -> AsyncIterator[RunEvent]:
    async for event in events:
        for name, data in console_events(event):
            yield RunEvent(event.id, name, data)
