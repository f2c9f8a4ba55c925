"""LangGraph's checkpointer and store from settings, on SQLite and PostgreSQL.

A paused run must survive the process: the graph interrupts under one set of saver instances,
those are closed, and a fresh set (as a new process would open) resumes the same thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, interrupt
from pydantic import SecretStr
from typing_extensions import TypedDict

from settings import Settings
from storage.langgraph import (
    PooledPostgresSaver,
    open_checkpointer,
    open_persistence,
    open_store,
)
from storage.urls import checkpoint_path, store_path
from tests.integration.storage_support import BACKENDS


class State(TypedDict, total=False):
    proposal: str
    decision: str
    published: bool


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    database_url = None
    if request.param == "postgresql":
        database_url = SecretStr(request.getfixturevalue("postgres_url"))
    return Settings(royal_data_dir=tmp_path / "data", database_url=database_url)


def build_graph(calls: list[str]) -> StateGraph[State, None, State, State]:
    def propose(state: State) -> State:
        calls.append("propose")
        return {"proposal": "publish Trail Lamp at 24.99"}

    def gate(state: State) -> State:
        calls.append("gate")
        decision = interrupt({"title": "Approve publishing?", "proposal": state["proposal"]})
        return {"decision": str(decision)}

    def publish(state: State) -> State:
        calls.append("publish")
        return {"published": state["decision"] == "approve"}

    builder = StateGraph(State)
    builder.add_node("propose", propose)
    builder.add_node("gate", gate)
    builder.add_node("publish", publish)
    builder.add_edge(START, "propose")
    builder.add_edge("propose", "gate")
    builder.add_edge("gate", "publish")
    builder.add_edge("publish", END)
    return builder


async def test_an_interrupted_thread_resumes_in_a_new_process(settings: Settings) -> None:
    config: RunnableConfig = {"configurable": {"thread_id": "thread-42"}}
    first_process: list[str] = []
    async with open_persistence(settings) as persistence:
        graph: CompiledStateGraph[State, None, State, State] = build_graph(first_process).compile(
            checkpointer=persistence.checkpointer, store=persistence.store
        )
        paused = await graph.ainvoke({}, config)
        assert paused["__interrupt__"][0].value == {
            "title": "Approve publishing?",
            "proposal": "publish Trail Lamp at 24.99",
        }
        await persistence.store.aput(("goals", "thread-42"), "g1", {"text": "two new products"})
        assert await persistence.database.is_at_head()
    assert first_process == ["propose", "gate"]

    second_process: list[str] = []
    async with open_persistence(settings) as persistence:
        graph = build_graph(second_process).compile(
            checkpointer=persistence.checkpointer, store=persistence.store
        )
        snapshot = await graph.aget_state(config)
        assert snapshot.next == ("gate",)
        assert [i.value["proposal"] for i in snapshot.interrupts] == ["publish Trail Lamp at 24.99"]

        final = await graph.ainvoke(Command(resume="approve"), config)
        assert final == {
            "proposal": "publish Trail Lamp at 24.99",
            "decision": "approve",
            "published": True,
        }
        item = await persistence.store.aget(("goals", "thread-42"), "g1")
        assert item is not None
        assert item.value == {"text": "two new products"}
    # The gate re-runs from its top on resume (as LangGraph does); the proposal does not.
    assert second_process == ["gate", "publish"]


async def test_single_savers_and_embedded_files(settings: Settings) -> None:
    config: RunnableConfig = {"configurable": {"thread_id": "t"}}
    async with open_checkpointer(settings) as checkpointer:
        graph = build_graph([]).compile(checkpointer=checkpointer)
        await graph.ainvoke({}, config)
    async with open_checkpointer(settings) as checkpointer:
        state = await build_graph([]).compile(checkpointer=checkpointer).aget_state(config)
        assert state.next == ("gate",)
    async with open_store(settings) as store:
        await store.aput(("ns",), "k", {"v": 1})
    async with open_store(settings) as store:
        item = await store.aget(("ns",), "k")
        assert item is not None
        assert item.value == {"v": 1}
    embedded = settings.database_url is None
    assert checkpoint_path(settings).is_file() is embedded
    assert store_path(settings).is_file() is embedded


@pytest.mark.postgres
async def test_postgres_checkpoint_calls_do_not_queue_behind_each_other(
    postgres_url: str, tmp_path: Path
) -> None:
    """Upstream's saver holds one lock per instance around every query, pool or not
    (langgraph#7259): one slow checkpoint call would stall every run of the process."""
    settings = Settings(royal_data_dir=tmp_path, database_url=SecretStr(postgres_url))
    async with open_persistence(settings) as persistence:
        saver = persistence.checkpointer
        assert isinstance(saver, PooledPostgresSaver)
        config: RunnableConfig = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
        async with saver.lock:  # one checkpoint call in flight
            assert await asyncio.wait_for(saver.aget_tuple(config), timeout=5) is None
