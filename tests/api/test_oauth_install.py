"""App installs through the server against the emulators: Shopify's OAuth refuses a bad HMAC,
a replayed state and a foreign shop, and a good install stores a sealed token that later API
calls use; the GitHub App install stores an installation token the GitHub client then uses."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select

from storage import Database
from storage.credentials_schema import credentials
from tests.api.server_support import LiveServer
from tools.github import GitHubClient
from tools.sandbox import SandboxServer
from tools.sandbox.github import GitHubEmulator
from tools.sandbox.shopify import ShopifyEmulator
from tools.sandbox.shopify.auth import signed_callback_query
from tools.shopify import ShopifyClient
from tools.shopify.config import SANDBOX_SHOP_DOMAIN

SHOP = SANDBOX_SHOP_DOMAIN


def app_url_query(shop: str = SHOP, secret: str | None = None) -> str:
    """What Shopify sends to the app URL when a merchant installs: signed with the secret."""
    params = {"shop": shop, "timestamp": str(int(time.time()))}
    return (
        signed_callback_query(params) if secret is None else signed_callback_query(params, secret)
    )


async def consent(api: LiveServer, http: httpx.AsyncClient) -> str:
    """Start the install and pass the sandbox's consent screen; the callback URL it returns."""
    started = await http.get(f"{api.url}/auth/shopify/install?{app_url_query()}")
    assert started.status_code == 302, started.text
    authorize = started.headers["location"]
    assert "/shopify/admin/oauth/authorize?" in authorize
    assert parse_qs(urlsplit(authorize).query)["redirect_uri"] == [
        f"{api.url}/auth/shopify/callback"
    ]
    approved = await http.get(authorize)
    assert approved.status_code == 302
    callback: str = approved.headers["location"]
    assert callback.startswith(f"{api.url}/auth/shopify/callback?")
    return callback


async def stored_rows(api: LiveServer, provider: str) -> list[bytes]:
    async with Database.from_settings(api.runtime.settings) as database, database.read() as conn:
        rows = (
            await conn.execute(select(credentials).where(credentials.c.provider == provider))
        ).all()
    return [bytes(row.ciphertext) for row in rows]


async def test_a_good_shopify_install_stores_a_sealed_token_later_calls_use(
    api: LiveServer, sandbox: SandboxServer
) -> None:
    shop = sandbox.sandbox.emulators["shopify"]
    assert isinstance(shop, ShopifyEmulator)
    async with httpx.AsyncClient(timeout=30) as http:
        callback = await consent(api, http)
        installed = await http.get(callback)
        assert installed.status_code == 200, installed.text
        assert installed.json()["account"] == SHOP
        replayed = await http.get(callback)
    assert replayed.status_code == 403
    assert "state is unknown, expired, already used" in replayed.json()["detail"]

    (sealed,) = await stored_rows(api, "shopify.oauth")
    assert b"shpat_oauth_" not in sealed

    services = api.runtime.services
    assert services is not None
    async with ShopifyClient.from_settings(
        api.runtime.settings, credentials=services.credentials
    ) as client:
        uses = dict(shop.tokens.uses)
        await client.get_shop()
    assert shop.tokens.uses["oauth"] == uses.get("oauth", 0) + 1
    assert shop.tokens.uses["static"] == uses.get("static", 0)


async def test_a_bad_hmac_and_a_foreign_shop_are_refused(api: LiveServer) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        forged = await http.get(
            f"{api.url}/auth/shopify/install?{app_url_query(secret='not-ours')}"
        )
        foreign = await http.get(
            f"{api.url}/auth/shopify/install?{app_url_query('evil-shop.myshopify.com')}"
        )
        not_shopify = await http.get(
            f"{api.url}/auth/shopify/install?{app_url_query('evil.example.com')}"
        )
        callback = await consent(api, http)
        tampered = callback.replace("state=", "state=x")
        refused = await http.get(tampered)
        foreign_callback = await http.get(
            f"{api.url}/auth/shopify/callback?"
            + signed_callback_query(
                {
                    "code": "c",
                    "shop": "evil-shop.myshopify.com",
                    "state": "s",
                    "timestamp": str(int(time.time())),
                }
            )
        )
    assert forged.status_code == 401
    assert foreign.status_code == 403
    assert "not the shop this server serves" in foreign.json()["detail"]
    assert not_shopify.status_code == 401
    assert refused.status_code == 401  # the state is signed: changing it breaks the HMAC
    assert foreign_callback.status_code == 403
    assert await stored_rows(api, "shopify.oauth") == []


async def test_the_github_app_install_stores_an_installation_token_the_client_uses(
    api: LiveServer, sandbox: SandboxServer
) -> None:
    emulator = sandbox.sandbox.emulators["github"]
    assert isinstance(emulator, GitHubEmulator)
    emulator.apps.setup_url = f"{api.url}/auth/github/callback"
    async with httpx.AsyncClient(timeout=30) as http:
        started = await http.get(f"{api.url}/auth/github/install")
        assert started.status_code == 302
        page = await http.get(started.headers["location"])
        assert page.status_code == 302
        installed = await http.get(page.headers["location"])
        assert installed.status_code == 200, installed.text
        replayed = await http.get(page.headers["location"])
        forged = await http.get(
            f"{api.url}/auth/github/callback?installation_id=55000001&state=made-up"
        )
    assert installed.json()["account"] == "royal-equips"
    assert replayed.status_code == 403
    assert forged.status_code == 403
    (sealed,) = await stored_rows(api, "github.app_installation")
    assert b"ghs_" not in sealed
    assert emulator.apps.tokens_issued == 1

    services = api.runtime.services
    assert services is not None
    async with GitHubClient.from_settings(
        api.runtime.settings, credentials=services.credentials
    ) as client:
        assert await client.get_branch_sha("main")
    assert emulator.apps.tokens_issued == 1  # the stored token, not a new one
