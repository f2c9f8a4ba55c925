"""Sandbox knobs for CJ under ``/_sandbox/cj``: limits, the clock, token expiry, counters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tools.sandbox.cj.catalog import INJECTION_TEXT, PRODUCTS, VENDORS
from tools.sandbox.cj.gate import CJGate, CJLimits
from tools.sandbox.clock import EmulatorClock, add_clock_route


def build_admin_router(gate: CJGate, clock: EmulatorClock) -> APIRouter:
    router = APIRouter(tags=["sandbox: cj"])

    @router.get("/limits")
    async def get_limits() -> CJLimits:
        return gate.limits

    @router.put("/limits")
    async def put_limits(limits: CJLimits) -> CJLimits:
        """QPS, daily quota, token lifetimes and the getAccessToken interval."""
        gate.limits = limits
        return limits

    add_clock_route(
        router,
        clock,
        "Move CJ's time forward: tokens expire and rate windows pass without waiting.",
    )

    @router.post("/tokens/expire")
    async def expire_tokens() -> dict[str, int]:
        """Expire every access token now; refresh tokens stay valid."""
        return {"expired": gate.expire_access_tokens()}

    @router.get("/stats")
    async def stats() -> dict[str, int]:
        """Tokens issued and refreshed, calls per endpoint, throttled calls."""
        return dict(gate.stats)

    @router.get("/catalog")
    async def catalog() -> dict[str, Any]:
        """Who sells what: the suppliers and their listings (for tests and demos)."""
        return {
            "suppliers": [vendor.info() for vendor in VENDORS],
            "products": [
                {"pid": p.pid, "name": p.name, "supplierId": p.vendor.supplier_id} for p in PRODUCTS
            ],
            "injection_pids": [p.pid for p in PRODUCTS if INJECTION_TEXT in p.description],
        }

    return router
