"""Signed session cookies and CSRF tokens for the console.

A session cookie carries the user name, a per-session CSRF token and when it was issued,
signed with itsdangerous under a key derived from ``JWT_SECRET``; the role is read from the
users table on every request, so ``royal users set-role``/``disable`` apply at once. Without
``JWT_SECRET`` a development server signs with a random per-process key (sessions end when it
restarts and are not shared between processes); production refuses to sign anyone in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from settings import Environment, Settings

logger = logging.getLogger(__name__)

SESSION_COOKIE = "royal_session"
LOGIN_COOKIE = "royal_login"
SESSION_TTL = timedelta(hours=12)
LOGIN_TTL = timedelta(minutes=30)
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class ConsoleDisabledError(RuntimeError):
    """No key to sign sessions with outside development."""


class SessionData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    csrf: str = Field(min_length=16, max_length=128)


def derive_key(secret: str) -> bytes:
    """A key for console sessions only: a token signed for the API is no session, and back."""
    return hmac.new(secret.encode(), b"royal-console-session-v1", hashlib.sha256).digest()


def same_token(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class SessionSigner:
    key: bytes
    ephemeral: bool
    """True when the key is random for this process (development without ``JWT_SECRET``)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionSigner:
        if settings.jwt_secret is not None:
            return cls(derive_key(settings.jwt_secret.get_secret_value()), ephemeral=False)
        if settings.royal_env is Environment.PRODUCTION:
            raise ConsoleDisabledError("set JWT_SECRET to sign console sessions in production")
        logger.warning(
            "JWT_SECRET is not set: console sessions are signed with a random per-process key "
            "(they end when the server restarts and are not shared between processes)"
        )
        return cls(secrets.token_bytes(32), ephemeral=True)

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.key, salt=salt)

    def issue(self, username: str) -> tuple[str, SessionData]:
        """A new session (fresh CSRF token) for ``username``, and its cookie value."""
        session = SessionData(username=username, csrf=secrets.token_urlsafe(32))
        return self._serializer("session").dumps(session.model_dump()), session

    def load(self, cookie: str | None) -> SessionData | None:
        """The session in ``cookie`` if its signature holds and it has not expired."""
        if not cookie:
            return None
        try:
            raw = self._serializer("session").loads(
                cookie, max_age=int(SESSION_TTL.total_seconds())
            )
            return SessionData.model_validate(raw)
        except (BadSignature, ValidationError, ValueError):
            return None

    def login_token(self) -> tuple[str, str]:
        """A token for the sign-in form and the signed cookie that must come back with it."""
        token = secrets.token_urlsafe(32)
        return self._serializer("login").dumps(token), token

    def check_login(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        try:
            expected = self._serializer("login").loads(
                cookie, max_age=int(LOGIN_TTL.total_seconds())
            )
        except (BadSignature, ValueError):
            return False
        return isinstance(expected, str) and same_token(token, expected)
