"""Access tokens: a static one, or one minted by the client-credentials grant and kept fresh.

With a credential store, a granted token is sealed in the database and shared by every process
of the shop, so one process asks Shopify for it and the others reuse it until it is due; and a
token from an app install (``tools.shopify.oauth``) is preferred when the shop has one stored.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from storage.credentials import Credential, CredentialSlot, CredentialStore, NewSecret, account_key
from tools.shopify.config import ShopifyConfig
from tools.shopify.errors import ShopifyAuthenticationError, ShopifyServerError
from tools.shopify.throttle import Clock

logger = logging.getLogger(__name__)


class TokenProvider(Protocol):
    """Supplies the ``X-Shopify-Access-Token`` value."""

    @property
    def can_refresh(self) -> bool:
        """Whether a rejected token can be replaced by asking again."""
        ...

    async def token(self) -> SecretStr: ...

    async def invalidate(self, rejected: SecretStr) -> None:
        """Forget ``rejected`` (after a 401) so the next :meth:`token` fetches a new one."""
        ...


class StaticToken:
    """A long-lived Admin API token (``shpat_…``) from configuration."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    @property
    def can_refresh(self) -> bool:
        return False

    async def token(self) -> SecretStr:
        return self._token

    async def invalidate(self, rejected: SecretStr) -> None:
        return None

    def __repr__(self) -> str:
        return "StaticToken(**********)"


class _GrantResponse(BaseModel):
    access_token: SecretStr
    scope: str | None = None
    expires_in: float | None = None


class ClientCredentialsToken:
    """Tokens from ``POST /admin/oauth/access_token`` (``grant_type=client_credentials``).

    Fetched on first use and again ``refresh_margin`` seconds before expiry, or after a 401.
    A lock makes concurrent callers share one grant request; ``shared`` makes every process
    share one (the credential store renews it once, under its lease).
    """

    def __init__(
        self,
        config: ShopifyConfig,
        http: httpx.AsyncClient,
        clock: Clock,
        shared: CredentialSlot | None = None,
    ) -> None:
        if config.client_id is None or config.client_secret is None:
            raise ValueError("the client-credentials grant needs client_id and client_secret")
        self._config = config
        self._client_id = config.client_id
        self._client_secret = config.client_secret
        self._http = http
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: SecretStr | None = None
        self._refresh_at = float("inf")
        self._shared = shared
        self._version: int | None = None
        self.grants = 0
        self.scope: str | None = None

    @property
    def can_refresh(self) -> bool:
        return True

    async def token(self) -> SecretStr:
        async with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                if self._shared is None:
                    self._hold(await self._grant(), None)
                else:
                    self._hold_stored(await self._shared.obtain(self._renew), self._shared)
            assert self._token is not None
            return self._token

    async def invalidate(self, rejected: SecretStr) -> None:
        async with self._lock:
            current = self._token.get_secret_value() if self._token else None
            if current == rejected.get_secret_value():
                self._token = None
                if self._shared is not None and self._version is not None:
                    await self._shared.invalidate(self._version)

    async def _renew(self, _current: Credential | None) -> NewSecret:
        grant = await self._grant()
        expires = grant.expires_in
        details: dict[str, str | None] = {"scope": grant.scope}
        return NewSecret.of(
            {"access_token": grant.access_token.get_secret_value()},
            expires_in=expires,
            renew_in=None if expires is None else expires - self._margin(expires),
            details=details,
        )

    def _hold_stored(self, credential: Credential, shared: CredentialSlot) -> None:
        self._token = credential.values["access_token"]
        self._version = credential.version
        scope = credential.details.get("scope")
        self.scope = scope if isinstance(scope, str) else None
        self._refresh_at = self._clock() + credential.seconds_left(shared.now())

    def _hold(self, grant: _GrantResponse, version: int | None) -> None:
        now = self._clock()
        self._token = grant.access_token
        self._version = version
        self.scope = grant.scope
        if grant.expires_in is None:
            self._refresh_at = float("inf")
        else:
            self._refresh_at = now + grant.expires_in - self._margin(grant.expires_in)

    def _margin(self, expires_in: float) -> float:
        return min(self._config.token_refresh_margin, expires_in / 2)

    async def _grant(self) -> _GrantResponse:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id.get_secret_value(),
            "client_secret": self._client_secret.get_secret_value(),
        }
        shop = self._config.shop_label
        try:
            response = await self._http.post(
                self._config.token_url, data=form, headers={"Accept": "application/json"}
            )
        except httpx.TransportError as exc:
            raise ShopifyServerError(
                f"could not reach {shop} for an access token: {type(exc).__name__}"
            ) from None
        if response.status_code >= 500:
            raise ShopifyServerError(
                f"Shopify failed to grant an access token for {shop} ({response.status_code})",
                status=response.status_code,
            )
        if response.status_code != 200:
            raise ShopifyAuthenticationError(
                f"Shopify refused the client-credentials grant for {shop} "
                f"({response.status_code}): check {self._config.auth_hint}"
            )
        try:
            grant = _GrantResponse.model_validate_json(response.content)
        except ValidationError:
            raise ShopifyAuthenticationError(
                f"Shopify answered the client-credentials grant for {shop} without a token"
            ) from None
        self.grants += 1
        logger.info("shopify: granted an access token for %s (grant #%d)", shop, self.grants)
        return grant

    def __repr__(self) -> str:
        return f"ClientCredentialsToken(shop={self._config.shop_label!r})"


OAUTH_PROVIDER = "shopify.oauth"
"""The credential store's provider name for installed (offline) tokens: one row per shop."""


class PreferInstalled:
    """The token of an app install when the shop has one stored, else ``fallback``'s.

    An installed (offline) token does not expire; when Shopify refuses it (the app was
    uninstalled) it is set aside and ``fallback`` answers.
    """

    def __init__(self, installed: CredentialSlot, fallback: TokenProvider) -> None:
        self._installed = installed
        self.fallback = fallback
        self._token: SecretStr | None = None
        self._refused: SecretStr | None = None
        self._lock = asyncio.Lock()

    @property
    def can_refresh(self) -> bool:
        return True

    async def token(self) -> SecretStr:
        async with self._lock:
            if self._token is None:
                stored = await self._installed.get()
                candidate = None if stored is None else stored.values["access_token"]
                if candidate is not None and candidate != self._refused:
                    self._token = candidate
        return self._token if self._token is not None else await self.fallback.token()

    async def invalidate(self, rejected: SecretStr) -> None:
        async with self._lock:
            if self._token is not None and self._token == rejected:
                self._refused, self._token = rejected, None
                return
        await self.fallback.invalidate(rejected)

    def __repr__(self) -> str:
        return f"PreferInstalled({self._installed!r}, {self.fallback!r})"


CLIENT_CREDENTIALS_PROVIDER = "shopify.client_credentials"
"""The credential store's provider name for granted Admin API tokens (one row per shop+app)."""


def token_provider(
    config: ShopifyConfig,
    http: httpx.AsyncClient,
    clock: Clock,
    *,
    credentials: CredentialStore | None = None,
) -> TokenProvider:
    """The provider ``config`` asks for; granted tokens shared through ``credentials``, and a
    token from an app install (``/auth/shopify/callback``) preferred when one is stored, unless
    an access token is configured explicitly."""
    provider: TokenProvider
    if config.access_token is not None:
        provider = StaticToken(config.access_token)
        if not config.sandbox:
            return provider
    else:
        shared = None
        if credentials is not None and config.client_id is not None:
            account = account_key(config.shop_label, config.client_id.get_secret_value())
            shared = CredentialSlot(credentials, CLIENT_CREDENTIALS_PROVIDER, account)
        provider = ClientCredentialsToken(config, http, clock, shared)
    if credentials is None:
        return provider
    return PreferInstalled(
        CredentialSlot(credentials, OAUTH_PROVIDER, config.shop_domain), provider
    )
