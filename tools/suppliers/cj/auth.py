"""CJ access tokens: fetched once, reused, refreshed before expiry, re-issued only as a last resort.

CJ allows ``getAccessToken`` once per 5 minutes and ``refreshAccessToken`` 5 times a minute, and a
token lives 15 days, so fetching per call (or per worker start) gets an account throttled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tools.suppliers._retry import Clock
from tools.suppliers.errors import (
    SupplierAuthenticationError,
    SupplierRateLimitError,
    SupplierUnavailableError,
)

log = logging.getLogger(__name__)

ISSUE_INTERVAL_SECONDS = 300.0
"""CJ's documented limit on ``authentication/getAccessToken``: once per 5 minutes."""
_MAX_REFRESH_MARGIN = 86_400.0
_FALLBACK_TTL = 3_600.0

TokenCall = Callable[[], Awaitable[Mapping[str, Any]]]
RefreshCall = Callable[[str], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True)
class _Grant:
    access_token: str
    refresh_token: str | None
    refresh_access_at: float
    access_expires_at: float
    refresh_expires_at: float


class CJTokenManager:
    """Holds one account's tokens; concurrent callers share a single fetch or refresh."""

    def __init__(
        self,
        issue: TokenCall,
        refresh: RefreshCall,
        *,
        clock: Clock,
        issue_interval: float = ISSUE_INTERVAL_SECONDS,
    ) -> None:
        self._issue = issue
        self._refresh = refresh
        self._clock = clock
        self._issue_interval = issue_interval
        self._grant: _Grant | None = None
        self._last_issue: float | None = None
        self._issue_failure: SupplierAuthenticationError | None = None
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        """A token valid now, refreshing it when it is close to expiry."""
        async with self._lock:
            now = self._clock()
            grant = self._grant
            if grant is not None and now < grant.refresh_access_at:
                return grant.access_token
            if grant is not None and grant.refresh_token and now < grant.refresh_expires_at:
                try:
                    self._grant = self._parse(await self._refresh(grant.refresh_token))
                    log.info("cj access token refreshed")
                    return self._grant.access_token
                except SupplierAuthenticationError:
                    log.warning("cj refresh token refused; requesting a new access token")
            self._grant = self._parse(await self._issue_once())
            return self._grant.access_token

    def cached(self) -> str | None:
        """The current token if one is held and fresh, without fetching anything."""
        grant = self._grant
        if grant is not None and self._clock() < grant.refresh_access_at:
            return grant.access_token
        return None

    def invalidate(self, access_token: str) -> None:
        """Forget ``access_token`` after CJ refused it, so the next call refreshes."""
        grant = self._grant
        if grant is not None and grant.access_token == access_token:
            now = self._clock()
            self._grant = _Grant(
                access_token=grant.access_token,
                refresh_token=grant.refresh_token,
                refresh_access_at=now,
                access_expires_at=now,
                refresh_expires_at=grant.refresh_expires_at,
            )

    async def _issue_once(self) -> Mapping[str, Any]:
        now = self._clock()
        if self._last_issue is not None and now - self._last_issue < self._issue_interval:
            if self._issue_failure is not None:
                raise self._issue_failure
            wait = self._issue_interval - (now - self._last_issue)
            raise SupplierRateLimitError(
                "cjdropshipping",
                f"cjdropshipping: getAccessToken is limited to once per {self._issue_interval:g}s; "
                f"retry in {wait:.0f}s",
                retry_after=wait,
            )
        previous, self._last_issue = self._last_issue, now
        try:
            data = await self._issue()
        except SupplierAuthenticationError as exc:
            self._issue_failure = exc  # the same key fails the same way until it changes
            raise
        except SupplierUnavailableError:
            self._last_issue = previous  # CJ never answered, so nothing was spent
            raise
        self._issue_failure = None
        log.info("cj access token issued")
        return data

    def _parse(self, data: Mapping[str, Any]) -> _Grant:
        now = self._clock()
        created = _parse_date(data.get("createDate"))
        access_ttl = _ttl(_parse_date(data.get("accessTokenExpiryDate")), created)
        refresh_ttl = _ttl(_parse_date(data.get("refreshTokenExpiryDate")), created)
        margin = min(_MAX_REFRESH_MARGIN, access_ttl / 10)
        refresh_token = data.get("refreshToken")
        return _Grant(
            access_token=str(data["accessToken"]),
            refresh_token=str(refresh_token) if refresh_token else None,
            refresh_access_at=now + access_ttl - margin,
            access_expires_at=now + access_ttl,
            refresh_expires_at=now + refresh_ttl,
        )


def _parse_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ttl(expiry: datetime | None, created: datetime | None) -> float:
    """Lifetime from CJ's own dates, so a skewed local clock cannot shorten or stretch it."""
    if expiry is None:
        return _FALLBACK_TTL
    start = created or datetime.now(UTC)
    return max(0.0, (expiry - start).total_seconds())
