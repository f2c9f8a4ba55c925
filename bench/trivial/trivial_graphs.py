"""Trivial graphs for bench/server.py: they measure the server's overhead, not a graph's work.

``echo`` copies its input in one node; ``ask`` pauses on an ``interrupt()`` and records the
answer it is resumed with.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    text: str
    answer: str


def reply(state: State) -> State:
    return {"text": state.get("text", "")}


def ask_human(state: State) -> State:
    return {"answer": str(interrupt({"question": "approve?", "text": state.get("text", "")}))}


_echo = StateGraph(State)
_echo.add_node("reply", reply)
_echo.add_edge(START, "reply")
_echo.add_edge("reply", END)
echo = _echo.compile()

_ask = StateGraph(State)
_ask.add_node("ask_human", ask_human)
_ask.add_edge(START, "ask_human")
_ask.add_edge("ask_human", END)
ask = _ask.compile()
