"""docs/api.md's compatibility table matches the routes the app serves."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from fastapi.routing import APIRoute

from host.runtime import Runtime
from server.api import (
    create_app,
    routes_assistants,
    routes_crons,
    routes_runs,
    routes_store,
    routes_threads,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (\S+)` \| (supported|differs|not supported) \|")
ROUTERS = (routes_assistants, routes_threads, routes_runs, routes_store, routes_crons)


def table() -> dict[tuple[str, str], str]:
    rows: dict[tuple[str, str], str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[(match[1], match[2])] = match[3]
    return rows


def served(routes: list[Any]) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in routes
        if isinstance(route, APIRoute)
        for method in (route.methods or set()) - {"HEAD"}
    }


def test_every_classic_route_is_in_the_table() -> None:
    rows = table()
    classic = set().union(*(served(module.router.routes) for module in ROUTERS))
    missing = sorted(classic - {key for key, status in rows.items() if status != "not supported"})
    assert not missing, f"served but not in docs/api.md's table: {missing}"
    listed = {key for key, status in rows.items() if status != "not supported"}
    assert not sorted(listed - classic), "listed as served but not served"


@asynccontextmanager
async def _never_opened() -> AsyncIterator[Runtime]:
    if DOC.exists():  # the routes are read; the app is never started
        raise AssertionError("not opened")
    yield cast(Runtime, None)


def test_what_is_not_supported_is_not_served() -> None:
    everything = served(create_app(_never_opened).routes)
    claimed = {key for key, status in table().items() if status == "not supported"}
    assert claimed
    assert not sorted(claimed & everything)
