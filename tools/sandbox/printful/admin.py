"""Sandbox knobs for Printful under ``/_sandbox/printful``: the rate limit and the clock."""

from __future__ import annotations

from fastapi import APIRouter

from tools.sandbox.clock import EmulatorClock, add_clock_route
from tools.sandbox.printful.limits import LeakyBucket, PrintfulLimits


def build_admin_router(bucket: LeakyBucket, clock: EmulatorClock) -> APIRouter:
    router = APIRouter(tags=["sandbox: printful"])

    @router.get("/limits")
    async def get_limits() -> PrintfulLimits:
        return bucket.limits

    @router.put("/limits")
    async def put_limits(limits: PrintfulLimits) -> PrintfulLimits:
        """Requests per window (default 120 per 60 s) before a 429 with Retry-After."""
        bucket.limits = limits
        return limits

    add_clock_route(
        router, clock, "Move Printful's time forward: the bucket drains without waiting."
    )

    @router.get("/stats")
    async def stats() -> dict[str, int]:
        return {"throttled": bucket.throttled}

    return router
