"""The Printful API v1 subset the adapter uses: catalog, store products, rates and orders.

Failures answer Printful's ``{code, result, error: {reason, message}}`` with a 4xx, never a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tools.sandbox.printful import inputs
from tools.sandbox.printful.catalog import STORE_ID
from tools.sandbox.printful.errors import PrintfulError, bad_request, not_found, success
from tools.sandbox.printful.limits import LeakyBucket
from tools.sandbox.printful.store import PrintfulStore

Handler = Callable[[Request], Awaitable[tuple[Any, dict[str, int] | None]]]


def build_router(store: PrintfulStore, bucket: LeakyBucket, tokens: frozenset[str]) -> APIRouter:
    router = APIRouter()

    def authorize(request: Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise PrintfulError(401, "Malformed authorization header.")
        if token.strip() not in tokens:
            raise PrintfulError(401, "The access token provided is invalid.")
        store_id = request.headers.get("X-PF-Store-Id")
        if store_id is not None and store_id.strip() != str(STORE_ID):
            raise PrintfulError(403, "This token has no access to store " + store_id.strip())
        bucket.admit(token.strip())

    def route(method: str, path: str) -> Callable[[Handler], None]:
        def register(handler: Handler) -> None:
            async def endpoint(request: Request) -> Response:
                try:
                    authorize(request)
                    result, paging = await handler(request)
                    return success(result, paging)
                except PrintfulError as exc:
                    return exc.response()

            router.add_api_route(path, endpoint, methods=[method], name=f"printful:{method}{path}")

        return register

    def page(request: Request, items: list[Any], default_limit: int = 20) -> tuple[Any, Any]:
        offset, limit = inputs.paging(request.query_params, default_limit)
        return items[offset : offset + limit], {
            "total": len(items),
            "offset": offset,
            "limit": limit,
        }

    @route("GET", "/products")
    async def catalog(request: Request) -> tuple[Any, Any]:
        raw = request.query_params.get("category_id")
        if raw is not None and not raw.isdigit():
            raise bad_request("Invalid request: category_id must be an integer")
        return page(request, store.catalog(int(raw) if raw else None), default_limit=100)

    @route("GET", "/products/variant/{variant_id}")
    async def catalog_variant(request: Request) -> tuple[Any, Any]:
        variant_id = inputs.identifier(request.path_params["variant_id"], "Variant")
        return store.variant(variant_id), None

    @route("GET", "/products/{product_id}")
    async def catalog_product(request: Request) -> tuple[Any, Any]:
        product_id = inputs.identifier(request.path_params["product_id"], "Product")
        return store.product(product_id), None

    @route("GET", "/store/products")
    async def sync_products(request: Request) -> tuple[Any, Any]:
        return page(request, store.sync_products())

    @route("GET", "/store/products/{ref}")
    async def sync_product(request: Request) -> tuple[Any, Any]:
        return store.sync_product(request.path_params["ref"]), None

    @route("POST", "/shipping/rates")
    async def shipping_rates(request: Request) -> tuple[Any, Any]:
        body = inputs.validate(inputs.Rates, await inputs.read_json(request))
        return store.rates(body), None

    @route("POST", "/orders")
    async def create_order(request: Request) -> tuple[Any, Any]:
        body = inputs.validate(inputs.NewOrder, await inputs.read_json(request))
        confirm = request.query_params.get("confirm", "").lower() in {"1", "true"}
        return store.create_order(body, confirm=confirm), None

    @route("GET", "/orders")
    async def list_orders(request: Request) -> tuple[Any, Any]:
        return page(request, store.list_orders(request.query_params.get("status") or None))

    @route("GET", "/orders/{ref}")
    async def get_order(request: Request) -> tuple[Any, Any]:
        return store.read_order(request.path_params["ref"]), None

    @route("POST", "/orders/{ref}/confirm")
    async def confirm_order(request: Request) -> tuple[Any, Any]:
        return store.confirm(request.path_params["ref"]), None

    async def unknown(request: Request) -> Response:
        return not_found("Not found").response()

    router.add_api_route(
        "/{path:path}",
        unknown,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        name="printful:404",
        include_in_schema=False,
    )
    return router
