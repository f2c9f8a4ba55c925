"""The CJdropshipping API 2.0 subset the adapter uses, under ``/api2.0/v1``.

Every answer is CJ's envelope; every failure (bad parameters, unknown ids, tokens, limits, an
unknown path) is ``result: false`` with CJ's code and a 4xx status, never a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tools.sandbox.cj import inputs
from tools.sandbox.cj.errors import INTERFACE_NOT_FOUND, CJError, param_error, success
from tools.sandbox.cj.gate import CJGate
from tools.sandbox.cj.store import CJStore

BASE = "/api2.0/v1"
TOKEN_HEADER = "CJ-Access-Token"
Handler = Callable[[Request], Awaitable[Any]]


def build_router(store: CJStore, gate: CJGate) -> APIRouter:
    router = APIRouter()

    def route(method: str, path: str, *, authenticated: bool = True) -> Callable[[Handler], None]:
        def register(handler: Handler) -> None:
            async def endpoint(request: Request) -> Response:
                try:
                    if authenticated:
                        gate.authorize(request.headers.get(TOKEN_HEADER), path)
                    return success(await handler(request))
                except CJError as exc:
                    return exc.response()

            router.add_api_route(f"{BASE}/{path}", endpoint, methods=[method], name=f"cj:{path}")

        return register

    @route("POST", "authentication/getAccessToken", authenticated=False)
    async def get_access_token(request: Request) -> Any:
        body = await inputs.read_json(request)
        api_key = body.get("apiKey")
        if not isinstance(api_key, str) or not api_key:
            raise param_error("apiKey is required")
        return gate.issue(api_key)

    @route("POST", "authentication/refreshAccessToken", authenticated=False)
    async def refresh_access_token(request: Request) -> Any:
        body = await inputs.read_json(request)
        token = body.get("refreshToken")
        if not isinstance(token, str) or not token:
            raise param_error("refreshToken is required")
        return gate.refresh(token)

    @route("GET", "product/getCategory")
    async def get_category(request: Request) -> Any:
        return store.categories()

    @route("GET", "product/listV2")
    async def list_v2(request: Request) -> Any:
        params = request.query_params
        page = inputs.integer(params, "page", 1, 1, 1000)
        size = inputs.integer(params, "size", 20, 1, 100)
        country = inputs.text(params, "countryCode")
        if country is not None and not (len(country) == 2 and country.isalpha()):
            raise param_error("countryCode must be a two-letter country code")
        keyword = inputs.text(params, "keyWord") or ""
        hits = store.search(
            keyword=keyword,
            category=inputs.text(params, "categoryId"),
            start_price=inputs.money(params, "startSellPrice"),
            end_price=inputs.money(params, "endSellPrice"),
            country=country.upper() if country else None,
        )
        features = set((inputs.text(params, "features") or "").split(","))
        chunk = hits[(page - 1) * size : page * size]
        return {
            "pageSize": size,
            "pageNumber": page,
            "totalRecords": len(hits),
            "totalPages": max(1, -(-len(hits) // size)),
            "content": [
                {
                    "productList": [
                        store.list_record(
                            product, with_description="enable_description" in features
                        )
                        for product in chunk
                    ],
                    "relatedCategoryList": [],
                    "keyWord": keyword,
                    "keyWordOld": keyword,
                }
            ],
        }

    def product_of(request: Request) -> Any:
        params = request.query_params
        pid, sku = inputs.text(params, "pid"), inputs.text(params, "productSku")
        variant_sku = inputs.text(params, "variantSku")
        if not (pid or sku or variant_sku):
            raise param_error("one of pid, productSku or variantSku is required")
        return store.find_product(pid=pid, sku=sku, variant_sku=variant_sku)

    @route("GET", "product/query")
    async def product_query(request: Request) -> Any:
        return store.product_record(product_of(request))

    @route("GET", "product/variant/query")
    async def variant_query(request: Request) -> Any:
        return store.variants_of(product_of(request))

    def vid_of(request: Request) -> str:
        vid = inputs.text(request.query_params, "vid")
        if vid is None:
            raise param_error("vid is required")
        return vid

    @route("GET", "product/variant/queryByVid")
    async def variant_by_vid(request: Request) -> Any:
        return store.variant_record(store.variant(vid_of(request)))

    @route("GET", "product/stock/queryByVid")
    async def stock_by_vid(request: Request) -> Any:
        return store.stock_rows(vid_of(request))

    @route("POST", "logistic/freightCalculate")
    async def freight_calculate(request: Request) -> Any:
        body = inputs.validate(inputs.Freight, await inputs.read_json(request))
        return store.freight(body)

    @route("POST", "shopping/order/createOrderV2")
    async def create_order(request: Request) -> Any:
        body = inputs.validate(inputs.CreateOrder, await inputs.read_json(request))
        record, _created = store.create_order(body)
        return record

    @route("GET", "shopping/order/getOrderDetail")
    async def order_detail(request: Request) -> Any:
        order_id = inputs.text(request.query_params, "orderId")
        if order_id is None:
            raise param_error("orderId is required")
        return store.read_order(order_id)

    @route("GET", "shopping/order/list")
    async def order_list(request: Request) -> Any:
        params = request.query_params
        return store.list_orders(
            inputs.integer(params, "pageNum", 1, 1, 10_000),
            inputs.integer(params, "pageSize", 20, 1, 100),
        )

    @route("GET", "logistic/getTrackInfo")
    async def track_info(request: Request) -> Any:
        number = inputs.text(request.query_params, "trackNumber")
        if number is None:
            raise param_error("trackNumber is required")
        return store.track(number)

    async def unknown(request: Request) -> Response:
        return CJError(404, INTERFACE_NOT_FOUND, "Interface not found").response()

    router.add_api_route(
        "/{path:path}",
        unknown,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        name="cj:404",
        include_in_schema=False,
    )
    return router
