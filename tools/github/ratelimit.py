"""GitHub's rate-limit headers and the waits they call for.

Follows GitHub's documented order for a 403/429: honour ``retry-after``; else, when
``x-ratelimit-remaining`` is 0, wait until ``x-ratelimit-reset``; else (a secondary limit) wait
at least a minute, doubling on each repeat. Pure functions of the response and the current
time, so the client's waits can be checked with a fake clock.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

#: Added to the wait until ``x-ratelimit-reset``: the header has one-second resolution.
RESET_MARGIN_SECONDS = 1.0
#: The documented minimum wait for a secondary limit without ``retry-after``.
SECONDARY_MIN_WAIT_SECONDS = 60.0


class RateLimit(BaseModel):
    """One resource's primary budget as last reported by GitHub."""

    model_config = ConfigDict(frozen=True)

    limit: int
    remaining: int
    used: int
    reset: int
    resource: str = "core"

    @property
    def reset_at(self) -> datetime:
        return datetime.fromtimestamp(self.reset, UTC)

    def seconds_until_reset(self, now: float) -> float:
        return max(0.0, self.reset - now)


class RateLimitWait(BaseModel):
    """How long to wait before retrying a rate-limited request, and why."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["primary", "secondary"]
    seconds: float
    reset_at: datetime | None = None
    retry_after: float | None = None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """The ``x-ratelimit-*`` headers as a model, or None when absent or malformed."""
    try:
        limit = int(headers["x-ratelimit-limit"])
        remaining = int(headers["x-ratelimit-remaining"])
        reset = int(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return None
    try:
        used = int(headers.get("x-ratelimit-used", limit - remaining))
    except ValueError:
        used = limit - remaining
    resource = headers.get("x-ratelimit-resource", "core")
    return RateLimit(limit=limit, remaining=remaining, used=used, reset=reset, resource=resource)


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """``retry-after`` in seconds (it may be a delay or an HTTP date), or None."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def rate_limit_wait(
    status_code: int,
    headers: Mapping[str, str],
    message: str,
    *,
    now: float,
    secondary_hits: int,
) -> RateLimitWait | None:
    """The wait a 403/429 asks for, or None when the response is not a rate limit.

    ``secondary_hits`` counts earlier secondary limits met by the same request; each one
    doubles the wait when GitHub gives no ``retry-after``.
    """
    if status_code not in (403, 429):
        return None
    budget = parse_rate_limit(headers)
    exhausted = budget is not None and budget.remaining == 0
    reset_at = budget.reset_at if budget is not None else None
    retry_after = parse_retry_after(headers, now)
    if retry_after is not None:
        kind: Literal["primary", "secondary"] = "primary" if exhausted else "secondary"
        return RateLimitWait(
            kind=kind, seconds=retry_after, reset_at=reset_at, retry_after=retry_after
        )
    if budget is not None and exhausted:
        seconds = budget.seconds_until_reset(now) + RESET_MARGIN_SECONDS
        return RateLimitWait(kind="primary", seconds=seconds, reset_at=reset_at)
    lowered = message.lower()
    if status_code == 429 or "rate limit" in lowered or "abuse" in lowered:
        seconds = SECONDARY_MIN_WAIT_SECONDS * 2**secondary_hits
        return RateLimitWait(kind="secondary", seconds=seconds, reset_at=reset_at)
    return None


def server_error_backoff(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter (half fixed, half random) for the ``attempt``-th retry."""
    ceiling = min(cap, base * 2.0 ** max(0, attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
