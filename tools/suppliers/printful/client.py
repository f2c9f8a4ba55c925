"""Printful API v1 over httpx: bearer token, the ``{code, result, paging}`` envelope, 429s.

Printful allows 120 requests per 60 seconds (a leaky bucket) and answers 429 with
``Retry-After`` beyond it; the client keeps a matching bucket so it rarely gets there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr
from typing_extensions import Unpack

from tools.backoff import retry_after_seconds
from tools.suppliers._client import Retry, SupplierClient, TransportOptions
from tools.suppliers.errors import (
    SupplierAuthenticationError,
    SupplierError,
    SupplierNotFoundError,
    SupplierRequestError,
)

DEFAULT_BASE_URL = "https://api.printful.com"
DEFAULT_REQUESTS_PER_MINUTE = 120


class Paging(BaseModel):
    total: int
    offset: int
    limit: int


class PrintfulClient(SupplierClient[tuple[str, str]]):
    """One Printful token (and store): a client-side bucket and retries around every call."""

    supplier = "printful"
    log = logging.getLogger(__name__)

    def __init__(
        self,
        token: SecretStr,
        *,
        base_url: str = DEFAULT_BASE_URL,
        store_id: str | None = None,
        requests_per_minute: int | None = DEFAULT_REQUESTS_PER_MINUTE,
        **transport: Unpack[TransportOptions],
    ) -> None:
        super().__init__(
            base_url,
            rate=requests_per_minute / 60 if requests_per_minute else None,
            burst=requests_per_minute or 1,
            **transport,
        )
        self.requests_per_minute = requests_per_minute
        self._token = token
        self._store_id = store_id

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
        envelope = await self._exchange(
            method,
            path,
            params=params,
            body=body,
            headers=extra_headers,
            subject=subject,
            attempts=attempts,
        )
        paging = envelope.get("paging")
        return envelope.get("result"), Paging.model_validate(paging) if paging else None

    async def _credentials(self, authenticated: bool) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}"}
        if self._store_id:
            headers["X-PF-Store-Id"] = self._store_id
        return headers

    def _retry_or_raise(
        self,
        path: str,
        response: httpx.Response,
        envelope: Mapping[str, Any],
        attempt: int,
        subject: tuple[str, str] | None,
    ) -> Retry:
        message = _message(envelope, response)
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        if response.status_code == 429:
            return self._rate_limited(path, message, retry_after)
        if response.status_code >= 500:
            return self._server_error(path, response.status_code, message, retry_after, attempt)
        raise _error(path, response.status_code, message, subject)

    def _documented_wait(self) -> float:
        """Without Retry-After, one slot of the 60-second window frees up this soon."""
        per_minute = self.requests_per_minute or DEFAULT_REQUESTS_PER_MINUTE
        return 60.0 / per_minute


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
