"""Printful API v1 over httpx: bearer token, the ``{code, result, paging}`` envelope, 429s.

Printful allows 120 requests per 60 seconds (a leaky bucket) and answers 429 with
``Retry-After`` beyond it; the client keeps a matching bucket so it rarely gets there.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr

from tools.suppliers._http import new_client
from tools.suppliers._retry import Clock, RateLimiter, RetryPolicy, Sleep, parse_retry_after
from tools.suppliers.errors import (
    SupplierAuthenticationError,
    SupplierError,
    SupplierNotFoundError,
    SupplierRateLimitError,
    SupplierRequestError,
    SupplierUnavailableError,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.printful.com"
DEFAULT_REQUESTS_PER_MINUTE = 120


class Paging(BaseModel):
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class _Retry:
    error: SupplierError
    wait: float


class PrintfulClient:
    """One Printful token (and store): a client-side bucket and retries around every call."""

    def __init__(
        self,
        token: SecretStr,
        *,
        base_url: str = DEFAULT_BASE_URL,
        store_id: str | None = None,
        requests_per_minute: int | None = DEFAULT_REQUESTS_PER_MINUTE,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.requests_per_minute = requests_per_minute
        self._token = token
        self._store_id = store_id
        self._retry = retry or RetryPolicy()
        self._http = http_client or new_client()
        self._owns_http = http_client is None
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._limiter = (
            RateLimiter(
                requests_per_minute / 60, burst=requests_per_minute, clock=clock, sleep=sleep
            )
            if requests_per_minute
            else None
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        subject: tuple[str, str] | None = None,
        attempts: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[Any, Paging | None]:
        """``result`` and ``paging`` of a call; ``subject`` (kind, id) names a 404's target."""
        headers = {
            **(extra_headers or {}),
            "Authorization": f"Bearer {self._token.get_secret_value()}",
        }
        if self._store_id:
            headers["X-PF-Store-Id"] = self._store_id
        max_attempts = attempts or self._retry.max_attempts
        attempt = 0
        while True:
            if self._limiter is not None:
                await self._limiter.acquire()
            try:
                response = await self._http.request(
                    method, f"{self.base_url}{path}", params=params, json=body, headers=headers
                )
            except httpx.TransportError as exc:
                retry = _Retry(
                    SupplierUnavailableError(
                        "printful", f"printful: {path} failed: {type(exc).__name__}"
                    ),
                    self._retry.backoff(attempt + 1, self._rng),
                )
            else:
                envelope = _envelope(response)
                if response.is_success:
                    paging = envelope.get("paging")
                    return envelope.get("result"), Paging.model_validate(paging) if paging else None
                retry = self._retry_or_raise(path, response, envelope, attempt, subject)
            attempt += 1
            if attempt >= max_attempts:
                raise retry.error
            log.warning(
                "printful %s attempt %d failed (%s); retrying in %.2fs",
                path,
                attempt,
                retry.error,
                retry.wait,
            )
            await self._sleep(retry.wait)

    def _retry_or_raise(
        self,
        path: str,
        response: httpx.Response,
        envelope: Mapping[str, Any],
        attempt: int,
        subject: tuple[str, str] | None,
    ) -> _Retry:
        """How long to wait before trying a failed call again; raises when waiting cannot help."""
        message = _message(envelope, response)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if response.status_code == 429:
            wait = retry_after if retry_after is not None else self._documented_wait()
            error = SupplierRateLimitError(
                "printful", f"printful: {path} still limited: {message}", retry_after=wait
            )
            if wait > self._retry.max_retry_after:
                raise error
            return _Retry(error, wait)
        if response.status_code >= 500:
            wait = retry_after or self._retry.backoff(attempt + 1, self._rng)
            return _Retry(
                SupplierUnavailableError(
                    "printful", f"printful: {path} answered {response.status_code} ({message})"
                ),
                min(wait, self._retry.max_retry_after),
            )
        raise _error(path, response.status_code, message, subject)

    def _documented_wait(self) -> float:
        """Without Retry-After, one slot of the 60-second window frees up this soon."""
        per_minute = self.requests_per_minute or DEFAULT_REQUESTS_PER_MINUTE
        return 60.0 / per_minute


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json(parse_float=Decimal)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _message(envelope: Mapping[str, Any], response: httpx.Response) -> str:
    error = envelope.get("error")
    if isinstance(error, Mapping) and error.get("message"):
        return str(error["message"])
    result = envelope.get("result")
    return str(result) if isinstance(result, str) and result else response.reason_phrase


def _error(path: str, status: int, message: str, subject: tuple[str, str] | None) -> SupplierError:
    if status in (401, 403):
        return SupplierAuthenticationError(
            "printful",
            f"Printful rejected PRINTFUL_TOKEN ({status}); check the token"
            " (and PRINTFUL_STORE_ID for account-level tokens)",
        )
    if status == 404 and subject is not None:
        return SupplierNotFoundError("printful", *subject)
    return SupplierRequestError(
        "printful", f"printful: {path} failed: {message} ({status})", status=status
    )
