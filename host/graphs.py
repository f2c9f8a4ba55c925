"""The graphs a ``langgraph.json`` declares, loaded the way ``langgraph dev`` loads them.

Each ``"id": "./path/module.py:attr"`` is imported from the config's directory; ``attr`` may be a
compiled graph, a ``StateGraph`` (compiled here) or a factory (``host.graph_factory``), which is
called again for each run, state read or update and introspection, as the reference server does.
The served copy gets the server's checkpointer and store. A graph whose context schema is our
``nodes.context.Context`` is "ours": its runs get the server's services injected.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import json
import sys
import typing
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore
from langgraph_sdk.runtime import AccessContext
from pydantic import Field, TypeAdapter, ValidationError, create_model

from host.graph_factory import GraphFactory, GraphFactoryError, compiled
from nodes.context import Context
from nodes.services import Services

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "langgraph.json"


class GraphConfigError(ValueError):
    """The langgraph.json or one of its graph references cannot be loaded."""


class ContextError(ValueError):
    """A run's ``context`` does not fit the graph's context schema (the API answers 422)."""


@dataclass(frozen=True)
class GraphSpec:
    graph_id: str
    path: Path
    attr: str


@dataclass(frozen=True)
class ServedGraph:
    """One graph: compiled with the server's persistence. For a factory, ``graph`` is the one it
    built at start-up (``assistants.read``): its schemas and topology, used where the server
    itself reads a thread's state; ``build`` makes a fresh one per use."""

    graph_id: str
    graph: Pregel[Any, Any, Any, Any]
    spec: GraphSpec
    factory: GraphFactory | None = None

    @asynccontextmanager
    async def build(
        self, access: AccessContext, config: RunnableConfig | None = None, context: Any = None
    ) -> AsyncIterator[Pregel[Any, Any, Any, Any]]:
        """The graph for one use: the served graph, or what the factory builds for it."""
        if self.factory is None:
            yield self.graph
            return
        persistence = {"checkpointer": self.graph.checkpointer, "store": self.graph.store}
        async with self.factory.build(
            access, config or {"configurable": {}}, self.graph.store, context
        ) as built:
            yield built.copy(update=persistence)

    @property
    def ours(self) -> bool:
        return self.graph.context_schema is Context

    def context(self, values: Mapping[str, Any] | None, services: Services | None) -> Any:
        """The run's context: validated against the schema; services injected into ours."""
        schema = self.graph.context_schema
        values = dict(values or {})
        if self.ours:
            checked = _validate_dataclass(Context, values, exclude={"services"})
            return Context(**checked, services=services)
        if schema is None or not values:
            return values or None
        if dataclasses.is_dataclass(schema):
            return schema(**_validate_dataclass(schema, values, exclude=set()))
        try:
            return TypeAdapter(schema).validate_python(values)
        except ValidationError as exc:
            raise ContextError(f"invalid context: {exc.errors(include_url=False)}") from None


def _validate_dataclass(schema: type, values: dict[str, Any], exclude: set[str]) -> dict[str, Any]:
    hints = typing.get_type_hints(schema)
    allowed = {f.name for f in dataclasses.fields(schema) if f.name not in exclude}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ContextError(f"unknown context field(s): {', '.join(unknown)}")
    checked: dict[str, Any] = {}
    for name, value in values.items():
        try:
            checked[name] = TypeAdapter(hints[name]).validate_python(value, strict=True)
        except ValidationError as exc:
            problem = exc.errors(include_url=False)[0]["msg"]
            raise ContextError(f"context.{name}: {problem}") from None
    return checked


def read_specs(config_path: Path) -> list[GraphSpec]:
    """The graph references of a langgraph.json, resolved against its directory."""
    try:
        document = json.loads(config_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GraphConfigError(f"cannot read {config_path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise GraphConfigError(f"{config_path} is not valid JSON: {exc}") from None
    graphs = document.get("graphs") if isinstance(document, dict) else None
    if not isinstance(graphs, dict) or not graphs:
        raise GraphConfigError(f"{config_path} declares no graphs")
    specs: list[GraphSpec] = []
    for graph_id, reference in graphs.items():
        if isinstance(reference, dict):  # {"path": "...", "description": ...}
            reference = reference.get("path")
        if not isinstance(reference, str) or ":" not in reference:
            raise GraphConfigError(f"graph {graph_id!r}: expected './file.py:attr'")
        location, attr = reference.rsplit(":", 1)
        specs.append(GraphSpec(graph_id, (config_path.parent / location).resolve(), attr))
    return specs


def _import(spec: GraphSpec, root: Path) -> Any:
    if not spec.path.is_file():
        raise GraphConfigError(f"graph {spec.graph_id!r}: {spec.path} does not exist")
    module_name = _module_name(spec.path, root)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    if module_name is not None:
        module = importlib.import_module(module_name)
    else:  # a file outside the project root: load it under a private name
        name = f"_royal_graph_{spec.graph_id}"
        file_spec = importlib.util.spec_from_file_location(name, spec.path)
        if file_spec is None or file_spec.loader is None:
            raise GraphConfigError(f"graph {spec.graph_id!r}: cannot import {spec.path}")
        module = importlib.util.module_from_spec(file_spec)
        sys.modules[name] = module
        file_spec.loader.exec_module(module)
    try:
        return getattr(module, spec.attr)
    except AttributeError:
        raise GraphConfigError(
            f"graph {spec.graph_id!r}: {spec.path} has no {spec.attr!r}"
        ) from None


def _module_name(path: Path, root: Path) -> str | None:
    try:
        relative = path.with_suffix("").relative_to(root)
    except ValueError:
        return None
    return ".".join(relative.parts)


async def _served(spec: GraphSpec, value: Any, persistence: dict[str, Any]) -> ServedGraph:
    factory: GraphFactory | None = None
    try:
        if callable(value) and not isinstance(value, Pregel) and not hasattr(value, "compile"):
            factory = GraphFactory.of(spec.graph_id, value)
            store = persistence["store"]
            async with factory.build("assistants.read", {"configurable": {}}, store) as built:
                graph = built
        else:
            graph = compiled(spec.graph_id, value)
    except GraphFactoryError as exc:
        raise GraphConfigError(str(exc)) from None
    return ServedGraph(spec.graph_id, graph.copy(update=persistence), spec, factory)


async def load_graphs(
    config_path: Path,
    *,
    checkpointer: BaseCheckpointSaver[Any],
    store: BaseStore,
) -> dict[str, ServedGraph]:
    """Every graph of ``config_path``, compiled with the given persistence (a factory is
    called once here, to check it and to learn its schemas)."""
    persistence = {"checkpointer": checkpointer, "store": store}
    return {
        spec.graph_id: await _served(spec, value, persistence)
        for spec, value in _imported(config_path)
    }


def _imported(config_path: Path) -> list[tuple[GraphSpec, Any]]:
    root = config_path.resolve().parent
    return [(spec, _import(spec, root)) for spec in read_specs(config_path)]


def _json_schema(build: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    try:
        return build()
    except Exception:  # a schema holding types with no JSON form: report none
        return None


def schemas(served: ServedGraph) -> dict[str, Any]:
    """``/assistants/{id}/schemas``: input, output, state and context JSON schemas."""
    graph = served.graph
    state_schema = getattr(getattr(graph, "builder", None), "state_schema", None)
    return {
        "graph_id": served.graph_id,
        "input_schema": _json_schema(graph.get_input_jsonschema),
        "output_schema": _json_schema(graph.get_output_jsonschema),
        "state_schema": None
        if state_schema is None
        else _json_schema(lambda: TypeAdapter(state_schema).json_schema()),
        "config_schema": None,
        "context_schema": _json_schema(lambda: context_jsonschema(graph.context_schema)),
    }


def context_jsonschema(schema: Any) -> dict[str, Any] | None:
    """The JSON part of a context schema (injected services are not settable over HTTP)."""
    if schema is None:
        return None
    if dataclasses.is_dataclass(schema) and isinstance(schema, type):
        hints = typing.get_type_hints(schema)
        fields: dict[str, Any] = {}
        for item in dataclasses.fields(schema):
            if item.name == "services" and schema is Context:
                continue
            default = item.default if item.default is not dataclasses.MISSING else ...
            fields[item.name] = (
                hints[item.name],
                Field(default=default, description=item.metadata.get("description")),
            )
        model = create_model(schema.__name__, **fields)
        return model.model_json_schema()
    return TypeAdapter(schema).json_schema()
