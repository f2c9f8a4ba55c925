"""The FastAPI application: routes, CORS exposing the headers SDK clients read, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from server.api import errors, routes_assistants, routes_runs, routes_threads
from server.api.runtime import ApiRuntime

MAX_BODY_BYTES = 10 * 1024 * 1024
EXPOSED_HEADERS = ["content-location", "location", "x-pagination-total", "x-pagination-next"]


def create_app(
    open_runtime: Callable[[], AbstractAsyncContextManager[ApiRuntime]],
) -> FastAPI:
    """An app that opens its runtime (graphs, persistence, workers) in its lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime() as runtime:
            app.state.runtime = runtime
            yield

    app = FastAPI(
        title="Royal Orchestrator API",
        description="LangGraph Server API compatible: assistants, threads, runs, streaming.",
        lifespan=lifespan,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=EXPOSED_HEADERS,
    )

    @app.middleware("http")
    async def _limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse(
                status_code=413, content={"detail": f"body over {MAX_BODY_BYTES} bytes"}
            )
        return await call_next(request)

    errors.install(app)
    app.include_router(routes_assistants.router)
    app.include_router(routes_threads.router)
    app.include_router(routes_runs.router)
    return app
