"""Signing in and out: the users table, a signed session cookie, CSRF on the form itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.console.security import ViewerWrite, session_user, signer_of, users_of
from server.console.sessions import LOGIN_COOKIE, LOGIN_TTL, SESSION_COOKIE, SESSION_TTL
from server.console.views import render

router = APIRouter()

HOME = "/console/"


def _safe_next(target: str | None) -> str:
    """Only paths inside the console: a sign-in link must not bounce anyone elsewhere."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return HOME


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(
    request: Request, next_path: str, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    cookie, token = signer_of(request).login_token()
    response = render(
        request,
        "login.html",
        None,
        status_code=status_code,
        login_token=token,
        next_path=next_path,
        error=error,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        cookie,
        max_age=int(LOGIN_TTL.total_seconds()),
        path="/console/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str | None = None) -> Response:
    if await session_user(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, _safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    signer = signer_of(request)
    if not signer.check_login(request.cookies.get(LOGIN_COOKIE), csrf_token):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
    user = await users_of(request).authenticate(username, password)
    if user is None:
        return _login_page(
            request, _safe_next(next), error="Wrong user name or password.", status_code=401
        )
    cookie, _ = signer.issue(user.username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/console",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console/login")
    return response


@router.post("/logout")
async def logout(request: Request, _: ViewerWrite) -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console", httponly=True, samesite="lax")
    return response
