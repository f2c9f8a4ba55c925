"""Graph factories in ``langgraph.json``: called per use with the reference server's arguments.

A factory takes nothing, ``config``, a ``ServerRuntime`` or ``(config, runtime)``, may be sync or
async, and may return a graph, a builder, or a (async) context manager yielding one (entered for
the duration of the use, as the reference server does for MCP-style resources). A parameter
named ``runtime`` or annotated with a ``*Runtime`` type gets the runtime; any other gets the
config. See docs/api.md ("Graph factories") for when each access context is used.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.graph import StateGraph
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore
from langgraph_sdk.runtime import AccessContext, _ExecutionRuntime, _ReadRuntime

Argument = Literal["config", "runtime"]


class GraphFactoryError(ValueError):
    """A factory's signature or return value is not one the server can use."""


def compiled(graph_id: str, value: Any) -> Pregel[Any, Any, Any, Any]:
    """A compiled graph from a graph or a builder (anything else: ``GraphFactoryError``)."""
    if isinstance(value, StateGraph):
        value = value.compile()
    if not isinstance(value, Pregel):
        raise GraphFactoryError(f"graph {graph_id!r} is not a LangGraph graph")
    return value


def _argument(parameter: inspect.Parameter) -> Argument:
    annotation = parameter.annotation
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if parameter.name == "runtime" or str(text).rsplit(".", 1)[-1].endswith("Runtime"):
        return "runtime"
    return "config"


@dataclass(frozen=True)
class GraphFactory:
    """A callable ``langgraph.json`` entry that builds the graph each time it is used."""

    graph_id: str
    function: Callable[..., Any]
    arguments: tuple[Argument, ...]

    @classmethod
    def of(cls, graph_id: str, function: Callable[..., Any]) -> GraphFactory:
        positional = [
            p
            for p in inspect.signature(function).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        ]
        arguments = tuple(_argument(p) for p in positional)
        if len(arguments) > 2 or len(set(arguments)) != len(arguments):
            raise GraphFactoryError(
                f"graph {graph_id!r}: a factory takes nothing, config, runtime or "
                f"(config, runtime); got ({', '.join(p.name for p in positional)})"
            )
        return cls(graph_id, function, arguments)

    @asynccontextmanager
    async def build(
        self,
        access: AccessContext,
        config: RunnableConfig,
        store: BaseStore | None,
        context: Any = None,
    ) -> AsyncIterator[Pregel[Any, Any, Any, Any]]:
        """The graph for one use (``access``): a run, a state read or update, introspection."""
        runtime: _ExecutionRuntime[Any] | _ReadRuntime[Any]
        if access == "threads.create_run":
            runtime = _ExecutionRuntime(access_context=access, store=store, context=context)  # type: ignore[arg-type]
        else:
            runtime = _ReadRuntime(access_context=access, store=store)  # type: ignore[arg-type]
        given = {"config": config, "runtime": runtime}
        value = self.function(*(given[name] for name in self.arguments))
        if inspect.isawaitable(value):
            value = await value
        if isinstance(value, AbstractAsyncContextManager):
            async with value as graph:
                yield compiled(self.graph_id, graph)
        elif isinstance(value, AbstractContextManager):
            with value as graph:
                yield compiled(self.graph_id, graph)
        else:
            yield compiled(self.graph_id, value)
