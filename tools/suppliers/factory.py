"""Build every supplier from settings: the real API when its credential is set, else the sandbox."""

from __future__ import annotations

import httpx

from settings import Settings
from storage.credentials import CredentialStore
from tools.suppliers._retry import RetryPolicy
from tools.suppliers.cj import SANDBOX_API_KEY, CJSupplier
from tools.suppliers.printful import SANDBOX_STORE_ID, SANDBOX_TOKEN, PrintfulSupplier
from tools.suppliers.protocol import Supplier

CJ_SANDBOX_PATH = "/cj/api2.0/v1"
PRINTFUL_SANDBOX_PATH = "/printful"


def build_suppliers(
    settings: Settings,
    *,
    sandbox_url: str | None = None,
    retry: RetryPolicy | None = None,
    http_client: httpx.AsyncClient | None = None,
    credentials: CredentialStore | None = None,
) -> dict[str, Supplier]:
    """Every supplier adapter keyed by ``Supplier.key``, each real or sandbox on its own.

    ``sandbox_url`` overrides ``settings.sandbox_url`` (tests run the sandbox on a random port).
    ``credentials`` shares rationed access tokens (CJ's) with every process on the database;
    without it each process holds its own.
    The sandbox enforces no per-second limit unless a test sets one, so sandbox CJ runs without
    the client-side limiter that protects a real (Free level: 1 request/s) account.
    """
    sandbox = (sandbox_url or settings.sandbox_url).rstrip("/")
    suppliers: dict[str, Supplier] = {}
    if settings.cj_api_key is not None:
        suppliers["cjdropshipping"] = CJSupplier(
            settings.cj_api_key,
            base_url=settings.cj_base_url,
            mode="real",
            retry=retry,
            http_client=http_client,
            credentials=credentials,
        )
    else:
        suppliers["cjdropshipping"] = CJSupplier(
            SANDBOX_API_KEY,
            base_url=sandbox + CJ_SANDBOX_PATH,
            mode="sandbox",
            requests_per_second=None,
            retry=retry,
            http_client=http_client,
            credentials=credentials,
        )
    if settings.printful_token is not None:
        suppliers["printful"] = PrintfulSupplier(
            settings.printful_token,
            base_url=settings.printful_base_url,
            store_id=settings.printful_store_id,
            mode="real",
            retry=retry,
            http_client=http_client,
        )
    else:
        suppliers["printful"] = PrintfulSupplier(
            SANDBOX_TOKEN,
            base_url=sandbox + PRINTFUL_SANDBOX_PATH,
            store_id=SANDBOX_STORE_ID,
            mode="sandbox",
            retry=retry,
            http_client=http_client,
        )
    return suppliers
