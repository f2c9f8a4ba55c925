"""Operations endpoints: ``/metrics`` for Prometheus, ``/healthz`` and ``/readyz`` for probes.

``/healthz`` answers while the event loop does (restart the process when it does not);
``/readyz`` says whether this process should get traffic: database reachable with its
migrations at head, Redis reachable when configured, workers running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Annotated, Any

import redis.asyncio as aioredis
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from host.runtime import Runtime, utcnow
from server.api.deps import RuntimeDep
from server.api.metrics import Metrics
from storage.migrate import head_revision

logger = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])

#: A probe that takes longer than this counts as failed (probes run every few seconds).
CHECK_TIMEOUT_SECONDS = 2.0


class Check(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, Check]


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(get_metrics)]


@router.get("/metrics", response_class=Response, include_in_schema=True)
async def metrics(runtime: RuntimeDep, registry: MetricsDep) -> Response:
    """Prometheus text format; database figures are read now."""
    try:
        await asyncio.wait_for(
            registry.refresh(runtime.store.database, utcnow()), CHECK_TIMEOUT_SECONDS
        )
    except Exception:  # the scrape still carries the process's own figures
        logger.warning("reading run and approval figures for /metrics failed", exc_info=True)
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: cheap, touches nothing."""
    return {"status": "ok"}


async def _check(probe: Awaitable[str]) -> Check:
    try:
        return Check(ok=True, detail=await asyncio.wait_for(probe, CHECK_TIMEOUT_SECONDS))
    except TimeoutError:
        return Check(ok=False, detail=f"no answer within {CHECK_TIMEOUT_SECONDS:g}s")
    except Exception as exc:
        return Check(ok=False, detail=f"{type(exc).__name__}: {str(exc)[:200]}")


async def _database(runtime: Runtime) -> str:
    revision = await runtime.store.database.current_revision()
    return f"revision {revision}"


async def _migrations(runtime: Runtime) -> str:
    revision = await runtime.store.database.current_revision()
    head = head_revision()
    if revision != head:
        raise RuntimeError(f"database at {revision}, code expects {head}")
    return f"at head {head}"


async def _redis(url: str) -> str:
    client: aioredis.Redis = aioredis.from_url(
        url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        await client.ping()
    finally:
        await client.aclose()
    return "ping ok"


async def _workers(runtime: Runtime) -> str:
    if not runtime.workers.alive:
        raise RuntimeError("worker loops are not running")
    return f"{runtime.workers.concurrency} loops"


async def _not_configured() -> str:
    return "not configured"


async def readiness(runtime: Runtime) -> Readiness:
    redis_url = runtime.settings.redis_url
    probes: dict[str, Awaitable[str]] = {
        "database": _database(runtime),
        "migrations": _migrations(runtime),
        "redis": _redis(redis_url.get_secret_value()) if redis_url else _not_configured(),
        "workers": _workers(runtime),
    }
    results = await asyncio.gather(*(_check(probe) for probe in probes.values()))
    checks = dict(zip(probes, results, strict=True))
    ready = all(check.ok for check in checks.values())
    return Readiness(status="ready" if ready else "unavailable", checks=checks)


@router.get("/readyz", responses={503: {"model": Readiness}})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """200 when every check passes, else 503; the body names each check either way."""
    result = await readiness(runtime)
    body: dict[str, Any] = result.model_dump()
    if result.status != "ready":
        failed = [name for name, check in result.checks.items() if not check.ok]
        body["detail"] = "not ready: " + ", ".join(failed)
        return JSONResponse(status_code=503, content=body)
    return JSONResponse(content=body)
