"""The Shopify app install (authorization code grant): the authorize URL, the code exchange,
and the installed token as the client's credential.

Shopify sends the merchant to ``/admin/oauth/authorize`` and back to the app's redirect URI with
``code``, ``hmac``, ``shop``, ``state`` and ``timestamp``; the app checks all of them
(``tools.webhooks.verify_shopify_oauth_query``), exchanges the code for an offline access token
at ``/admin/oauth/access_token`` and keeps it sealed in the credential store, where every
process's Shopify client finds it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from storage.credentials import NewSecret
from tools.shopify.auth import OAUTH_PROVIDER
from tools.shopify.errors import ShopifyAuthenticationError, ShopifyServerError

__all__ = ["OAUTH_PROVIDER", "authorize_url", "exchange_code"]


class _Exchange(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: SecretStr
    scope: str = ""


def authorize_url(
    shop_url: str, *, client_id: str, scopes: str, redirect_uri: str, state: str
) -> str:
    """Where to send the merchant: the shop's consent screen for an offline token."""
    query = urlencode(
        {"client_id": client_id, "scope": scopes, "redirect_uri": redirect_uri, "state": state}
    )
    return f"{shop_url.rstrip('/')}/admin/oauth/authorize?{query}"


async def exchange_code(
    http: httpx.AsyncClient,
    shop_url: str,
    *,
    client_id: str,
    client_secret: str,
    code: str,
) -> NewSecret:
    """The offline token for an authorization code, as a secret for the credential store."""
    url = f"{shop_url.rstrip('/')}/admin/oauth/access_token"
    body = {"client_id": client_id, "client_secret": client_secret, "code": code}
    try:
        response = await http.post(url, json=body, headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise ShopifyServerError(f"could not reach the shop: {type(exc).__name__}") from None
    if response.status_code >= 500:
        raise ShopifyServerError(f"the shop failed the code exchange ({response.status_code})")
    if response.status_code != 200:
        raise ShopifyAuthenticationError(
            f"the shop refused the authorization code ({response.status_code})"
        )
    try:
        grant = _Exchange.model_validate_json(response.content)
    except ValidationError:
        raise ShopifyAuthenticationError("the shop answered the exchange without a token") from None
    return NewSecret.of(
        {"access_token": grant.access_token.get_secret_value()}, details={"scope": grant.scope}
    )
