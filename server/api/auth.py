"""Who is calling and what they may do: API keys, HS256 bearer tokens and roles.

Credentials are the SDK's ``x-api-key`` header (``ROYAL_API_KEYS``) and ``Authorization: Bearer``
JWTs signed with ``JWT_SECRET``. Roles are ordered viewer < operator < approver < admin. With no
credentials configured in development the server runs open on loopback as ``dev:anonymous``
(admin); anywhere else it refuses to start. The identity recorded on an approval decision is
always the credential's, never a field of the request body.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, ValidationError, field_validator

from host.identity import (
    ANONYMOUS,
    SYSTEM,
    Principal,
    acting_as,
    current_principal,
    reserved,
    set_principal,
)
from policies.risk import Role
from settings import Environment, Settings
from settings.model import MIN_JWT_SECRET_BYTES

logger = logging.getLogger(__name__)

JWT_ALGORITHM = "HS256"


class TokenClaims(BaseModel):
    """The claims a bearer token must carry."""

    sub: str = Field(min_length=1, max_length=255)
    role: Role
    exp: int

    @field_validator("sub")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if reserved(value):
            raise ValueError("reserved subject")
        return value


# --- configuration and start-up checks --------------------------------------------------------
@dataclass(frozen=True)
class _Key:
    name: str
    role: Role
    secret: bytes


@dataclass(frozen=True)
class Authenticator:
    """The credentials one process accepts, read once from the settings."""

    keys: tuple[_Key, ...]
    jwt_secret: bytes | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Authenticator:
        keys = tuple(
            _Key(entry.name, Role(entry.role), entry.key.get_secret_value().encode())
            for entry in settings.api_keys()
        )
        secret = settings.jwt_secret.get_secret_value().encode() if settings.jwt_secret else None
        return cls(keys=keys, jwt_secret=secret)

    @property
    def open(self) -> bool:
        """No credentials configured: every caller is ``dev:anonymous``."""
        return not self.keys and self.jwt_secret is None

    def authenticate(self, api_key: str | None, bearer: str | None) -> Principal:
        if self.open:
            return ANONYMOUS
        if api_key:
            return self._by_key(api_key)
        if bearer:
            return self._by_token(bearer)
        raise unauthorized("missing credentials: send x-api-key or Authorization: Bearer")

    def _by_key(self, presented: str) -> Principal:
        given = presented.encode()
        found: _Key | None = None
        for key in self.keys:  # compare against every key: timing says nothing about which
            if hmac.compare_digest(given, key.secret):
                found = key
        if found is None:
            raise unauthorized("invalid API key")
        return Principal(subject=f"key:{found.name}", role=found.role, method="api_key")

    def _by_token(self, token: str) -> Principal:
        if self.jwt_secret is None:
            raise unauthorized("bearer tokens are not accepted here (no JWT_SECRET)")
        try:
            raw = jwt.decode(
                token,
                self.jwt_secret,
                algorithms=[JWT_ALGORITHM],
                options={"require": ["sub", "role", "exp"]},
            )
            claims = TokenClaims.model_validate(raw)
        except jwt.ExpiredSignatureError:
            raise unauthorized("token expired", error="invalid_token") from None
        except (jwt.InvalidTokenError, ValidationError):
            raise unauthorized("invalid token", error="invalid_token") from None
        return Principal(subject=claims.sub, role=claims.role, method="jwt")


def unauthorized(detail: str, *, error: str | None = None) -> HTTPException:
    challenge = "Bearer" if error is None else f'Bearer error="{error}"'
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def startup_problem(settings: Settings, host: str) -> str | None:
    """Why the API must not start with these settings on ``host`` (``None`` when it may)."""
    secret = settings.jwt_secret
    if secret is not None and len(secret.get_secret_value().encode()) < MIN_JWT_SECRET_BYTES:
        return f"JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes for HS256"
    if not Authenticator.from_settings(settings).open:
        return None
    if settings.royal_env is Environment.PRODUCTION:
        return "ROYAL_ENV=production needs API credentials: set ROYAL_API_KEYS or JWT_SECRET"
    if not _is_loopback(host):
        return (
            f"refusing to serve {host} without credentials: set ROYAL_API_KEYS or JWT_SECRET, "
            "or listen on 127.0.0.1"
        )
    return None


def warn_if_open(settings: Settings) -> bool:
    """Log that the API is open (development on loopback); ``True`` when it is."""
    if Authenticator.from_settings(settings).open:
        logger.warning(
            "no API credentials configured: the API is open on loopback and every caller is "
            "dev:anonymous (admin); set ROYAL_API_KEYS or JWT_SECRET to require them"
        )
        return True
    return False


def mint_token(
    secret: str, *, subject: str, role: Role, ttl: timedelta, now: datetime | None = None
) -> str:
    """An HS256 bearer token for ``subject`` with ``role``, valid for ``ttl``."""
    issued = now or datetime.now(UTC)
    claims = {"sub": subject, "role": role.value, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


# --- request dependencies ----------------------------------------------------------------------
_api_key = APIKeyHeader(name="x-api-key", auto_error=False, description="An API key.")
_bearer = HTTPBearer(auto_error=False, description="A JWT signed with JWT_SECRET (HS256).")


def _authenticator(request: Request) -> Authenticator:
    state = request.app.state
    found: Authenticator | None = getattr(state, "authenticator", None)
    if found is None:
        found = Authenticator.from_settings(state.runtime.settings)
        state.authenticator = found
    return found


async def authenticate(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    principal = _authenticator(request).authenticate(
        api_key, None if bearer is None else bearer.credentials
    )
    set_principal(principal)  # async: visible to the endpoint, which runs in this task
    return principal


def forbidden(principal: Principal, needed: str) -> HTTPException:
    return HTTPException(
        status_code=403, detail=f"{principal.subject} ({principal.role}) may not {needed}"
    )


def require(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency answering 403 unless the caller has at least ``role``."""

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.has(role):
            raise forbidden(principal, f"do this (needs {role})")
        return principal

    return check


#: Routes anyone may call (liveness and server info, as the SDKs probe them unauthenticated).
PUBLIC_ROUTES = frozenset({("GET", "/ok"), ("GET", "/info")})
#: POST routes of the LangGraph API that only read.
READ_ONLY_POSTS = frozenset(
    {
        "/assistants/search",
        "/assistants/count",
        "/threads/search",
        "/threads/count",
        "/threads/{thread_id}/history",
        "/threads/{thread_id}/state/checkpoint",
        "/threads/{thread_id}/stream/events",
        "/threads/{thread_id}/stream",
        "/assistants/{assistant_id}/versions",
        "/store/items/search",
        "/store/namespaces",
        "/runs/crons/search",
        "/runs/crons/count",
    }
)
#: Writes that can move a thread past its approval gate, or erase history: admins only.
ADMIN_ROUTES = frozenset(
    {
        ("POST", "/threads/{thread_id}/state"),
        ("DELETE", "/threads/{thread_id}"),
        ("DELETE", "/assistants/{assistant_id}"),
        ("POST", "/threads/prune"),  # with delete_threads, its threads go too
    }
)


def route_role(method: str, path: str) -> Role | None:
    """The role a LangGraph API route needs (``None``: public)."""
    if (method, path) in PUBLIC_ROUTES:
        return None
    if (method, path) in ADMIN_ROUTES:
        return Role.ADMIN
    if method in ("GET", "HEAD", "OPTIONS") or (method == "POST" and path in READ_ONLY_POSTS):
        return Role.VIEWER
    return Role.OPERATOR


async def authorize_request(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """Router-level dependency of the LangGraph API: the route's role from ``route_role``."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    needed = route_role(request.method, path)
    if needed is None:
        return
    principal = await authenticate(request, api_key, bearer)
    if not principal.has(needed):
        raise forbidden(principal, f"{request.method} {path} (needs {needed})")


__all__ = [
    "ANONYMOUS",
    "SYSTEM",
    "Principal",
    "acting_as",
    "authenticate",
    "current_principal",
    "forbidden",
    "mint_token",
    "startup_problem",
    "unauthorized",
    "warn_if_open",
]
