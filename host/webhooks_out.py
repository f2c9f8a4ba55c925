"""Run webhooks: after a run ends, POST the run to the URL it was created with.

A webhook URL is user input that makes the server send requests, so it is guarded against
server-side request forgery: only ``http``/``https``, and every address the host resolves to
must be public (no loopback, private, link-local, multicast, reserved or unspecified address)
unless ``ROYAL_WEBHOOK_ALLOW_PRIVATE`` allows it. The URL is checked when the run is created
(a refusal is a 422) and again before every delivery attempt, since DNS answers can change.
Redirects are not followed. Deliveries retry with exponential back-off on transport errors,
429 and 5xx answers; a delivery that keeps failing is logged and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from host.encoding import dumps

logger = logging.getLogger(__name__)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT = 5.0
"""Seconds a webhook host may take to resolve before the URL is refused."""


class WebhookRefusedError(ValueError):
    """The webhook URL is not one this server may call (the API answers 422)."""


class _RetryableStatusError(RuntimeError):
    """The receiver answered 429 or 5xx: worth another attempt."""


def _forbidden(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise ``WebhookRefusedError`` unless ``url`` is an http(s) URL of a public host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookRefusedError(f"webhook: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookRefusedError("webhook: only http and https URLs are allowed")
    host = parts.hostname
    if not host:
        raise WebhookRefusedError("webhook: the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise WebhookRefusedError("webhook: credentials in the URL are not allowed")
    if allow_private:
        return
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(
                host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
            ),
            RESOLVE_TIMEOUT,
        )
    except (OSError, UnicodeError, TimeoutError):
        raise WebhookRefusedError(f"webhook: cannot resolve host {host!r}") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if _forbidden(address):
            raise WebhookRefusedError(
                f"webhook: {host!r} resolves to a non-public address ({address}); "
                "set ROYAL_WEBHOOK_ALLOW_PRIVATE=true to allow it"
            )


def _now() -> str:
    return datetime.now(UTC).isoformat()


class WebhookSender:
    """Delivers run webhooks in the background, so a slow receiver never delays a run."""

    def __init__(
        self,
        *,
        allow_private: bool,
        attempts: int = 5,
        timeout: float = 10.0,
        backoff: float = 0.5,
    ) -> None:
        self.allow_private = allow_private
        self.attempts = attempts
        self.timeout = timeout
        self.backoff = backoff
        self._tasks: set[asyncio.Task[bool]] = set()
        self._client: httpx.AsyncClient | None = None

    async def check(self, url: str) -> None:
        await check_url(url, allow_private=self.allow_private)

    def send_later(self, url: str, body: dict[str, Any]) -> asyncio.Task[bool]:
        task = asyncio.create_task(self.deliver(url, body), name="webhook")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def deliver(self, url: str, body: dict[str, Any]) -> bool:
        """POST ``body`` (plus ``webhook_sent_at``) to ``url``; True once a 2xx-4xx answer came
        back (a 4xx will not improve with retries)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        client = self._client
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.attempts),
                wait=wait_exponential(multiplier=self.backoff, max=30),
                retry=retry_if_exception_type((httpx.TransportError, _RetryableStatusError)),
                reraise=True,
            ):
                with attempt:
                    await self.check(url)
                    payload = {**body, "webhook_sent_at": _now()}
                    response = await client.post(
                        url,
                        content=dumps(payload).encode(),
                        headers={"Content-Type": "application/json"},
                    )
                    if response.status_code == 429 or response.status_code >= 500:
                        raise _RetryableStatusError(f"HTTP {response.status_code}")
                    if response.status_code >= 400:
                        logger.warning("webhook %s refused the run: HTTP %s", url, response)
            return True
        except (WebhookRefusedError, httpx.HTTPError, _RetryableStatusError) as exc:
            logger.warning("webhook delivery to %s failed: %s", url, exc)
            return False

    async def aclose(self, grace: float = 5.0) -> None:
        """Give pending deliveries ``grace`` seconds, then drop them."""
        pending = list(self._tasks)
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None
