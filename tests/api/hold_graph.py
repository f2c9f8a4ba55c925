"""A tiny graph for run-control tests: it logs its steps, may ask a question (an interrupt), and
holds (until cancelled) when told to, after announcing it on the ``custom`` stream.

``note -> ask -> hold``: ``ask`` interrupts when the state says ``ask``; the answer ``"hold"``
(or ``hold: true`` in the input) makes ``hold`` wait forever, so a test can cancel a run that
is known to be in flight and to have written checkpoints (run it with ``durability="sync"``).
"""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict


class HoldState(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    ask: bool
    hold: bool


def note(state: HoldState) -> dict[str, Any]:
    return {"log": ["noted"]}


def ask(state: HoldState) -> dict[str, Any]:
    if not state.get("ask"):
        return {}
    answer = interrupt("continue?")
    return {"log": [f"answer {answer}"], "hold": answer == "hold", "ask": False}


async def hold(state: HoldState) -> dict[str, Any]:
    if state.get("hold"):
        get_stream_writer()({"holding": True})
        await asyncio.Event().wait()  # until the run is cancelled
    return {"log": ["done"]}


builder = StateGraph(HoldState)
builder.add_node("note", note)
builder.add_node("ask", ask)
builder.add_node("hold", hold)
builder.add_edge(START, "note")
builder.add_edge("note", "ask")
builder.add_edge("ask", "hold")
builder.add_edge("hold", END)
graph = builder.compile(name="hold")
