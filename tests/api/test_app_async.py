"""Every endpoint and dependency of the app is a coroutine function.

FastAPI runs a plain ``def`` endpoint or dependency in its thread pool: a thread hop (and a
GIL hand-over) on every request that uses it, which on the runs hot path costs more than the
work itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from host.runtime import Runtime
from server.api.app import create_app


def _calls(dependant: Dependant) -> Iterator[Any]:
    if dependant.call is not None:
        yield dependant.call
    for child in dependant.dependencies:
        yield from _calls(child)


def _is_async(call: Any) -> bool:
    if inspect.isasyncgenfunction(call):  # a streaming endpoint (SSE) runs on the event loop
        return True
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004 - security schemes are callable objects
    )


def _endpoints(app: FastAPI) -> Iterator[tuple[str, Dependant]]:
    """Each API route's path and dependant, with the dependencies its router was included
    with (FastAPI keeps included routers whole and resolves them per request)."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield route.path, route.dependant
        for context in getattr(route, "effective_route_contexts", list)():
            if context.dependant is not None:  # a context without dependencies has none
                yield context.path, context.dependant


def test_no_endpoint_or_dependency_runs_in_the_thread_pool() -> None:
    app = create_app(Runtime.open)  # never served: its lifespan (opening it all) never runs
    endpoints = list(_endpoints(app))
    assert len(endpoints) > 50
    assert any(path == "/threads/{thread_id}/runs/wait" for path, _ in endpoints)
    sync = sorted(
        {
            f"{path}: {getattr(call, '__qualname__', repr(call))}"
            for path, dependant in endpoints
            for call in _calls(dependant)
            if not _is_async(call)
        }
    )
    assert sync == []
