"""An emulator clock that tests can move forward, so expiries and rate windows need no waiting.

Each emulator that keeps one exposes it as ``POST /_sandbox/{name}/clock``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field


class EmulatorClock:
    """Real time plus an offset that only grows (``advance``) until ``reset``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() + self._offset

    def now(self) -> datetime:
        """Wall time as the emulated service sees it (for dates in answers)."""
        with self._lock:
            return datetime.now(UTC) + timedelta(seconds=self._offset)

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    advance_seconds: float = Field(ge=0, le=10 * 365 * 86_400)


def add_clock_route(router: APIRouter, clock: EmulatorClock, description: str) -> None:
    """``POST /clock``: move ``clock`` forward; ``description`` says what that makes pass."""

    @router.post("/clock", description=description)
    async def advance_clock(body: ClockAdvance) -> dict[str, float]:
        return {"offset_seconds": clock.advance(body.advance_seconds)}
