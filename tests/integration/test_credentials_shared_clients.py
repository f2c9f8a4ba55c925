"""Clients sharing tokens through the credential store (two stores on one database stand for two
processes): a Shopify client-credentials grant made once, a refused CJ token refreshed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from storage.credentials import CredentialStore
from storage.crypto import Keyring, generate_key
from storage.engine import Database
from tests.integration.storage_support import BACKENDS, backend_url, migrated
from tests.integration.supplier_helpers import admin, cj
from tools.sandbox import SandboxServer
from tools.shopify import ShopifyClient
from tools.shopify.auth import ClientCredentialsToken, PreferInstalled
from tools.shopify.config import ShopifyConfig

KEY = generate_key()


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated(backend_url(request, tmp_path)) as opened:
        yield opened


def granted(client: ShopifyClient) -> int:
    """Grants this client asked Shopify for (its provider prefers an installed token first)."""
    provider = client.tokens
    assert isinstance(provider, PreferInstalled)
    assert isinstance(provider.fallback, ClientCredentialsToken)
    return provider.fallback.grants


def granting_client(sandbox: SandboxServer, database: Database) -> ShopifyClient:
    config = ShopifyConfig(
        shop_url=f"{sandbox.url}/shopify",
        client_id=SecretStr("sandbox-client-id"),
        client_secret=SecretStr("sandbox-client-secret"),
    )
    return ShopifyClient(config, credentials=CredentialStore(database, Keyring.from_string(KEY)))


async def test_two_shopify_clients_share_one_granted_token(
    sandbox: SandboxServer, database: Database
) -> None:
    async with (
        granting_client(sandbox, database) as first,
        granting_client(sandbox, database) as second,
    ):
        await first.get_shop()
        await second.get_shop()
        grants = [granted(c) for c in (first, second)]
        assert sorted(grants, key=str) == [0, 1]
        async with httpx.AsyncClient() as http:
            revoked = await http.post(f"{sandbox.url}/_sandbox/shopify/auth/revoke")
        assert revoked.json() == {"revoked": 1}
        await second.get_shop()  # 401: second grants anew and stores it
        await first.get_shop()  # 401 on the old token: first finds the new one stored
        assert granted(first) + granted(second) == 2
        state = (await http_get(sandbox, "/_sandbox/shopify/auth"))["issuedTokens"]
        assert state == 1  # revocation emptied the registry; one grant since


async def http_get(sandbox: SandboxServer, path: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        answer: dict[str, object] = (await http.get(path)).json()
    return answer


async def test_a_refused_cj_token_is_refreshed_once_for_every_process(
    sandbox: SandboxServer, database: Database
) -> None:
    first = cj(sandbox.url, credentials=CredentialStore(database, Keyring.from_string(KEY)))
    second = cj(sandbox.url, credentials=CredentialStore(database, Keyring.from_string(KEY)))
    try:
        assert await first.search_catalog("yoga mat", limit=2)
        assert await second.search_catalog("yoga mat", limit=2)
        await admin(sandbox.url, "POST", "cj/tokens/expire")
        assert await first.search_catalog("yoga mat", limit=2)  # refused, refreshed, stored
        assert await second.search_catalog("yoga mat", limit=2)  # refused, finds the new one
        stats = await admin(sandbox.url, "GET", "cj/stats")
    finally:
        await first.aclose()
        await second.aclose()
    assert stats["getAccessToken"] == 1
    assert stats["refreshAccessToken"] == 1
