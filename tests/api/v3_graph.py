"""A graph for thread streaming (v3) tests: a streamed chat message, progress on the
``custom`` stream, a question (an interrupt) and a subgraph that runs after the answer.

``talk -> ask -> nested``; every node appends to ``items``, so the final state shows the path.
With ``slow`` in the input, ``talk`` first reports ``slow`` progress steps 0.1 s apart (a run
that is reliably mid-stream when a test acts).
"""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    items: Annotated[list[str], operator.add]
    slow: int
    answer: str


async def talk(state: State) -> dict[str, Any]:
    writer = get_stream_writer()
    for step in range(state.get("slow") or 0):
        writer({"name": "progress", "step": f"slow-{step}"})
        await asyncio.sleep(0.1)
    writer({"name": "progress", "step": "talk"})
    model = GenericFakeChatModel(messages=iter([AIMessage(content="Hello, world!", id="hello")]))
    message = await model.ainvoke("hi")
    return {"messages": [message], "items": ["talked"]}


def ask(state: State) -> dict[str, Any]:
    get_stream_writer()({"name": "progress", "step": "ask"})
    answer = interrupt({"question": "Are we good?"})
    return {"items": ["asked"], "answer": str(answer)}


class Inner(TypedDict, total=False):
    items: list[str]  # no reducer here: the parent adds what the subgraph returns


def inner(state: Inner) -> dict[str, Any]:
    get_stream_writer()({"name": "progress", "step": "inner"})
    return {"items": ["nested"]}


_sub = StateGraph(Inner)
_sub.add_node("inner", inner)
_sub.add_edge(START, "inner")
_sub.add_edge("inner", END)

builder = StateGraph(State)
builder.add_node("talk", talk)
builder.add_node("ask", ask)
builder.add_node("nested", _sub.compile())
builder.add_edge(START, "talk")
builder.add_edge("talk", "ask")
builder.add_edge("ask", "nested")
builder.add_edge("nested", END)
graph = builder.compile(name="v3_test_graph")
