"""GitHub App authentication: the app's JWT, and installation access tokens kept in the
credential store.

A GitHub App proves itself with a JWT signed RS256 by its private key (``iss`` its id, at most
ten minutes long) and trades it for an installation token (``ghs_…``, one hour) to act on the
repositories the installation covers. The installation (its id, recorded when the install flow
comes back to ``/auth/github/callback``) and its current token live in the credential store, so
every process uses one token and one of them renews it.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, SecretStr

from storage.credentials import Credential, CredentialSlot, CredentialStore, NewSecret
from tools.github.errors import GitHubAuthenticationError, GitHubError

INSTALLATION_PROVIDER = "github.app_installation"
"""The credential store's provider name: one row per account the app is installed on."""
JWT_SECONDS = 540
RENEW_MARGIN_SECONDS = 300
API_VERSION = "2022-11-28"


class AppCredentials(BaseModel):
    """A GitHub App's id and private key (PEM), and the API it talks to."""

    model_config = ConfigDict(frozen=True)

    app_id: int
    private_key: SecretStr
    api_url: str


class Installation(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    account_login: str
    repository_selection: str | None = None


def app_jwt(app: AppCredentials, *, now: float | None = None) -> str:
    """The app's JWT: issued a minute in the past (clock drift), valid nine minutes."""
    issued = int(now if now is not None else time.time()) - 60
    claims = {"iat": issued, "exp": issued + JWT_SECONDS, "iss": str(app.app_id)}
    return jwt.encode(claims, app.private_key.get_secret_value(), algorithm="RS256")


def _headers(bearer: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {bearer}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
    }


async def get_installation(
    http: httpx.AsyncClient, app: AppCredentials, installation_id: int
) -> Installation:
    """``GET /app/installations/{id}``: which account the installation belongs to."""
    response = await http.get(
        f"{app.api_url}/app/installations/{installation_id}", headers=_headers(app_jwt(app))
    )
    _raise_for(response, f"installation {installation_id}")
    data = response.json()
    return Installation(
        id=data["id"],
        account_login=data["account"]["login"],
        repository_selection=data.get("repository_selection"),
    )


async def create_installation_token(
    http: httpx.AsyncClient, app: AppCredentials, installation_id: int
) -> NewSecret:
    """``POST /app/installations/{id}/access_tokens``, as a secret for the credential store."""
    response = await http.post(
        f"{app.api_url}/app/installations/{installation_id}/access_tokens",
        headers=_headers(app_jwt(app)),
    )
    _raise_for(response, f"a token for installation {installation_id}")
    data = response.json()
    expires = datetime.fromisoformat(str(data["expires_at"]).replace("Z", "+00:00"))
    lifetime = max(0.0, (expires - datetime.now(UTC)).total_seconds())
    return NewSecret.of(
        {"token": str(data["token"])},
        expires_in=lifetime,
        renew_in=max(0.0, lifetime - RENEW_MARGIN_SECONDS),
        details={
            "installation_id": installation_id,
            "repository_selection": data.get("repository_selection"),
        },
    )


def _raise_for(response: httpx.Response, what: str) -> None:
    if response.is_success:
        return
    try:
        message = str(response.json().get("message") or response.reason_phrase)
    except ValueError:
        message = response.reason_phrase
    if response.status_code == 401:
        raise GitHubAuthenticationError(
            f"GitHub refused the app's JWT for {what}: {message} (check GITHUB_APP_ID and "
            "GITHUB_APP_PRIVATE_KEY)",
            status_code=401,
        )
    raise GitHubError(
        f"GitHub refused {what}: {response.status_code} {message}",
        status_code=response.status_code,
    )


class InstallationToken:
    """Installation tokens for ``account``, shared through the credential store.

    Before the app is installed on ``account`` there is no stored installation: with a
    ``fallback`` (the sandbox's static token) that is used, otherwise the call fails naming the
    install URL.
    """

    def __init__(
        self,
        app: AppCredentials,
        account: str,
        credentials: CredentialStore,
        http: httpx.AsyncClient,
        *,
        fallback: SecretStr | None = None,
    ) -> None:
        self._app = app
        self._slot = CredentialSlot(credentials, INSTALLATION_PROVIDER, account)
        self._http = http
        self._fallback = fallback
        self._lock = asyncio.Lock()
        self._held: Credential | None = None

    @property
    def can_refresh(self) -> bool:
        return True

    async def token(self) -> SecretStr:
        async with self._lock:
            held = self._held
            if held is not None and not held.due(self._slot.now()):
                return held.values["token"]
            stored = await self._slot.get()
            if stored is None:
                if self._fallback is not None:
                    return self._fallback
                raise GitHubAuthenticationError(
                    f"the GitHub App is not installed on {self._slot.account}: install it "
                    "through /auth/github/install",
                    status_code=401,
                )
            self._held = await self._slot.obtain(self._renew)
            return self._held.values["token"]

    async def invalidate(self, rejected: SecretStr) -> None:
        async with self._lock:
            held = self._held
            if held is not None and held.values["token"] == rejected:
                self._held = None
                await self._slot.invalidate(held.version)

    async def _renew(self, current: Credential | None) -> NewSecret:
        installation = None if current is None else current.details.get("installation_id")
        if not isinstance(installation, int):
            raise GitHubAuthenticationError(
                f"no installation recorded for {self._slot.account}", status_code=401
            )
        return await create_installation_token(self._http, self._app, installation)
