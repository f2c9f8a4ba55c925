"""CJdropshipping API 2.0 over httpx: the envelope, tokens, QPS limits and bounded retries.

Every answer is ``{code, result, message, data, requestId}``. CJ reports many failures as
HTTP 200 with ``result: false``, so the code decides, not the status.
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
from pydantic import SecretStr

from tools.suppliers._http import new_client
from tools.suppliers._retry import Clock, RateLimiter, RetryPolicy, Sleep, parse_retry_after
from tools.suppliers.cj.auth import CJTokenManager
from tools.suppliers.errors import (
    SupplierAuthenticationError,
    SupplierError,
    SupplierNotFoundError,
    SupplierRateLimitError,
    SupplierRequestError,
    SupplierUnavailableError,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://developers.cjdropshipping.com/api2.0/v1"
TOKEN_HEADER = "CJ-Access-Token"

CODE_OK = 200
CODE_BUSY = 1600000
CODE_INVALID_TOKEN = 1600001
CODE_MISSING_TOKEN = 1600002
CODE_INVALID_REFRESH = 1600003
CODE_TOO_MANY = 1600200
CODE_QUOTA = 1600201
CODE_VARIANT_NOT_FOUND = 1602000
CODE_PRODUCT_NOT_FOUND = 1602001
CODE_ORDER_NOT_FOUND = 1603100
_ACCOUNT_CODES = frozenset({1600004, 1600005, 1600006, 1600007, 1600008})
_CLOSE = {"Connection": "close"}
_TOKEN_REFUSED = frozenset({CODE_INVALID_TOKEN, CODE_MISSING_TOKEN})
_TOKEN_PATHS = frozenset({"authentication/getAccessToken", "authentication/refreshAccessToken"})
_NOT_FOUND = {
    CODE_VARIANT_NOT_FOUND: "variant",
    CODE_PRODUCT_NOT_FOUND: "product",
    CODE_ORDER_NOT_FOUND: "order",
}


@dataclass(frozen=True)
class _Retry:
    error: SupplierError
    wait: float


class CJClient:
    """One CJ account: a shared token, a client-side QPS limiter and retries around every call."""

    def __init__(
        self,
        api_key: SecretStr,
        *,
        base_url: str = DEFAULT_BASE_URL,
        requests_per_second: float | None = 1.0,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.requests_per_second = requests_per_second
        self._api_key = api_key
        self._retry = retry or RetryPolicy()
        self._http = http_client or new_client()
        self._owns_http = http_client is None
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._limiter = (
            RateLimiter(requests_per_second, clock=clock, sleep=sleep)
            if requests_per_second
            else None
        )
        self.tokens = CJTokenManager(self._get_access_token, self._refresh, clock=clock)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def get(
        self, path: str, params: Mapping[str, str | int], *, subject: str | None = None
    ) -> Any:
        """``data`` of a GET; ``subject`` names the id a not-found answer refers to."""
        return await self._call("GET", path, params=params, subject=subject)

    async def post(self, path: str, body: Mapping[str, Any], *, subject: str | None = None) -> Any:
        return await self._call("POST", path, body=body, subject=subject)

    async def ping(self) -> str:
        """One call proving CJ answers, without spending the 5-minute token window.

        It closes its connection, so an adapter built only to be probed leaves no socket open.
        """
        token = self.tokens.cached()
        if token is not None:
            await self._call("GET", "product/getCategory", attempts=1, headers=_CLOSE)
            return "answered; access token valid"
        try:
            await self._call(
                "GET", "product/getCategory", authenticated=False, attempts=1, headers=_CLOSE
            )
        except SupplierAuthenticationError as exc:
            if exc.code in _TOKEN_REFUSED:
                return "answered; CJ_API_KEY is checked on the first call"
            raise
        return "answered"

    async def _get_access_token(self) -> Mapping[str, Any]:
        data = await self._call(
            "POST",
            "authentication/getAccessToken",
            body={"apiKey": self._api_key.get_secret_value()},
            authenticated=False,
        )
        return _token_data(data)

    async def _refresh(self, refresh_token: str) -> Mapping[str, Any]:
        data = await self._call(
            "POST",
            "authentication/refreshAccessToken",
            body={"refreshToken": refresh_token},
            authenticated=False,
        )
        return _token_data(data)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        authenticated: bool = True,
        subject: str | None = None,
        attempts: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        max_attempts = attempts or self._retry.max_attempts
        refreshed = False
        attempt = 0
        while True:
            token = await self.tokens.access_token() if authenticated else None
            if self._limiter is not None:
                await self._limiter.acquire()
            try:
                response = await self._http.request(
                    method,
                    f"{self.base_url}/{path}",
                    params=params,
                    json=body,
                    headers={**(headers or {}), **({TOKEN_HEADER: token} if token else {})},
                )
            except httpx.TransportError as exc:
                retry = _Retry(
                    SupplierUnavailableError(
                        "cjdropshipping", f"cjdropshipping: {path} failed: {type(exc).__name__}"
                    ),
                    self._retry.backoff(attempt + 1, self._rng),
                )
            else:
                envelope = _envelope(response)
                if _succeeded(response, envelope):
                    return envelope.get("data")
                if token and not refreshed and envelope.get("code") in _TOKEN_REFUSED:
                    log.info("cjdropshipping refused the access token on %s; refreshing", path)
                    self.tokens.invalidate(token)
                    refreshed = True
                    continue
                retry = self._retry_or_raise(path, response, envelope, attempt, subject)
            attempt += 1
            if attempt >= max_attempts:
                raise retry.error
            log.warning(
                "cjdropshipping %s attempt %d failed (%s); retrying in %.2fs",
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
        subject: str | None,
    ) -> _Retry:
        """How long to wait before trying a failed call again; raises when waiting cannot help."""
        code = envelope.get("code")
        message = str(envelope.get("message") or response.reason_phrase)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        limited = response.status_code == 429 or code == CODE_TOO_MANY
        if code == CODE_QUOTA:
            raise SupplierRateLimitError(
                "cjdropshipping", f"cjdropshipping: daily call quota used up on {path}"
            )
        if limited and path in _TOKEN_PATHS:
            # Token calls are limited per minutes, not per second: retrying now only burns the
            # next window.
            raise SupplierRateLimitError(
                "cjdropshipping",
                f"cjdropshipping: {path} is rate limited (getAccessToken once per 5 min, "
                f"refreshAccessToken 5 per min): {message}",
                retry_after=retry_after,
            )
        if limited:
            wait = retry_after if retry_after is not None else self._documented_wait()
            error = SupplierRateLimitError(
                "cjdropshipping",
                f"cjdropshipping: {path} still limited: {message}",
                retry_after=wait,
            )
            if wait > self._retry.max_retry_after:
                raise error
            return _Retry(error, wait)
        if response.status_code >= 500 or code == CODE_BUSY:
            wait = retry_after or self._retry.backoff(attempt + 1, self._rng)
            return _Retry(
                SupplierUnavailableError(
                    "cjdropshipping",
                    f"cjdropshipping: {path} answered {response.status_code} ({message})",
                ),
                min(wait, self._retry.max_retry_after),
            )
        raise _error(path, response.status_code, code, message, subject)

    def _documented_wait(self) -> float:
        """CJ sends no Retry-After; its per-second QPS limit means one interval clears it."""
        return 1.0 / self.requests_per_second if self.requests_per_second else 1.0


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json(parse_float=Decimal)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _succeeded(response: httpx.Response, envelope: Mapping[str, Any]) -> bool:
    """CJ's success needs all three: a 2xx, ``code`` 200 and ``result`` true."""
    return (
        response.is_success and envelope.get("code") == CODE_OK and envelope.get("result") is True
    )


def _token_data(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping) or not data.get("accessToken"):
        raise SupplierRequestError(
            "cjdropshipping", "cjdropshipping: token answer without an accessToken"
        )
    return data


def _error(
    path: str, status: int, code: object, message: str, subject: str | None
) -> SupplierError:
    """The typed error for a CJ answer that retrying cannot fix."""
    code_int = code if isinstance(code, int) else None
    if path == "authentication/refreshAccessToken" and code_int == CODE_INVALID_REFRESH:
        return SupplierAuthenticationError(
            "cjdropshipping", "cjdropshipping: refresh token refused", code=code_int
        )
    if (
        code_int in (CODE_INVALID_TOKEN, CODE_MISSING_TOKEN, CODE_INVALID_REFRESH)
        or code_int in _ACCOUNT_CODES
        or status in (401, 403)
    ):
        what = "the API key in" if path in _TOKEN_PATHS else "the access token obtained with"
        return SupplierAuthenticationError(
            "cjdropshipping",
            f"CJdropshipping rejected {what} CJ_API_KEY (code {code_int or status}); check the key",
            code=code_int,
        )
    if code_int in _NOT_FOUND:
        return SupplierNotFoundError("cjdropshipping", _NOT_FOUND[code_int], subject or "?")
    return SupplierRequestError(
        "cjdropshipping",
        f"cjdropshipping: {path} failed: {message} (code {code_int or status})",
        status=status,
        code=code_int,
    )
