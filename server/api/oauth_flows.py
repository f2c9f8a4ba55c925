"""App installs: Shopify's OAuth (authorization code) and a GitHub App installation, each
ending with its token sealed in the credential store, where every process's client finds it.

Every callback is checked before anything is stored: Shopify's HMAC over the query, the shop
domain (a ``*.myshopify.com`` domain and the one this server serves), the timestamp window and
a ``state`` nonce issued by this server for that shop and accepted once; GitHub's ``state``
and the installation's account (the repository's owner, read with the app's own JWT).
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from pydantic import BaseModel

from settings import ServiceMode, Settings
from storage.credentials import CredentialStore
from storage.oauth_states import OAuthStates
from tools.github.app_auth import INSTALLATION_PROVIDER, create_installation_token, get_installation
from tools.github.config import GitHubConfig, app_credentials
from tools.github.sandbox_app import SANDBOX_APP_SLUG
from tools.sandbox.shopify.auth import CLIENT_ID as SANDBOX_CLIENT_ID
from tools.sandbox.shopify.auth import CLIENT_SECRET as SANDBOX_CLIENT_SECRET
from tools.shopify.config import SANDBOX_SHOP_DOMAIN
from tools.shopify.oauth import OAUTH_PROVIDER, authorize_url, exchange_code
from tools.webhooks import SignatureError, verify_shopify_oauth_query


class InstallRefused(Exception):
    """A callback or install request that failed a check; the message says which check."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        super().__init__(reason)


class Installed(BaseModel):
    provider: str
    account: str
    scope: str | None = None


class ShopifyApp(BaseModel):
    """The app's identity and the one shop this server serves."""

    client_id: str
    client_secret: str
    scopes: str
    shop: str
    shop_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> ShopifyApp:
        if settings.shopify_mode is ServiceMode.REAL and settings.shopify_shop:
            if settings.shopify_api_key is None or settings.shopify_api_secret is None:
                raise InstallRefused(
                    503, "the Shopify app install needs SHOPIFY_API_KEY and SHOPIFY_API_SECRET"
                )
            return cls(
                client_id=settings.shopify_api_key.get_secret_value(),
                client_secret=settings.shopify_api_secret.get_secret_value(),
                scopes=settings.shopify_scopes,
                shop=settings.shopify_shop,
                shop_url=f"https://{settings.shopify_shop}",
            )
        return cls(
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
            scopes=settings.shopify_scopes,
            shop=SANDBOX_SHOP_DOMAIN,
            shop_url=f"{settings.sandbox_url}/shopify",
        )


def _checked_query(app: ShopifyApp, query: str, *, state: bool) -> dict[str, str]:
    try:
        params = verify_shopify_oauth_query(query, app.client_secret)
    except SignatureError as exc:
        raise InstallRefused(401, str(exc)) from None
    if params["shop"] != app.shop:
        raise InstallRefused(403, f"{params['shop']} is not the shop this server serves")
    if state and not params.get("state"):
        raise InstallRefused(401, "missing state")
    return params


async def shopify_install_url(
    settings: Settings, states: OAuthStates, query: str, redirect_uri: str
) -> str:
    """Shopify's signed request to the app URL, answered with the consent screen's URL."""
    app = ShopifyApp.from_settings(settings)
    params = _checked_query(app, query, state=False)
    state = await states.issue("shopify", params["shop"])
    return authorize_url(
        app.shop_url,
        client_id=app.client_id,
        scopes=app.scopes,
        redirect_uri=redirect_uri,
        state=state,
    )


async def shopify_callback(
    settings: Settings,
    states: OAuthStates,
    credentials: CredentialStore,
    http: httpx.AsyncClient,
    query: str,
) -> Installed:
    app = ShopifyApp.from_settings(settings)
    params = _checked_query(app, query, state=True)
    if await states.consume("shopify", params["state"], params["shop"]) is None:
        raise InstallRefused(403, "state is unknown, expired, already used or for another shop")
    secret = await exchange_code(
        http,
        app.shop_url,
        client_id=app.client_id,
        client_secret=app.client_secret,
        code=params.get("code", ""),
    )
    await credentials.put(OAUTH_PROVIDER, app.shop, secret)
    scope = secret.details.get("scope")
    return Installed(
        provider=OAUTH_PROVIDER, account=app.shop, scope=scope if isinstance(scope, str) else None
    )


async def github_install_url(settings: Settings, states: OAuthStates) -> str:
    """Where to install the GitHub App, with a state naming the repository's owner."""
    config = GitHubConfig.from_settings(settings)
    state = await states.issue("github", config.owner)
    query = urlencode({"state": state})
    if config.sandbox:
        return f"{settings.sandbox_url}/github/apps/{SANDBOX_APP_SLUG}/installations/new?{query}"
    if not settings.github_app_slug:
        raise InstallRefused(503, "set GITHUB_APP_SLUG to install the GitHub App")
    return f"https://github.com/apps/{settings.github_app_slug}/installations/new?{query}"


async def github_callback(
    settings: Settings,
    states: OAuthStates,
    credentials: CredentialStore,
    http: httpx.AsyncClient,
    installation_id: str,
    state: str,
) -> Installed:
    config = GitHubConfig.from_settings(settings)
    app = app_credentials(settings)
    if app is None:
        raise InstallRefused(503, "no GitHub App is configured (GITHUB_APP_ID)")
    if await states.consume("github", state, config.owner) is None:
        raise InstallRefused(403, "state is unknown, expired or already used")
    if not installation_id.isdigit():
        raise InstallRefused(400, "installation_id must be a number")
    installation = await get_installation(http, app, int(installation_id))
    if installation.account_login.lower() != config.owner.lower():
        raise InstallRefused(
            403, f"the installation is on {installation.account_login}, not {config.owner}"
        )
    secret = await create_installation_token(http, app, installation.id)
    await credentials.put(INSTALLATION_PROVIDER, config.owner, secret)
    return Installed(provider=INSTALLATION_PROVIDER, account=config.owner)
