"""A graph whose node fails the way infrastructure does, for the dead-letter tests.

``note -> boom``: ``boom`` counts its executions in ``<dir>/count`` and, while ``<dir>/heal``
does not exist, fails as the state's ``crash`` says: ``"reset"`` raises the error a dropped
database or service connection raises; ``"exit"`` kills the worker process on the spot (as an
out-of-memory kill would: no cleanup, no outcome recorded). Once healed it ends with ``done``.
"""

from __future__ import annotations

import operator
import os
from pathlib import Path
from typing import Annotated, Any

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class CrashState(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    dir: str
    crash: str


def note(state: CrashState) -> dict[str, Any]:
    return {"log": ["noted"]}


def boom(state: CrashState) -> dict[str, Any]:
    where = Path(state["dir"])
    counter = where / "count"
    count = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(count + 1))
    crash = state.get("crash")
    if crash and not (where / "heal").exists():
        if crash == "exit":
            os._exit(70)
        raise ConnectionResetError(104, "Connection reset by peer")
    return {"log": ["done"]}


builder = StateGraph(CrashState)
builder.add_node("note", note)
builder.add_node("boom", boom)
builder.add_edge(START, "note")
builder.add_edge("note", "boom")
builder.add_edge("boom", END)
graph = builder.compile(name="crashy")
