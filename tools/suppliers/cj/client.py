"""CJdropshipping API 2.0 over httpx: the envelope, tokens, QPS limits and bounded retries.

Every answer is ``{code, result, message, data, requestId}``. CJ reports many failures as
HTTP 200 with ``result: false``, so the code decides, not the status.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr
from typing_extensions import Unpack

from storage.credentials import CredentialSlot, CredentialStore, account_key
from tools.backoff import retry_after_seconds
from tools.suppliers._client import Retry, SupplierClient, TransportOptions
from tools.suppliers.cj.auth import CJTokenManager
from tools.suppliers.errors import (
    SupplierAuthenticationError,
    SupplierError,
    SupplierNotFoundError,
    SupplierRateLimitError,
    SupplierRequestError,
)

DEFAULT_BASE_URL = "https://developers.cjdropshipping.com/api2.0/v1"
CREDENTIAL_PROVIDER = "cjdropshipping"
"""The credential store's provider name for CJ access tokens (one row per API key)."""
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


class CJClient(SupplierClient[str]):
    """One CJ account: a shared token, a client-side QPS limiter and retries around every call."""

    supplier = "cjdropshipping"
    log = logging.getLogger(__name__)

    def __init__(
        self,
        api_key: SecretStr,
        *,
        base_url: str = DEFAULT_BASE_URL,
        requests_per_second: float | None = 1.0,
        credentials: CredentialStore | None = None,
        **transport: Unpack[TransportOptions],
    ) -> None:
        super().__init__(base_url, rate=requests_per_second, **transport)
        self.requests_per_second = requests_per_second
        self._api_key = api_key
        shared = (
            None
            if credentials is None
            else CredentialSlot(
                credentials,
                CREDENTIAL_PROVIDER,
                account_key(urlsplit(self.base_url).netloc, api_key.get_secret_value()),
            )
        )
        self.tokens = CJTokenManager(
            self._get_access_token,
            self._refresh,
            clock=transport.get("clock", time.monotonic),
            shared=shared,
        )

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
        envelope = await self._exchange(
            method,
            path,
            params=params,
            body=body,
            headers=headers,
            authenticated=authenticated,
            subject=subject,
            attempts=attempts,
        )
        return envelope.get("data")

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path}"

    async def _credentials(self, authenticated: bool) -> dict[str, str]:
        token = await self.tokens.access_token() if authenticated else None
        return {TOKEN_HEADER: token} if token else {}

    def _succeeded(self, response: httpx.Response, envelope: Mapping[str, Any]) -> bool:
        """CJ's success needs all three: a 2xx, ``code`` 200 and ``result`` true."""
        return (
            response.is_success
            and envelope.get("code") == CODE_OK
            and envelope.get("result") is True
        )

    def _renew(
        self, path: str, credentials: Mapping[str, str], envelope: Mapping[str, Any]
    ) -> bool:
        token = credentials.get(TOKEN_HEADER)
        if not token or envelope.get("code") not in _TOKEN_REFUSED:
            return False
        self.log.info("cjdropshipping refused the access token on %s; refreshing", path)
        self.tokens.invalidate(token)
        return True

    def _retry_or_raise(
        self,
        path: str,
        response: httpx.Response,
        envelope: Mapping[str, Any],
        attempt: int,
        subject: str | None,
    ) -> Retry:
        code = envelope.get("code")
        message = str(envelope.get("message") or response.reason_phrase)
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
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
            return self._rate_limited(path, message, retry_after)
        if response.status_code >= 500 or code == CODE_BUSY:
            return self._server_error(path, response.status_code, message, retry_after, attempt)
        raise _error(path, response.status_code, code, message, subject)

    def _documented_wait(self) -> float:
        """CJ sends no Retry-After; its per-second QPS limit means one interval clears it."""
        return 1.0 / self.requests_per_second if self.requests_per_second else 1.0


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
