"""Fault injection shared by every emulator: outages, error rates, latency."""

from __future__ import annotations

import asyncio
import random

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response


class FaultSettings(BaseModel):
    """Faults for one emulated service; all off by default."""

    model_config = ConfigDict(extra="forbid")

    outage: bool = Field(default=False, description="Every request answers 503.")
    error_rate: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Share of requests answered with an error status."
    )
    error_statuses: list[int] = Field(
        default_factory=lambda: [503],
        min_length=1,
        description="Statuses drawn from for injected errors (e.g. 429, 500, 502, 503).",
    )
    retry_after: float | None = Field(
        default=None, ge=0, description="Retry-After seconds sent with injected 429/503."
    )
    latency_ms: int = Field(default=0, ge=0, le=60_000, description="Added to every request.")
    answer_delay_ms: int = Field(
        default=0,
        ge=0,
        le=60_000,
        description="Added after a request that applied a write (a mutation-ledger entry), "
        "before its answer is sent: the write is done while the caller still waits (a crash "
        "in that window loses only the answer).",
    )


class FaultInjector:
    """Decides, per request, whether a service answers normally."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self.settings: dict[str, FaultSettings] = {}

    def reset(self) -> None:
        self._rng = random.Random(self._seed)
        self.settings.clear()

    def get(self, service: str) -> FaultSettings:
        return self.settings.get(service, FaultSettings())

    def set(self, service: str, faults: FaultSettings) -> None:
        self.settings[service] = faults

    async def intercept(self, service: str) -> Response | None:
        """Sleep for the configured latency, then maybe return an injected failure."""
        faults = self.get(service)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.outage:
            return _error(503, faults.retry_after, "sandbox outage")
        if faults.error_rate and self._rng.random() < faults.error_rate:
            status = self._rng.choice(faults.error_statuses)
            return _error(status, faults.retry_after, "sandbox injected error")
        return None

    async def delay_answer(self, service: str) -> None:
        """Hold a handled request's answer for the configured delay."""
        delay = self.get(service).answer_delay_ms
        if delay:
            await asyncio.sleep(delay / 1000)


def _error(status: int, retry_after: float | None, reason: str) -> Response:
    headers = {}
    if retry_after is not None and status in (429, 503):
        headers["Retry-After"] = f"{retry_after:g}"
    return JSONResponse({"errors": f"{reason} ({status})"}, status_code=status, headers=headers)
