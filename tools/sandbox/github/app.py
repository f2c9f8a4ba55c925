"""The sandbox GitHub App: installations, JWT-authenticated ``/app`` endpoints and installation
access tokens, and the installation page that redirects to the app's setup URL.

As on GitHub, ``/app/...`` requires a JWT signed RS256 with the app's private key (``iss`` the
app id, at most ten minutes long); an installation token (``ghs_…``, one hour) then acts on the
installation's repositories.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tools.github.sandbox_app import SANDBOX_APP_ID, SANDBOX_APP_PRIVATE_KEY, SANDBOX_APP_SLUG
from tools.sandbox.github import serialize
from tools.sandbox.github.errors import ApiError, not_found
from tools.sandbox.github.serialize import Json, Urls
from tools.sandbox.github.store import Repository, User

DOCS_APPS = "https://docs.github.com/rest/apps/apps"
TOKEN_LIFETIME = timedelta(hours=1)
MAX_JWT_SECONDS = 600
PERMISSIONS = {"contents": "write", "pull_requests": "write", "metadata": "read"}


@dataclass
class Installation:
    id: int
    account: User
    created_at: datetime


class AppRegistry:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        key = serialization.load_pem_private_key(SANDBOX_APP_PRIVATE_KEY.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):  # pragma: no cover - a constant
            raise TypeError("the sandbox app key must be an RSA key")
        self.public_key = key.public_key()
        self.setup_url: str | None = None
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.installations: dict[int, Installation] = {}
            self._tokens: dict[str, tuple[int, float]] = {}
            self._next = 55_000_001
            self.setup_url = None
            self.tokens_issued = 0
            self.token_uses = 0

    # --- authentication ------------------------------------------------------------------

    def check_jwt(self, token: str) -> None:
        """Refuse anything but a fresh RS256 JWT of the sandbox app, as GitHub does."""
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"], "verify_iat": False},
                leeway=60,
            )
        except jwt.ExpiredSignatureError:
            raise ApiError(
                401,
                "'Expiration time' claim ('exp') must be a numeric value representing the "
                "future time at which the assertion expires",
                documentation_url=DOCS_APPS,
            ) from None
        except jwt.PyJWTError:
            raise ApiError(
                401, "A JSON web token could not be decoded", documentation_url=DOCS_APPS
            ) from None
        if str(claims["iss"]) != str(SANDBOX_APP_ID):
            raise ApiError(401, "Integration not found", documentation_url=DOCS_APPS)
        if int(claims["exp"]) - int(claims["iat"]) > MAX_JWT_SECONDS + 60:
            raise ApiError(
                401,
                "'Expiration time' claim ('exp') is too far in the future",
                documentation_url=DOCS_APPS,
            )

    def accepts_installation_token(self, token: str) -> bool:
        """Whether ``token`` is a live installation token (each use is counted)."""
        with self._lock:
            found = self._tokens.get(token)
            valid = found is not None and self._clock() < found[1]
            self.token_uses += int(valid)
            return valid

    # --- installations -------------------------------------------------------------------

    def install(self, repo: Repository, now: datetime) -> Installation:
        """Install the app on the repository's owner (once; again returns the same one)."""
        with self._lock:
            for installation in self.installations.values():
                if installation.account.login == repo.owner:
                    return installation
            installation = Installation(self._next, repo.owner_user, now)
            self.installations[installation.id] = installation
            self._next += 1
            return installation

    def installation(self, installation_id: str) -> Installation:
        found = self.installations.get(int(installation_id)) if installation_id.isdigit() else None
        if found is None:
            raise not_found(DOCS_APPS)
        return found

    def installation_json(self, installation: Installation, urls: Urls) -> Json:
        base = f"{urls.api}/app/installations/{installation.id}"
        return {
            "id": installation.id,
            "account": serialize.user(installation.account, urls),
            "repository_selection": "all",
            "access_tokens_url": f"{base}/access_tokens",
            "repositories_url": f"{urls.api}/installation/repositories",
            "html_url": f"{urls.api}/organizations/{installation.account.login}"
            f"/settings/installations/{installation.id}",
            "app_id": SANDBOX_APP_ID,
            "app_slug": SANDBOX_APP_SLUG,
            "target_id": installation.account.id,
            "target_type": installation.account.type,
            "permissions": PERMISSIONS,
            "events": ["pull_request"],
            "created_at": serialize.timestamp(installation.created_at),
            "updated_at": serialize.timestamp(installation.created_at),
        }

    def create_token(self, installation: Installation) -> Json:
        token = f"ghs_{secrets.token_urlsafe(27)}"
        expires = self._clock() + TOKEN_LIFETIME.total_seconds()
        with self._lock:
            self._tokens[token] = (installation.id, expires)
            self.tokens_issued += 1
        return {
            "token": token,
            "expires_at": serialize.timestamp(datetime.fromtimestamp(expires, UTC)),
            "permissions": PERMISSIONS,
            "repository_selection": "all",
        }

    def setup_redirect(self, installation: Installation, state: str | None) -> str | None:
        """Where the installation page sends the browser: the app's setup URL, if set."""
        if self.setup_url is None:
            return None
        query = {"installation_id": str(installation.id), "setup_action": "install"}
        if state:
            query["state"] = state
        separator = "&" if "?" in self.setup_url else "?"
        return f"{self.setup_url}{separator}{urlencode(query)}"
