"""HTTP surface: the Admin GraphQL endpoint, the token endpoint, and the sandbox knobs."""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from tools.sandbox.shopify.auth import (
    ACCESS_SCOPES,
    CLIENT_ID,
    INVALID_TOKEN_MESSAGE,
    STATIC_TOKEN,
    check_client,
    signed_callback_query,
)
from tools.sandbox.shopify.errors import INTERNAL_ERROR_MESSAGE, error_entry
from tools.sandbox.shopify.executor import BadRequest
from tools.sandbox.shopify.order_admin import NewOrder, place_order
from tools.sandbox.shopify.photos import photo_png

if TYPE_CHECKING:
    from tools.sandbox.shopify.emulator import ShopifyEmulator

logger = logging.getLogger(__name__)

_VERSION = re.compile(r"^(?:\d{4}-(?:01|04|07|10)|unstable)$")


def _body(raw: bytes, content_type: str) -> Any:
    """A request body as JSON or a form; ``None`` when it is neither."""
    if "application/x-www-form-urlencoded" in content_type:
        return {key: values[-1] for key, values in parse_qs(raw.decode("utf-8", "replace")).items()}
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


def build_router(emulator: ShopifyEmulator) -> APIRouter:
    router = APIRouter()

    @router.post("/admin/api/{version}/graphql.json")
    async def graphql(version: str, request: Request) -> JSONResponse:
        if not _VERSION.match(version):
            return JSONResponse({"errors": "Not Found"}, status_code=404)
        if not emulator.tokens.is_valid(request.headers.get("x-shopify-access-token")):
            return JSONResponse({"errors": INVALID_TOKEN_MESSAGE}, status_code=401)
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        if "application/graphql" in content_type:
            payload: Any = {"query": raw.decode("utf-8", "replace")}
        else:
            payload = _body(raw, "application/json")
            if payload is None:
                return JSONResponse({"errors": "Invalid JSON in request body"}, status_code=400)
        headers = {"X-Shopify-API-Version": version, "X-Request-Id": str(uuid.uuid4())}
        try:
            body = emulator.executor.run(payload, version)
        except BadRequest as exc:
            return JSONResponse({"errors": str(exc)}, status_code=400, headers=headers)
        except Exception:  # a sandbox bug must still look like Shopify, never a bare 500
            logger.exception("shopify sandbox failed (request %s)", headers["X-Request-Id"])
            message = f"{INTERNAL_ERROR_MESSAGE}\nRequest ID: {headers['X-Request-Id']}"
            body = {"errors": [error_entry(message, "INTERNAL_SERVER_ERROR")]}
        return JSONResponse(body, headers=headers)

    @router.get("/admin/oauth/authorize", response_model=None)
    async def authorize(request: Request) -> Response:
        """The merchant's consent screen, approved at once: back to ``redirect_uri`` with a
        code, the shop, the state, a timestamp and the HMAC, as Shopify redirects."""
        query = request.query_params
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != CLIENT_ID:
            return PlainTextResponse("Oauth error invalid_request: unknown client_id", 400)
        if not redirect_uri.startswith(("http://", "https://")):
            return PlainTextResponse("Oauth error invalid_request: bad redirect_uri", 400)
        granted = [s for s in query.get("scope", "").split(",") if s in ACCESS_SCOPES.split(",")]
        shop = emulator.store.shop.myshopify_domain
        params = {
            "code": emulator.tokens.new_code(",".join(granted)),
            "host": base64.urlsafe_b64encode(f"{shop}/admin".encode()).decode().rstrip("="),
            "shop": shop,
            "state": query.get("state", ""),
            "timestamp": str(int(time.time())),
        }
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{signed_callback_query(params)}", 302)

    @router.post("/admin/oauth/access_token")
    async def access_token(request: Request) -> JSONResponse:
        payload = _body(await request.body(), request.headers.get("content-type", ""))
        if not isinstance(payload, dict):
            return _oauth_error(400, "invalid_request", "The request body must be JSON or a form.")
        if "code" in payload and "grant_type" not in payload:
            return _exchange_code(emulator, payload)
        grant = payload.get("grant_type")
        if grant != "client_credentials":
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )
        if not check_client(payload.get("client_id"), payload.get("client_secret")):
            return _oauth_error(
                401,
                "invalid_client",
                "Client authentication failed due to unknown client, no client authentication "
                "included, or unsupported authentication method.",
            )
        token, lifetime = emulator.tokens.issue()
        return JSONResponse(
            {"access_token": token, "scope": ACCESS_SCOPES, "expires_in": int(lifetime)}
        )

    return router


def _exchange_code(emulator: ShopifyEmulator, payload: dict[str, Any]) -> JSONResponse:
    """The authorization-code exchange of an app install: an offline token and its scope."""
    if not check_client(payload.get("client_id"), payload.get("client_secret")):
        return _oauth_error(
            401, "invalid_client", "Client authentication failed due to unknown client."
        )
    exchanged = emulator.tokens.exchange(str(payload.get("code") or ""))
    if exchanged is None:
        return _oauth_error(
            400, "invalid_request", "The authorization code was not found or was already used"
        )
    token, scope = exchanged
    return JSONResponse({"access_token": token, "scope": scope})


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


class LimitsUpdate(BaseModel):
    """New throttle limits; omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    maximumAvailable: float | None = Field(default=None, gt=0)
    restoreRate: float | None = Field(default=None, ge=0)
    currentlyAvailable: float | None = Field(default=None, ge=0)
    maxQueryCost: int | None = Field(default=None, gt=0)


class AuthUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tokenLifetimeSeconds: float = Field(ge=0, description="Lifetime of newly issued tokens.")


class GenerateProducts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(gt=0, le=10_000)


def build_admin_router(emulator: ShopifyEmulator) -> APIRouter:
    router = APIRouter(tags=["shopify sandbox"])

    def limits() -> dict[str, Any]:
        return {**emulator.bucket.status().as_json(), "maxQueryCost": emulator.max_query_cost}

    @router.get("/limits")
    async def get_limits() -> dict[str, Any]:
        return limits()

    @router.put("/limits")
    async def put_limits(update: LimitsUpdate) -> dict[str, Any]:
        emulator.set_limits(
            maximum_available=update.maximumAvailable,
            restore_rate=update.restoreRate,
            currently_available=update.currentlyAvailable,
            max_query_cost=update.maxQueryCost,
        )
        return limits()

    def auth_state() -> dict[str, Any]:
        return {
            "tokenLifetimeSeconds": emulator.tokens.lifetime,
            "issuedTokens": emulator.tokens.issued_count,
            "tokenUses": dict(emulator.tokens.uses),
            "staticToken": STATIC_TOKEN,
            "clientId": CLIENT_ID,
        }

    @router.get("/auth")
    async def get_auth() -> dict[str, Any]:
        return auth_state()

    @router.put("/auth")
    async def put_auth(update: AuthUpdate) -> dict[str, Any]:
        emulator.tokens.lifetime = update.tokenLifetimeSeconds
        return auth_state()

    @router.post("/auth/revoke")
    async def revoke() -> dict[str, int]:
        return {"revoked": emulator.tokens.revoke_all()}

    @router.post("/products/generate")
    async def generate(request: GenerateProducts) -> dict[str, Any]:
        ids = emulator.store.add_generated_products(request.count)
        return {"created": len(ids), "total": len(emulator.store.products)}

    @router.get("/cdn/{path:path}", response_model=None)
    async def cdn(path: str) -> Response:
        return Response(photo_png(path), media_type="image/png")

    @router.get("/state")
    async def state() -> dict[str, int]:
        return emulator.store.summary()

    @router.post("/orders")
    async def new_order(request: NewOrder) -> dict[str, Any]:
        try:
            order = place_order(emulator.store, request)
        except LookupError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        return {"id": order.id, "name": order.name, "total": str(order.total_price)}

    return router
