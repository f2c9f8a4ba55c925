"""The Command Center: the web console served by the API under ``/console``.

Server-rendered pages (Jinja2) with a little vanilla JavaScript for live parts (SSE): nothing
to build, no CDN. Signed-in users only (``royal users add``); see docs/console.md.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from server.console import (
    routes_approvals,
    routes_auth,
    routes_chat,
    routes_finance,
    routes_live,
    routes_marketing,
    routes_notifications,
    routes_pages,
    routes_runs,
    routes_support,
    routes_sync,
)
from server.console.views import STATIC

PREFIX = "/console"

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("")
async def console_root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


for module in (
    routes_auth,
    routes_pages,
    routes_approvals,
    routes_chat,
    routes_live,
    routes_notifications,
    routes_sync,
    routes_runs,
    routes_marketing,
    routes_finance,
    routes_support,
):
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    """Serve the console's pages and static files on ``app``."""
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="console-static")


__all__ = ["PREFIX", "install", "router"]
