"""CJ's access control as documented: API key to tokens, token checks, and the call limits.

``getAccessToken`` once per 5 minutes per key, ``refreshAccessToken`` 5 times a minute, a
per-second QPS limit per account and a daily quota per endpoint; tokens last 15 days (refresh
tokens 180). All limits are knobs (``CJLimits``) so tests can provoke each answer.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.sandbox.cj.errors import (
    INVALID_REFRESH,
    INVALID_TOKEN,
    MISSING_TOKEN,
    QUOTA_USED_UP,
    TOO_MANY_REQUESTS,
    CJError,
)
from tools.sandbox.clock import EmulatorClock

CHINA = timezone(timedelta(hours=8))
"""CJ dates are in China Standard Time, e.g. ``2021-08-18T09:16:33+08:00``."""


class CJLimits(BaseModel):
    """Sandbox knobs for CJ's limits (``PUT /_sandbox/cj/limits``)."""

    model_config = ConfigDict(extra="forbid")

    qps: int | None = Field(
        default=None, ge=1, description="Calls per second per account; None: unlimited."
    )
    daily_quota: int | None = Field(
        default=None, ge=1, description="Calls per endpoint per day (unverified: 1000)."
    )
    access_token_ttl_seconds: int = Field(default=15 * 86_400, ge=1)
    refresh_token_ttl_seconds: int = Field(default=180 * 86_400, ge=1)
    token_interval_seconds: float = Field(
        default=300.0, ge=0, description="getAccessToken at most once per this many seconds."
    )
    refresh_per_minute: int = Field(default=5, ge=1)


@dataclass
class _Token:
    api_key: str
    expires_at: float
    refresh_token: str | None = None


class CJGate:
    """Issues and checks tokens and counts calls against the limits."""

    def __init__(self, clock: EmulatorClock, api_keys: frozenset[str]) -> None:
        self._clock = clock
        self._api_keys = api_keys
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.limits = CJLimits()
            self._access: dict[str, _Token] = {}
            self._refresh: dict[str, _Token] = {}
            self._last_issue: dict[str, float] = {}
            self._refreshes: dict[str, deque[float]] = {}
            self._calls: dict[str, deque[float]] = {}
            self._daily: Counter[tuple[str, str, str]] = Counter()
            self.stats: Counter[str] = Counter()

    def issue(self, api_key: str) -> dict[str, Any]:
        """``authentication/getAccessToken``."""
        with self._lock:
            if api_key not in self._api_keys:
                raise CJError(401, INVALID_TOKEN, "Invalid API key or access token")
            now = self._clock.monotonic()
            last = self._last_issue.get(api_key)
            if last is not None and now - last < self.limits.token_interval_seconds:
                self.stats["throttled"] += 1
                raise CJError(
                    429,
                    TOO_MANY_REQUESTS,
                    "Too Many Requests, getAccessToken can be called once every "
                    f"{self.limits.token_interval_seconds:g} seconds",
                )
            self._last_issue[api_key] = now
            self.stats["getAccessToken"] += 1
            refresh_token = secrets.token_hex(24)
            self._refresh[refresh_token] = _Token(
                api_key, now + self.limits.refresh_token_ttl_seconds
            )
            return self._grant(api_key, refresh_token)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """``authentication/refreshAccessToken``: a new access token, the old one revoked."""
        with self._lock:
            now = self._clock.monotonic()
            grant = self._refresh.get(refresh_token)
            if grant is None or grant.expires_at <= now:
                raise CJError(401, INVALID_REFRESH, "Invalid Refresh token")
            window = self._refreshes.setdefault(grant.api_key, deque())
            _trim(window, now - 60)
            if len(window) >= self.limits.refresh_per_minute:
                self.stats["throttled"] += 1
                raise CJError(
                    429,
                    TOO_MANY_REQUESTS,
                    f"Too Many Requests, refreshAccessToken is limited to "
                    f"{self.limits.refresh_per_minute} times per minute",
                )
            window.append(now)
            self.stats["refreshAccessToken"] += 1
            for token, held in list(self._access.items()):
                if held.refresh_token == refresh_token:
                    del self._access[token]
            return self._grant(grant.api_key, refresh_token)

    def authorize(self, token: str | None, endpoint: str) -> None:
        """Check ``CJ-Access-Token`` and count the call; raises CJ's error otherwise."""
        with self._lock:
            if not token:
                raise CJError(401, MISSING_TOKEN, "CJ-Access-Token not found")
            now = self._clock.monotonic()
            held = self._access.get(token)
            if held is None or held.expires_at <= now:
                raise CJError(401, INVALID_TOKEN, "Invalid API key or access token")
            limits = self.limits
            if limits.qps is not None:
                window = self._calls.setdefault(held.api_key, deque())
                _trim(window, now - 1.0)
                if len(window) >= limits.qps:
                    self.stats["throttled"] += 1
                    raise CJError(
                        429, TOO_MANY_REQUESTS, f"Too Many Requests, QPS limit is {limits.qps}/s"
                    )
                window.append(now)
            if limits.daily_quota is not None:
                day = (
                    held.api_key,
                    endpoint,
                    self._clock.now().astimezone(CHINA).date().isoformat(),
                )
                if self._daily[day] >= limits.daily_quota:
                    self.stats["throttled"] += 1
                    raise CJError(
                        429,
                        QUOTA_USED_UP,
                        f"Too Many Requests: the daily quota of {limits.daily_quota} calls "
                        f"to {endpoint} is used up",
                    )
                self._daily[day] += 1
            self.stats[f"calls.{endpoint}"] += 1

    def expire_access_tokens(self) -> int:
        """Make every access token expire now (refresh tokens stay valid)."""
        with self._lock:
            now = self._clock.monotonic()
            for held in self._access.values():
                held.expires_at = now
            return len(self._access)

    def _grant(self, api_key: str, refresh_token: str) -> dict[str, Any]:
        now = self._clock.monotonic()
        created = self._clock.now().astimezone(CHINA).replace(microsecond=0)
        access_token = f"API@CJ{_open_id(api_key)}@CJ:{secrets.token_urlsafe(32)}"
        self._access[access_token] = _Token(
            api_key, now + self.limits.access_token_ttl_seconds, refresh_token
        )
        refresh_expiry = created + timedelta(seconds=self._refresh[refresh_token].expires_at - now)
        return {
            "openId": _open_id(api_key),
            "accessToken": access_token,
            "accessTokenExpiryDate": _date(
                created + timedelta(seconds=self.limits.access_token_ttl_seconds)
            ),
            "refreshToken": refresh_token,
            "refreshTokenExpiryDate": _date(refresh_expiry),
            "createDate": _date(created),
        }


def _trim(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()


def _open_id(api_key: str) -> int:
    return 1_000_000 + sum(map(ord, api_key)) % 9_000_000


def _date(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
