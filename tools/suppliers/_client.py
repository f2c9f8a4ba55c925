"""The request loop every supplier client shares: limiter, bounded retries and their waits.

A client says what its envelope means (success, a credential to renew, which failures waiting
can fix); sending, counting attempts, logging and sleeping are the same for every supplier.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

import httpx
from typing_extensions import TypedDict

from tools.suppliers._http import new_client
from tools.suppliers._retry import Clock, RateLimiter, RetryPolicy, Sleep
from tools.suppliers.errors import SupplierError, SupplierRateLimitError, SupplierUnavailableError

SubjectT = TypeVar("SubjectT")
"""How a client names the record a not-found answer is about."""


class TransportOptions(TypedDict, total=False):
    """How a client retries, waits and connects; tests inject fake time and seeded jitter."""

    retry: RetryPolicy | None
    http_client: httpx.AsyncClient | None
    clock: Clock
    sleep: Sleep
    rng: random.Random | None


@dataclass(frozen=True)
class Retry:
    """A failed attempt worth repeating: the error to raise if it was the last, and the wait."""

    error: SupplierError
    wait: float


class SupplierClient(Generic[SubjectT]):
    """One supplier account over httpx; subclasses fill in the hooks below."""

    supplier: ClassVar[str]
    """The adapter key, in errors and logs."""
    log: ClassVar[logging.Logger]

    def __init__(
        self,
        base_url: str,
        *,
        rate: float | None,
        burst: int = 1,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self._http = http_client or new_client()
        self._owns_http = http_client is None
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._limiter = RateLimiter(rate, burst, clock=clock, sleep=sleep) if rate else None

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        subject: SubjectT | None = None,
        attempts: int | None = None,
    ) -> dict[str, Any]:
        """The envelope of the first successful answer; the last error once attempts run out."""
        max_attempts = attempts or self._retry.max_attempts
        renewed = False
        attempt = 0
        while True:
            credentials = await self._credentials(authenticated)
            if self._limiter is not None:
                await self._limiter.acquire()
            try:
                response = await self._http.request(
                    method,
                    self._url(path),
                    params=params,
                    json=body,
                    headers={**(headers or {}), **credentials},
                )
            except httpx.TransportError as exc:
                retry = Retry(
                    SupplierUnavailableError(
                        self.supplier, f"{self.supplier}: {path} failed: {type(exc).__name__}"
                    ),
                    self._retry.backoff(attempt + 1, self._rng),
                )
            else:
                envelope = _envelope(response)
                if self._succeeded(response, envelope):
                    return envelope
                if not renewed and self._renew(path, credentials, envelope):
                    renewed = True
                    continue
                retry = self._retry_or_raise(path, response, envelope, attempt, subject)
            attempt += 1
            if attempt >= max_attempts:
                raise retry.error
            self.log.warning(
                "%s %s attempt %d failed (%s); retrying in %.2fs",
                self.supplier,
                path,
                attempt,
                retry.error,
                retry.wait,
            )
            await self._sleep(retry.wait)

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def _credentials(self, authenticated: bool) -> dict[str, str]:
        """Headers that authenticate one attempt (fetched per attempt: tokens expire)."""
        raise NotImplementedError

    def _succeeded(self, response: httpx.Response, envelope: Mapping[str, Any]) -> bool:
        return response.is_success

    def _renew(
        self, path: str, credentials: Mapping[str, str], envelope: Mapping[str, Any]
    ) -> bool:
        """Drop a refused credential so the next attempt gets a fresh one; once per call."""
        return False

    def _retry_or_raise(
        self,
        path: str,
        response: httpx.Response,
        envelope: Mapping[str, Any],
        attempt: int,
        subject: SubjectT | None,
    ) -> Retry:
        """How long to wait before trying a failed call again; raises when waiting cannot help."""
        raise NotImplementedError

    def _documented_wait(self) -> float:
        """The wait a rate-limited answer without ``Retry-After`` implies."""
        raise NotImplementedError

    def _rate_limited(self, path: str, message: str, retry_after: float | None) -> Retry:
        """Wait as asked (or as documented), unless that is longer than the policy allows."""
        wait = retry_after if retry_after is not None else self._documented_wait()
        error = SupplierRateLimitError(
            self.supplier, f"{self.supplier}: {path} still limited: {message}", retry_after=wait
        )
        if wait > self._retry.max_retry_after:
            raise error
        return Retry(error, wait)

    def _server_error(
        self, path: str, status: int, message: str, retry_after: float | None, attempt: int
    ) -> Retry:
        wait = retry_after or self._retry.backoff(attempt + 1, self._rng)
        return Retry(
            SupplierUnavailableError(
                self.supplier, f"{self.supplier}: {path} answered {status} ({message})"
            ),
            min(wait, self._retry.max_retry_after),
        )


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json(parse_float=Decimal)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
