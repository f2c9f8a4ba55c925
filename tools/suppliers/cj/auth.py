"""CJ access tokens: fetched once, reused, refreshed before expiry, re-issued only as a last resort.

CJ allows ``getAccessToken`` once per 5 minutes and ``refreshAccessToken`` 5 times a minute, and a
token lives 15 days, so fetching per call (or per worker start) gets an account throttled. With a
``CredentialSlot`` the grant lives in the credential store, sealed, and is shared by every process
on the database: one of them fetches or refreshes it, the others reuse what it stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.credentials import Credential, CredentialSlot, NewSecret
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
class _Issued:
    """A token answer in lifetimes (seconds from now), before it is placed on a clock."""

    access_token: str
    refresh_token: str | None
    access_ttl: float
    refresh_ttl: float

    @property
    def renew_after(self) -> float:
        """Refresh a tenth of the lifetime (at most a day) before expiry."""
        return self.access_ttl - min(_MAX_REFRESH_MARGIN, self.access_ttl / 10)


@dataclass(frozen=True)
class _Grant:
    access_token: str
    refresh_token: str | None
    refresh_access_at: float
    access_expires_at: float
    refresh_expires_at: float
    version: int | None = None
    """The credential store's version of this grant (None when it is held in memory only)."""


class CJTokenManager:
    """Holds one account's tokens; concurrent callers share a single fetch or refresh."""

    def __init__(
        self,
        issue: TokenCall,
        refresh: RefreshCall,
        *,
        clock: Clock,
        issue_interval: float = ISSUE_INTERVAL_SECONDS,
        shared: CredentialSlot | None = None,
    ) -> None:
        self._issue = issue
        self._refresh = refresh
        self._clock = clock
        self._issue_interval = issue_interval
        self._shared = shared
        self._grant: _Grant | None = None
        self._refused_version: int | None = None
        self._last_issue: float | None = None
        self._issue_failure: SupplierAuthenticationError | None = None
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        """A token valid now, refreshing it when it is close to expiry."""
        async with self._lock:
            grant = self._grant
            if grant is not None and self._clock() < grant.refresh_access_at:
                return grant.access_token
            if self._shared is not None:
                self._grant = await self._from_store(self._shared)
            else:
                issued = await self._renew(grant)
                now = self._clock()
                self._grant = _Grant(
                    access_token=issued.access_token,
                    refresh_token=issued.refresh_token,
                    refresh_access_at=now + issued.renew_after,
                    access_expires_at=now + issued.access_ttl,
                    refresh_expires_at=now + issued.refresh_ttl,
                )
            return self._grant.access_token

    def cached(self) -> str | None:
        """The current token if one is held and fresh, without fetching anything."""
        grant = self._grant
        if grant is not None and self._clock() < grant.refresh_access_at:
            return grant.access_token
        return None

    def invalidate(self, access_token: str) -> None:
        """Forget ``access_token`` after CJ refused it, so the next call refreshes (and, when it
        is the stored grant, marks it refused in the store unless another process replaced it)."""
        grant = self._grant
        if grant is not None and grant.access_token == access_token:
            now = self._clock()
            self._refused_version = grant.version
            self._grant = _Grant(
                access_token=grant.access_token,
                refresh_token=grant.refresh_token,
                refresh_access_at=now,
                access_expires_at=now,
                refresh_expires_at=grant.refresh_expires_at,
                version=grant.version,
            )

    async def _renew(self, grant: _Grant | None) -> _Issued:
        """A new grant: refreshed while the refresh token lives, issued otherwise."""
        if grant is not None and grant.refresh_token and self._clock() < grant.refresh_expires_at:
            try:
                issued = _issued(await self._refresh(grant.refresh_token))
                log.info("cj access token refreshed")
                return issued
            except SupplierAuthenticationError:
                log.warning("cj refresh token refused; requesting a new access token")
        return _issued(await self._issue_once())

    async def _from_store(self, shared: CredentialSlot) -> _Grant:
        """The stored grant, renewed by exactly one process when it is due."""
        if self._refused_version is not None:
            await shared.invalidate(self._refused_version)
            self._refused_version = None

        async def renew(current: Credential | None) -> NewSecret:
            issued = await self._renew(None if current is None else self._on_clock(current))
            refresh_expires = shared.now() + timedelta(seconds=issued.refresh_ttl)
            values = {"access_token": issued.access_token}
            if issued.refresh_token:
                values["refresh_token"] = issued.refresh_token
            return NewSecret.of(
                values,
                expires_in=issued.access_ttl,
                renew_in=issued.renew_after,
                details={"refresh_expires_at": refresh_expires.isoformat()},
            )

        return self._on_clock(await shared.obtain(renew))

    def _on_clock(self, credential: Credential) -> _Grant:
        """A stored grant on this process's clock (stored times are wall-clock)."""
        now, wall = self._clock(), (self._shared.now() if self._shared else datetime.now(UTC))
        access_left = (
            (credential.expires_at - wall).total_seconds() if credential.expires_at else 0.0
        )
        refresh_expiry = _parse_date(credential.details.get("refresh_expires_at"))
        refresh_left = (refresh_expiry - wall).total_seconds() if refresh_expiry else 0.0
        return _Grant(
            access_token=credential.value("access_token"),
            refresh_token=credential.get("refresh_token"),
            refresh_access_at=now + credential.seconds_left(wall),
            access_expires_at=now + access_left,
            refresh_expires_at=now + refresh_left,
            version=credential.version,
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


def _issued(data: Mapping[str, Any]) -> _Issued:
    created = _parse_date(data.get("createDate"))
    refresh_token = data.get("refreshToken")
    return _Issued(
        access_token=str(data["accessToken"]),
        refresh_token=str(refresh_token) if refresh_token else None,
        access_ttl=_ttl(_parse_date(data.get("accessTokenExpiryDate")), created),
        refresh_ttl=_ttl(_parse_date(data.get("refreshTokenExpiryDate")), created),
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
