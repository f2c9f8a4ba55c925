"""The FastAPI application: routes, CORS exposing the headers SDK clients read, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from host import approvals, crons, effects_sweep, order_sweep, scheduled_jobs, threads
from host.runtime import Runtime
from server import console
from server.api import (
    auth,
    errors,
    routes_assistants,
    routes_crons,
    routes_oauth,
    routes_ops,
    routes_runs,
    routes_store,
    routes_thread_stream,
    routes_threads,
    routes_v1_agents,
    routes_v1_approvals,
    routes_v1_audit,
    routes_v1_ceo,
    routes_v1_notifications,
    routes_v1_runs,
    routes_v1_sync,
    routes_webhooks,
)
from server.api.boundary import ErrorBoundaryMiddleware
from server.api.http_observability import REQUEST_ID_HEADER, ObservabilityMiddleware
from server.api.metrics import Metrics, MetricsCallback

MAX_BODY_BYTES = 10 * 1024 * 1024
EXPOSED_HEADERS = [
    "content-location",
    "location",
    "x-pagination-total",
    "x-pagination-next",
    REQUEST_ID_HEADER,
]


def create_app(
    open_runtime: Callable[[], AbstractAsyncContextManager[Runtime]],
    *,
    opentelemetry: bool = False,
) -> FastAPI:
    """An app that opens its runtime (graphs, persistence, workers) in its lifespan.

    ``opentelemetry`` (``ROYAL_OPENTELEMETRY``) keeps FastAPI's native telemetry; off, FastAPI
    no longer looks up the global OpenTelemetry providers on every request."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            open_runtime() as runtime,
            approvals.sweeping(runtime),
            threads.sweeping(runtime),
            crons.ticking(runtime),
            effects_sweep.sweeping(runtime),
            order_sweep.sweeping(runtime),
        ):
            app.state.runtime = runtime
            await scheduled_jobs.ensure_all(runtime)
            prices = runtime.services.models.prices if runtime.services else None
            runtime.workers.callbacks.append(MetricsCallback(metrics, prices))
            runtime.workers.on_start.append(metrics.run_started)
            auth.warn_if_open(runtime.settings)
            yield

    app = FastAPI(
        title="Royal Orchestrator API",
        description="LangGraph Server API compatible: assistants, threads, runs, streaming.",
        lifespan=lifespan,
        telemetry=None if opentelemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=EXPOSED_HEADERS,
    )

    app.add_middleware(ErrorBoundaryMiddleware, max_body_bytes=MAX_BODY_BYTES)  # JSON 500s and 413s
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)  # outermost: sees every answer
    app.state.metrics = metrics
    errors.install(app)
    guarded = [Depends(auth.authorize_request)]  # each route's role: auth.route_role
    app.include_router(routes_assistants.router, dependencies=guarded)
    app.include_router(routes_threads.router, dependencies=guarded)
    app.include_router(routes_runs.router, dependencies=guarded)
    app.include_router(routes_thread_stream.router, dependencies=guarded)  # v3 streaming
    app.include_router(routes_thread_stream.ws_router)  # authenticates its handshakes
    app.include_router(routes_store.router, dependencies=guarded)
    app.include_router(routes_crons.router, dependencies=guarded)
    for domain in (
        routes_v1_approvals,
        routes_v1_ceo,
        routes_v1_agents,
        routes_v1_audit,
        routes_v1_notifications,
        routes_v1_runs,
    ):
        app.include_router(domain.router, prefix="/api/v1")  # roles per route
    app.include_router(routes_v1_sync.router, prefix="/api/v1")  # catalog sync (docs/sync.md)
    app.include_router(routes_webhooks.router)  # authenticated by their HMAC signatures
    app.include_router(routes_oauth.router)  # app installs: HMAC, state, account checks
    app.include_router(routes_ops.router)
    console.install(app)  # the web console: /console pages and static files
    return app
