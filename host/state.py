"""LangGraph state snapshots in the API's shapes: ThreadState, thread interrupts, status."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import StateSnapshot

from host.encoding import jsonable


def checkpoint_of(config: RunnableConfig | None) -> dict[str, Any] | None:
    if not config:
        return None
    configurable = config.get("configurable", {})
    if "checkpoint_id" not in configurable:
        return None
    return {
        "thread_id": configurable.get("thread_id"),
        "checkpoint_ns": configurable.get("checkpoint_ns", ""),
        "checkpoint_id": configurable.get("checkpoint_id"),
        "checkpoint_map": configurable.get("checkpoint_map"),
    }


def thread_state(snapshot: StateSnapshot) -> dict[str, Any]:
    """``ThreadState`` of the reference API (subgraph states nested under their task)."""
    checkpoint = checkpoint_of(snapshot.config)
    parent = checkpoint_of(snapshot.parent_config)
    tasks = []
    for task in snapshot.tasks:
        nested = task.state
        tasks.append(
            {
                "id": task.id,
                "name": task.name,
                "path": jsonable(task.path),
                "error": None if task.error is None else repr(task.error),
                "interrupts": jsonable(task.interrupts),
                "checkpoint": checkpoint_of(nested) if isinstance(nested, dict) else None,
                "state": thread_state(nested) if isinstance(nested, StateSnapshot) else None,
                "result": jsonable(task.result),
            }
        )
    return {
        "values": jsonable(snapshot.values),
        "next": list(snapshot.next),
        "tasks": tasks,
        "metadata": jsonable(snapshot.metadata),
        "created_at": snapshot.created_at,
        "checkpoint": checkpoint,
        "parent_checkpoint": parent,
        "interrupts": jsonable(snapshot.interrupts),
        "checkpoint_id": None if checkpoint is None else checkpoint["checkpoint_id"],
        "parent_checkpoint_id": None if parent is None else parent["checkpoint_id"],
    }


def thread_interrupts(snapshot: StateSnapshot) -> dict[str, list[Any]]:
    """``thread.interrupts``: pending interrupts by task id (what Agent Inbox lists)."""
    found: dict[str, list[Any]] = {}
    for task in snapshot.tasks:
        if task.interrupts:
            found[task.id] = jsonable(task.interrupts)
    return found


def checkpoint_status(snapshot: StateSnapshot) -> str:
    """``interrupted`` when the checkpoint waits on something (interrupt or breakpoint)."""
    return "interrupted" if snapshot.next or snapshot.interrupts else "idle"
