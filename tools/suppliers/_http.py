"""The HTTP client the adapters own when none is injected."""

from __future__ import annotations

import functools
import ssl

import httpx

TIMEOUT = httpx.Timeout(15.0, connect=5.0)


@functools.cache
def _tls() -> ssl.SSLContext:
    """Loading the CA bundle costs ~0.2 s; every adapter in the process shares one context."""
    return httpx.create_ssl_context()


def new_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=TIMEOUT, verify=_tls())
