"""``/auth/shopify/*`` and ``/auth/github/*``: the app install flows (docs/sync.md#installing).

The callbacks are reached by the browser from Shopify and GitHub, so they carry no API
credential: what authenticates them is checked in ``oauth_flows`` (HMAC, state, shop, the
installation's account). Starting a GitHub App install needs an admin.
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from host.runtime import Runtime
from server.api.deps import (
    Admin,
    RuntimeDep,
)
from server.api.oauth_flows import (
    Installed,
    InstallRefused,
    github_callback,
    github_install_url,
    shopify_callback,
    shopify_install_url,
)
from storage.oauth_states import OAuthStates

router = APIRouter(prefix="/auth", tags=["app install"])


def _states(runtime: Runtime) -> OAuthStates:
    services = runtime.require_services()
    return OAuthStates(services.database, clock=services.clock)


def _callback_url(request: Request, runtime: Runtime, path: str) -> str:
    base = runtime.settings.app_url or str(request.base_url)
    return f"{base.rstrip('/')}{path}"


@router.get("/shopify/install", response_model=None)
async def shopify_install(request: Request, runtime: RuntimeDep) -> RedirectResponse:
    """Shopify's signed request to the app URL: on to the shop's consent screen."""
    try:
        target = await shopify_install_url(
            runtime.settings,
            _states(runtime),
            request.url.query,
            _callback_url(request, runtime, "/auth/shopify/callback"),
        )
    except InstallRefused as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from None
    return RedirectResponse(target, status_code=302)


@router.get("/shopify/callback")
async def shopify_install_callback(request: Request, runtime: RuntimeDep) -> Installed:
    """Shopify's redirect after consent: checked, the code exchanged, the token stored."""
    services = runtime.require_services()
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            return await shopify_callback(
                runtime.settings, _states(runtime), services.credentials, http, request.url.query
            )
    except InstallRefused as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from None


@router.get("/github/install", response_model=None)
async def github_install(runtime: RuntimeDep, _: Admin) -> RedirectResponse:
    """On to the GitHub App's installation page, with a state this server will accept once."""
    try:
        target = await github_install_url(runtime.settings, _states(runtime))
    except InstallRefused as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from None
    return RedirectResponse(target, status_code=302)


@router.get("/github/callback")
async def github_install_callback(
    runtime: RuntimeDep,
    installation_id: Annotated[str, Query(max_length=20)],
    state: Annotated[str, Query(max_length=100)],
    setup_action: Annotated[str | None, Query(max_length=20)] = None,
) -> Installed:
    """GitHub's redirect after an install: state and account checked, a token stored."""
    services = runtime.require_services()
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            return await github_callback(
                runtime.settings,
                _states(runtime),
                services.credentials,
                http,
                installation_id,
                state,
            )
    except InstallRefused as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from None
