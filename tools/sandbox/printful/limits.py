"""Printful's rate limit: 120 requests per 60 seconds per token, a leaky bucket, then 429."""

from __future__ import annotations

import math
import threading

from pydantic import BaseModel, ConfigDict, Field

from tools.sandbox.clock import EmulatorClock
from tools.sandbox.printful.errors import PrintfulError


class PrintfulLimits(BaseModel):
    """Sandbox knobs for Printful's limit (``PUT /_sandbox/printful/limits``)."""

    model_config = ConfigDict(extra="forbid")

    requests: int | None = Field(
        default=120, ge=1, description="Requests allowed per window; None: unlimited."
    )
    window_seconds: float = Field(default=60.0, gt=0)


class LeakyBucket:
    """One bucket per token: each request adds one, the bucket drains at requests/window."""

    def __init__(self, clock: EmulatorClock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.limits = PrintfulLimits()
            self._levels: dict[str, tuple[float, float]] = {}
            self.throttled = 0

    def admit(self, token: str) -> None:
        """Count one request, or raise Printful's 429 with the seconds until one fits."""
        with self._lock:
            limits = self.limits
            if limits.requests is None:
                return
            rate = limits.requests / limits.window_seconds
            now = self._clock.monotonic()
            level, updated = self._levels.get(token, (0.0, now))
            level = max(0.0, level - (now - updated) * rate)
            if level + 1 > limits.requests:
                self.throttled += 1
                wait = (level + 1 - limits.requests) / rate
                self._levels[token] = (level, now)
                raise PrintfulError(
                    429,
                    "Too Many Requests",
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
            self._levels[token] = (level + 1, now)
