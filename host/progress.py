"""A run's events reduced to what a person follows: answer tokens, the plan, cluster steps,
actions, interrupts, failures — the same reduction for the console and the CLI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from host.broker import RunEvent
from host.runtime import Runtime

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


def progress_events(event: RunEvent) -> list[tuple[str, Any]]:
    """What one broker event means to a person following the run (often nothing)."""
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


def last_answer(values: Any) -> str | None:
    messages = values.get("messages") if isinstance(values, dict) else None
    if isinstance(messages, list) and messages:
        last = messages[-1]
        if isinstance(last, dict) and last.get("type") == "ai":
            return message_text(last.get("content"))
    return None


class RunOutcome(BaseModel):
    """How a run ended, what it recorded in the audit log, and what the thread holds now."""

    run_id: str
    thread_id: str | None = None
    status: str | None = None
    error: dict[str, Any] | None = None
    answer: str | None = None
    interrupts: list[dict[str, Any]] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    """Outside services that failed during the run, one sentence each (the CEO's run_info)."""
    audit: list[dict[str, Any]] = Field(default_factory=list)


async def outcome(runtime: Runtime, run_id: str) -> RunOutcome:
    run = await runtime.store.get_run(run_id)
    if run is None:
        return RunOutcome(run_id=run_id)
    thread = await runtime.store.get_thread(run.thread_id)
    interrupts = []
    values: Any = None
    if thread is not None:
        values = thread.values
        for items in thread.interrupts.values():
            for item in items if isinstance(items, list) else []:
                interrupts.append(interrupt_summary(item))
    audit = []
    if runtime.services is not None:
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
    info = values.get("run_info") if isinstance(values, dict) else None
    failures = info.get("failures") if isinstance(info, dict) else None
    return RunOutcome(
        run_id=run_id,
        thread_id=run.thread_id,
        status=run.status,
        error=run.error if isinstance(run.error, dict) else None,
        answer=last_answer(values),
        interrupts=interrupts,
        failures=[str(f) for f in failures] if isinstance(failures, list) else [],
        audit=audit,
    )
