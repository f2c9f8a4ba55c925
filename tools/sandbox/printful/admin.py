"""Sandbox knobs for Printful under ``/_sandbox/printful``: the rate limit and the clock."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from tools.sandbox.cj.clock import EmulatorClock
from tools.sandbox.printful.limits import LeakyBucket, PrintfulLimits


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    advance_seconds: float = Field(ge=0, le=10 * 365 * 86_400)


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

    @router.post("/clock")
    async def advance_clock(body: ClockAdvance) -> dict[str, float]:
        """Move Printful's time forward: the bucket drains without waiting."""
        return {"offset_seconds": clock.advance(body.advance_seconds)}

    @router.get("/stats")
    async def stats() -> dict[str, int]:
        return {"throttled": bucket.throttled}

    return router
