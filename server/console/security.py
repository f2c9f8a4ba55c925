"""Who is signed in to the console, what their role lets them do, and the CSRF check.

Every console route depends on ``signed_in(role)``: no session means a redirect to the sign-in
page (pages) or 401 (everything else); too low a role is 403. Every state-changing route also
depends on ``csrf_checked``: the session's token must come back in the ``x-csrf-token`` header
or the form's ``csrf_token`` field, else 403, so another site cannot post on a user's behalf.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict

from host.runtime import Runtime
from policies.risk import RiskLevel, Role
from server.api import deps
from server.api.auth import Principal
from server.console.sessions import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    ConsoleDisabledError,
    SessionSigner,
    same_token,
)
from storage.users import UserRepository

LOGIN_PATH = "/console/login"


class ConsoleUser(BaseModel):
    """The signed-in user: the name from the session, the role from the users table."""

    model_config = ConfigDict(frozen=True)

    username: str
    role: Role
    csrf: str
    unread: int = 0
    """Notifications this user has not read (the bell in every page's header)."""

    def has(self, role: Role) -> bool:
        return self.role >= role

    @property
    def principal(self) -> Principal:
        """The identity the API records on what this user does (decisions, goals)."""
        return Principal(subject=self.username, role=self.role, method="session")


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def signer_of(request: Request) -> SessionSigner:
    """The process's signer, made once from the runtime's settings."""
    state = request.app.state
    found: SessionSigner | None = getattr(state, "console_signer", None)
    if found is None:
        try:
            found = SessionSigner.from_settings(runtime_of(request).settings)
        except ConsoleDisabledError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None
        state.console_signer = found
    return found


def users_of(request: Request) -> UserRepository:
    return UserRepository(runtime_of(request).store.database)


async def session_user(request: Request) -> ConsoleUser | None:
    """The user of a valid session whose account still exists and is enabled."""
    session = signer_of(request).load(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    user = await users_of(request).get(session.username)
    if user is None or user.disabled:
        return None
    services = runtime_of(request).services
    unread = 0 if services is None else await services.notifications.count_unread(user.username)
    return ConsoleUser(
        username=user.username, role=Role(user.role), csrf=session.csrf, unread=unread
    )


def _wants_page(request: Request) -> bool:
    return request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", "")


def signed_in(role: Role) -> Callable[[Request], Awaitable[ConsoleUser]]:
    """A dependency: the signed-in user with at least ``role``."""

    async def check(request: Request) -> ConsoleUser:
        user = await session_user(request)
        if user is None:
            if _wants_page(request):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                location = f"{LOGIN_PATH}?next={quote(target, safe='')}"
                raise HTTPException(
                    status_code=303, detail="sign in", headers={"Location": location}
                )
            raise HTTPException(status_code=401, detail="sign in to the console first")
        if not user.has(role):
            raise HTTPException(
                status_code=403,
                detail=f"{user.username} ({user.role}) may not do this (needs {role})",
            )
        return user

    return check


async def csrf_token_of(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def writer(role: Role) -> Callable[[Request], Awaitable[ConsoleUser]]:
    """A dependency for state-changing routes: ``signed_in(role)`` and a valid CSRF token."""
    check_user = signed_in(role)

    async def check(request: Request) -> ConsoleUser:
        user = await check_user(request)
        if not same_token(await csrf_token_of(request), user.csrf):
            raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
        return user

    return check


def optional_risk(value: str | None) -> RiskLevel | None:
    """A risk filter from a form, where "any" is the empty string."""
    if not value:
        return None
    try:
        return RiskLevel(value.upper())
    except ValueError:
        raise HTTPException(status_code=422, detail=f"unknown risk level {value!r}") from None


Viewer = Annotated[ConsoleUser, Depends(signed_in(Role.VIEWER))]
OperatorWrite = Annotated[ConsoleUser, Depends(writer(Role.OPERATOR))]
ViewerWrite = Annotated[ConsoleUser, Depends(writer(Role.VIEWER))]
AdminWrite = Annotated[ConsoleUser, Depends(writer(Role.ADMIN))]
RuntimeDep = deps.RuntimeDep
