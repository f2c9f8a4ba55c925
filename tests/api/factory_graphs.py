"""Graph factories of every shape a ``langgraph.json`` may name, for the factory tests.

Each records the arguments it was called with in ``CALLS`` (the test server runs in-process),
and builds a one-node echo graph that reports what it was given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime, get_runtime
from langgraph_sdk.runtime import ServerRuntime
from typing_extensions import TypedDict

from tests.api.factory_calls import CALLS


class EchoState(TypedDict, total=False):
    text: str
    built_by: str
    access: str
    thread_id: str


def _echo(name: str, access: str = "", thread_id: str = "") -> StateGraph[Any]:
    def echo(state: EchoState) -> EchoState:
        return {
            "text": (state.get("text") or "") + " echoed",
            "built_by": name,
            "access": access,
            "thread_id": thread_id,
        }

    builder: StateGraph[Any] = StateGraph(EchoState)
    builder.add_node("echo", echo)
    builder.add_edge(START, "echo")
    builder.add_edge("echo", END)
    return builder


def no_arguments() -> StateGraph[Any]:
    CALLS.append(("no_arguments", {}))
    return _echo("no_arguments")  # a builder: the server compiles it


def with_config(config: RunnableConfig) -> CompiledStateGraph[Any, Any, Any, Any]:
    thread_id = str(config.get("configurable", {}).get("thread_id", ""))
    CALLS.append(("with_config", {"thread_id": thread_id}))
    return _echo("with_config", thread_id=thread_id).compile()


async def with_config_and_runtime(
    config: RunnableConfig, runtime: ServerRuntime[Any]
) -> CompiledStateGraph[Any, Any, Any, Any]:
    execution = runtime.execution_runtime
    CALLS.append(
        (
            "with_config_and_runtime",
            {
                "access": runtime.access_context,
                "store": type(runtime.store).__name__,
                "context": None if execution is None else execution.context,
            },
        )
    )
    thread_id = str(config.get("configurable", {}).get("thread_id", ""))
    return _echo("with_config_and_runtime", runtime.access_context, thread_id).compile()


@asynccontextmanager
async def runtime_only(runtime: ServerRuntime[Any]) -> AsyncIterator[StateGraph[Any]]:
    CALLS.append(("runtime_only", {"access": runtime.access_context, "open": True}))
    yield _echo("runtime_only", runtime.access_context)
    CALLS.append(("runtime_only", {"access": runtime.access_context, "open": False}))


@contextmanager
def sync_context(config: RunnableConfig) -> Iterator[StateGraph[Any]]:
    CALLS.append(("sync_context", {}))
    yield _echo("sync_context")


def too_many(config: RunnableConfig, runtime: ServerRuntime[Any], other: int) -> None:
    raise AssertionError("never called")


def not_a_graph() -> int:
    return 42


def _report(state: EchoState) -> EchoState:
    greeting = get_config().get("configurable", {}).get("greeting")
    runtime: Runtime[Any] = get_runtime()
    tenant = (runtime.context or {}).get("tenant")
    return {"text": f"{greeting}/{tenant}"}


_reporter: StateGraph[Any] = StateGraph(EchoState)
_reporter.add_node("report", _report)
_reporter.add_edge(START, "report")
_reporter.add_edge("report", END)
reporter = _reporter.compile()
"""A compiled graph that reports the run's ``configurable.greeting`` and ``context.tenant``."""


async def _remember(state: EchoState) -> EchoState:
    store = get_runtime().store
    assert store is not None
    await store.aput(("memos",), "last", {"text": state.get("text")})
    return {}


_remembers: StateGraph[Any] = StateGraph(EchoState)
_remembers.add_node("remember", _remember)
_remembers.add_edge(START, "remember")
_remembers.add_edge("remember", END)
remember = _remembers.compile()
"""A graph that writes its input text to the store under ``("memos",)`` / ``last``."""
