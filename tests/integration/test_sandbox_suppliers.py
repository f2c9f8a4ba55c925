"""The CJ and Printful emulators on the wire: seeded catalogs, envelopes, errors, state, knobs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tools.sandbox import Sandbox, SandboxServer
from tools.sandbox.cj import CJEmulator
from tools.sandbox.cj.catalog import INJECTION_TEXT
from tools.sandbox.printful import PrintfulEmulator
from tools.suppliers.cj import SANDBOX_API_KEY
from tools.suppliers.printful import SANDBOX_TOKEN

CJ = "/cj/api2.0/v1"
PF_AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
ORDER: dict[str, Any] = {
    "shippingCountryCode": "US",
    "shippingCountry": "United States",
    "shippingProvince": "TX",
    "shippingCity": "Austin",
    "shippingAddress": "1 Main St",
    "shippingZip": "78701",
    "shippingCustomerName": "Ann Example",
    "logisticName": "CJPacket Ordinary",
    "fromCountryCode": "CN",
    "payType": 2,
}
RECIPIENT = {
    "name": "Ann Example",
    "address1": "1 Main St",
    "city": "Austin",
    "state_code": "TX",
    "country_code": "US",
    "zip": "78701",
}


@pytest.fixture
async def http(sandbox: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.url, verify=False) as client:
        yield client


@pytest.fixture
async def cj_token(http: httpx.AsyncClient) -> str:
    response = await http.post(
        f"{CJ}/authentication/getAccessToken", json={"apiKey": SANDBOX_API_KEY}
    )
    token: str = response.json()["data"]["accessToken"]
    return token


def cj_ok(response: httpx.Response) -> Any:
    body = response.json()
    assert response.status_code == 200, body
    assert (body["code"], body["result"], body["message"]) == (200, True, "Success")
    assert body["requestId"]
    return body["data"]


def cj_error(response: httpx.Response, status: int, code: int) -> str:
    body = response.json()
    assert (response.status_code, body["code"], body["result"]) == (status, code, False), body
    assert body["data"] is None
    assert body["requestId"]
    message: str = body["message"]
    return message


def pf_error(response: httpx.Response, status: int) -> str:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == status
    assert body["error"]["reason"]
    assert body["error"]["message"] == body["result"]
    message: str = body["result"]
    return message


async def cj_catalog(http: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    data = cj_ok(
        await http.get(
            f"{CJ}/product/listV2",
            params={"size": 100, "features": "enable_description"},
            headers={"CJ-Access-Token": token},
        )
    )
    products: list[dict[str, Any]] = data["content"][0]["productList"]
    return products


async def cj_variant(http: httpx.AsyncClient, token: str, query: str) -> dict[str, Any]:
    data = cj_ok(
        await http.get(
            f"{CJ}/product/listV2", params={"keyWord": query}, headers={"CJ-Access-Token": token}
        )
    )
    pid = data["content"][0]["productList"][0]["id"]
    product = cj_ok(
        await http.get(
            f"{CJ}/product/query", params={"pid": pid}, headers={"CJ-Access-Token": token}
        )
    )
    variant: dict[str, Any] = product["variants"][0]
    return variant


# --- the seeded catalogs --------------------------------------------------------------------------


async def test_fifty_items_from_exactly_three_supplier_companies(
    http: httpx.AsyncClient, cj_token: str
) -> None:
    cj_products = await cj_catalog(http, cj_token)
    pf = (await http.get("/printful/products", params={"limit": 100}, headers=PF_AUTH)).json()
    assert len(cj_products) == 30
    assert pf["paging"]["total"] == 20
    assert len(cj_products) + len(pf["result"]) == 50

    companies = {p["supplierInfo"]["supplierId"]: p["supplierInfo"] for p in cj_products}
    companies |= {p["supplier_info"]["id"]: p["supplier_info"] for p in pf["result"]}
    assert len(companies) == 3
    proven = companies["printful"]
    assert (proven["years_active"], proven["rating"], proven["verified"]) == (6, 4.8, True)
    assert proven["review_count"] >= 1000
    assert proven["on_time_shipping_rate"] == 0.97
    assert (proven["defect_rate"], proven["shipping_days_min"], proven["shipping_days_max"]) == (
        0.008,
        5,
        8,
    )
    new = next(c for c in companies.values() if c.get("daysOnPlatform") == 14)
    assert new["reviewCount"] < 50
    assert new["rating"] >= 4
    assert new["verified"] is False
    failing = next(c for c in companies.values() if c.get("rating") == 2.9)
    assert (failing["onTimeShippingRate"], failing["defectRate"]) == (0.71, 0.09)
    assert (failing["shippingDaysMin"], failing["shippingDaysMax"]) == (20, 35)

    categories = {p["oneCategoryName"] for p in cj_products}
    assert categories == {
        "Sports & Outdoors",
        "Home, Garden & Furniture",
        "Pet Supplies",
        "Phones & Accessories",
    }
    assert all(p["sellPrice"] and p["warehouseInventoryNum"] >= 0 for p in cj_products)


async def test_one_new_supplier_listing_carries_a_prompt_injection(
    http: httpx.AsyncClient, cj_token: str, sandbox: SandboxServer
) -> None:
    injected = [p for p in await cj_catalog(http, cj_token) if INJECTION_TEXT in p["description"]]
    assert len(injected) == 1
    assert injected[0]["supplierInfo"]["daysOnPlatform"] == 14
    catalog = (await http.get("/_sandbox/cj/catalog")).json()
    assert catalog["injection_pids"] == [injected[0]["id"]]
    detail = cj_ok(
        await http.get(
            f"{CJ}/product/query",
            params={"pid": injected[0]["id"]},
            headers={"CJ-Access-Token": cj_token},
        )
    )
    assert "IGNORE PREVIOUS INSTRUCTIONS" in detail["description"]


def test_the_seed_decides_stock_and_nothing_else() -> None:
    first, again, other = (
        Sandbox(seed, emulators=[CJEmulator, PrintfulEmulator]) for seed in (7, 7, 8)
    )

    def stock(sandbox: Sandbox) -> dict[str, dict[str, int]]:
        emulator = sandbox.emulators["cj"]
        assert isinstance(emulator, CJEmulator)
        return emulator.store.stock

    assert stock(first) == stock(again)
    assert stock(first) != stock(other)
    assert stock(first).keys() == stock(other).keys()


# --- CJ wire format -------------------------------------------------------------------------------


async def test_cj_rejects_missing_and_invalid_tokens(http: httpx.AsyncClient) -> None:
    cj_error(await http.get(f"{CJ}/product/listV2"), 401, 1600002)
    cj_error(
        await http.get(f"{CJ}/product/listV2", headers={"CJ-Access-Token": "nope"}), 401, 1600001
    )
    cj_error(
        await http.post(f"{CJ}/authentication/getAccessToken", json={"apiKey": "nope"}),
        401,
        1600001,
    )
    cj_error(
        await http.post(f"{CJ}/authentication/refreshAccessToken", json={"refreshToken": "x"}),
        401,
        1600003,
    )


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "fragment"),
    [
        ("GET", "product/listV2", {"page": "0"}, None, "page must be between 1 and 1000"),
        ("GET", "product/listV2", {"size": "many"}, None, "size must be an integer"),
        ("GET", "product/listV2", {"endSellPrice": "cheap"}, None, "endSellPrice"),
        ("GET", "product/listV2", {"countryCode": "USA"}, None, "countryCode"),
        ("GET", "product/query", {}, None, "pid, productSku or variantSku"),
        ("GET", "product/stock/queryByVid", {}, None, "vid is required"),
        ("GET", "shopping/order/getOrderDetail", {}, None, "orderId is required"),
        ("POST", "logistic/freightCalculate", None, b"{not json", "correct JSON format"),
        ("POST", "logistic/freightCalculate", None, b"[1, 2]", "correct JSON format"),
        ("POST", "logistic/freightCalculate", None, {"startCountryCode": "CN"}, "endCountryCode"),
        ("POST", "shopping/order/createOrderV2", None, {"orderNumber": "x"}, "shippingCountryCode"),
        (
            "POST",
            "shopping/order/createOrderV2",
            None,
            {**ORDER, "orderNumber": "x", "products": [{"vid": "v", "quantity": 0}]},
            "quantity",
        ),
        (
            "POST",
            "shopping/order/createOrderV2",
            None,
            {**ORDER, "orderNumber": "x", "payType": 9, "products": [{"vid": "v", "quantity": 1}]},
            "payType",
        ),
    ],
)
async def test_cj_bad_input_is_a_param_error_never_a_500(
    http: httpx.AsyncClient,
    cj_token: str,
    method: str,
    path: str,
    params: dict[str, str] | None,
    body: Any,
    fragment: str,
) -> None:
    kwargs: dict[str, Any] = {"params": params, "headers": {"CJ-Access-Token": cj_token}}
    if isinstance(body, bytes):
        kwargs["content"] = body
    elif body is not None:
        kwargs["json"] = body
    message = cj_error(await http.request(method, f"{CJ}/{path}", **kwargs), 400, 1600100)
    assert fragment in message


async def test_cj_unknown_ids_and_paths(http: httpx.AsyncClient, cj_token: str) -> None:
    headers = {"CJ-Access-Token": cj_token}
    cj_error(
        await http.get(f"{CJ}/product/query", params={"pid": "x"}, headers=headers), 404, 1602001
    )
    cj_error(
        await http.get(f"{CJ}/product/stock/queryByVid", params={"vid": "x"}, headers=headers),
        404,
        1602000,
    )
    cj_error(
        await http.get(
            f"{CJ}/shopping/order/getOrderDetail", params={"orderId": "1"}, headers=headers
        ),
        404,
        1603100,
    )
    cj_error(await http.get(f"{CJ}/product/nothing", headers=headers), 404, 1600101)
    cj_error(await http.get("/cj/elsewhere"), 404, 1600101)
    cj_error(await http.get(f"{CJ}/shopping/order/createOrderV2", headers=headers), 404, 1600101)


async def test_cj_lookups_by_sku_and_variant(http: httpx.AsyncClient, cj_token: str) -> None:
    headers = {"CJ-Access-Token": cj_token}
    variant = await cj_variant(http, cj_token, "foam roller")
    by_sku = cj_ok(
        await http.get(
            f"{CJ}/product/query", params={"variantSku": variant["variantSku"]}, headers=headers
        )
    )
    assert by_sku["pid"] == variant["pid"]
    variants = cj_ok(
        await http.get(
            f"{CJ}/product/variant/query", params={"pid": variant["pid"]}, headers=headers
        )
    )
    assert [v["variantKey"] for v in variants] == ["Black", "Purple", "Orange"]
    one = cj_ok(
        await http.get(
            f"{CJ}/product/variant/queryByVid", params={"vid": variant["vid"]}, headers=headers
        )
    )
    assert one == variant
    tree = cj_ok(await http.get(f"{CJ}/product/getCategory", headers=headers))
    leaf_ids = [
        leaf["categoryId"]
        for first in tree
        for second in first["categoryFirstList"]
        for leaf in second["categorySecondList"]
    ]
    assert by_sku["categoryId"] in leaf_ids
    filtered = cj_ok(
        await http.get(
            f"{CJ}/product/listV2",
            params={"categoryId": by_sku["categoryId"], "countryCode": "CN", "startSellPrice": "1"},
            headers=headers,
        )
    )
    assert [p["id"] for p in filtered["content"][0]["productList"]] == [variant["pid"]]


async def test_cj_order_lifecycle(
    http: httpx.AsyncClient, cj_token: str, sandbox: SandboxServer
) -> None:
    headers = {"CJ-Access-Token": cj_token}
    variant = await cj_variant(http, cj_token, "jump rope")
    stock_before = cj_ok(
        await http.get(
            f"{CJ}/product/stock/queryByVid", params={"vid": variant["vid"]}, headers=headers
        )
    )[0]["totalInventoryNum"]
    body = {
        **ORDER,
        "orderNumber": "cj-life-1",
        "products": [{"vid": variant["vid"], "quantity": 3}],
    }
    created = cj_ok(
        await http.post(f"{CJ}/shopping/order/createOrderV2", json=body, headers=headers)
    )
    assert created["orderStatus"] == "CREATED"
    assert created["orderAmount"] == pytest.approx(
        created["productAmount"] + created["postageAmount"]
    )
    duplicate = cj_ok(
        await http.post(f"{CJ}/shopping/order/createOrderV2", json=body, headers=headers)
    )
    assert duplicate["orderId"] == created["orderId"]
    assert sandbox.sandbox.ledger.counts() == {"cj.createOrderV2": 1}
    stock_after = cj_ok(
        await http.get(
            f"{CJ}/product/stock/queryByVid", params={"vid": variant["vid"]}, headers=headers
        )
    )[0]["totalInventoryNum"]
    assert stock_after == stock_before - 3

    statuses, detail = [], {}
    for ref in (created["orderId"], "cj-life-1", created["orderId"], created["orderId"]):
        detail = cj_ok(
            await http.get(
                f"{CJ}/shopping/order/getOrderDetail", params={"orderId": ref}, headers=headers
            )
        )
        statuses.append(detail["orderStatus"])
    assert statuses == ["IN_CART", "UNSHIPPED", "SHIPPED", "SHIPPED"]
    assert detail["trackNumber"].startswith("CJPKL")
    assert detail["orderNum"] == "cj-life-1"
    track = cj_ok(
        await http.get(
            f"{CJ}/logistic/getTrackInfo",
            params={"trackNumber": detail["trackNumber"]},
            headers=headers,
        )
    )
    assert track[0]["lastMileCarrier"] == "USPS"
    assert track[0]["trackingTo"] == "US"
    listed = cj_ok(await http.get(f"{CJ}/shopping/order/list", headers=headers))
    assert listed["total"] == 1
    assert listed["list"][0]["orderStatus"] == "SHIPPED"
    assert (
        cj_ok(
            await http.get(
                f"{CJ}/logistic/getTrackInfo", params={"trackNumber": "x"}, headers=headers
            )
        )
        == []
    )


async def test_cj_create_only_orders_wait(http: httpx.AsyncClient, cj_token: str) -> None:
    headers = {"CJ-Access-Token": cj_token}
    variant = await cj_variant(http, cj_token, "jump rope")
    body = {
        **ORDER,
        "orderNumber": "cj-draft",
        "payType": 3,
        "products": [{"vid": variant["vid"], "quantity": 1}],
    }
    created = cj_ok(
        await http.post(f"{CJ}/shopping/order/createOrderV2", json=body, headers=headers)
    )
    for _ in range(3):
        detail = cj_ok(
            await http.get(
                f"{CJ}/shopping/order/getOrderDetail",
                params={"orderId": created["orderId"]},
                headers=headers,
            )
        )
    assert detail["orderStatus"] == "CREATED"
    assert detail["trackNumber"] is None


async def test_cj_freight_depends_on_route_and_weight(
    http: httpx.AsyncClient, cj_token: str
) -> None:
    headers = {"CJ-Access-Token": cj_token}
    variant = await cj_variant(http, cj_token, "yoga mat")

    async def quote(start: str, end: str, quantity: int) -> list[dict[str, Any]]:
        body = {
            "startCountryCode": start,
            "endCountryCode": end,
            "products": [{"vid": variant["vid"], "quantity": quantity}],
        }
        data: list[dict[str, Any]] = cj_ok(
            await http.post(f"{CJ}/logistic/freightCalculate", json=body, headers=headers)
        )
        return data

    one, two = await quote("CN", "US", 1), await quote("CN", "US", 2)
    assert [q["logisticName"] for q in one] == ["CJPacket Ordinary", "DHL Official"]
    assert one[0]["logisticAging"] == "7-12"
    assert two[0]["logisticPrice"] > one[0]["logisticPrice"]
    assert (await quote("CN", "BR", 1))[0]["logisticPrice"] > one[0]["logisticPrice"]
    assert [q["logisticName"] for q in await quote("US", "US", 1)] == ["USPS+"]
    assert await quote("US", "DE", 1) == []
    assert await quote("DE", "US", 1) == []


async def test_cj_token_limits_and_expiry(http: httpx.AsyncClient) -> None:
    first = cj_ok(
        await http.post(f"{CJ}/authentication/getAccessToken", json={"apiKey": SANDBOX_API_KEY})
    )
    assert first["accessTokenExpiryDate"].endswith("+08:00")
    message = cj_error(
        await http.post(f"{CJ}/authentication/getAccessToken", json={"apiKey": SANDBOX_API_KEY}),
        429,
        1600200,
    )
    assert "once every 300 seconds" in message
    await http.post("/_sandbox/cj/clock", json={"advance_seconds": 300})
    cj_ok(await http.post(f"{CJ}/authentication/getAccessToken", json={"apiKey": SANDBOX_API_KEY}))

    headers = {"CJ-Access-Token": first["accessToken"]}
    cj_ok(await http.get(f"{CJ}/product/getCategory", headers=headers))
    await http.post("/_sandbox/cj/clock", json={"advance_seconds": 15 * 86_400})
    cj_error(await http.get(f"{CJ}/product/getCategory", headers=headers), 401, 1600001)
    refreshed = cj_ok(
        await http.post(
            f"{CJ}/authentication/refreshAccessToken", json={"refreshToken": first["refreshToken"]}
        )
    )
    cj_ok(
        await http.get(
            f"{CJ}/product/getCategory", headers={"CJ-Access-Token": refreshed["accessToken"]}
        )
    )
    for _ in range(4):
        await http.post(
            f"{CJ}/authentication/refreshAccessToken", json={"refreshToken": first["refreshToken"]}
        )
    cj_error(
        await http.post(
            f"{CJ}/authentication/refreshAccessToken", json={"refreshToken": first["refreshToken"]}
        ),
        429,
        1600200,
    )


async def test_cj_knobs_are_validated_and_reset(
    http: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    assert (await http.put("/_sandbox/cj/limits", json={"qps": 0})).status_code == 422
    assert (await http.put("/_sandbox/cj/limits", json={"burst": 3})).status_code == 422
    assert (await http.post("/_sandbox/cj/clock", json={"advance_seconds": -1})).status_code == 422
    assert (await http.put("/_sandbox/cj/limits", json={"qps": 2})).json()["qps"] == 2
    sandbox.sandbox.reset()
    assert (await http.get("/_sandbox/cj/limits")).json()["qps"] is None


# --- Printful wire format -------------------------------------------------------------------------


async def test_printful_rejects_bad_credentials(http: httpx.AsyncClient) -> None:
    assert "Malformed" in pf_error(await http.get("/printful/products"), 401)
    bad = {"Authorization": "Bearer nope"}
    assert "invalid" in pf_error(await http.get("/printful/products", headers=bad), 401)
    other_store = {**PF_AUTH, "X-PF-Store-Id": "1"}
    pf_error(await http.get("/printful/products", headers=other_store), 403)
    good_store = {**PF_AUTH, "X-PF-Store-Id": "10000001"}
    assert (await http.get("/printful/products", headers=good_store)).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fragment"),
    [
        ("GET", "/products/abc", None, 404, "not found"),
        ("GET", "/products/999", None, 404, "not found"),
        ("GET", "/products/variant/1", None, 404, "not found"),
        ("GET", "/products?offset=-1", None, 400, "offset"),
        ("GET", "/products?limit=500", None, 400, "limit"),
        ("GET", "/products?category_id=x", None, 400, "category_id"),
        ("GET", "/orders/123", None, 404, "not found"),
        ("GET", "/orders/@nobody", None, 404, "not found"),
        ("GET", "/store/products/5", None, 404, "not found"),
        ("GET", "/nowhere", None, 404, "Not found"),
        ("POST", "/orders", b"{broken", 400, "not valid JSON"),
        ("POST", "/orders", {"recipient": RECIPIENT}, 400, "items"),
        (
            "POST",
            "/orders",
            {
                "recipient": {**RECIPIENT, "state_code": None},
                "items": [{"variant_id": 60101, "quantity": 1}],
            },
            400,
            "state_code is required for US",
        ),
        (
            "POST",
            "/orders",
            {"recipient": RECIPIENT, "items": [{"quantity": 1}]},
            400,
            "variant_id",
        ),
        (
            "POST",
            "/orders",
            {"recipient": RECIPIENT, "items": [{"variant_id": 1, "quantity": 1}]},
            400,
            "variant not found",
        ),
        (
            "POST",
            "/orders",
            {
                "recipient": RECIPIENT,
                "shipping": "ROCKET",
                "items": [{"variant_id": 60101, "quantity": 1}],
            },
            400,
            "ROCKET",
        ),
        (
            "POST",
            "/orders",
            {
                "external_id": "x" * 33,
                "recipient": RECIPIENT,
                "items": [{"variant_id": 60101, "quantity": 1}],
            },
            400,
            "external_id",
        ),
        (
            "POST",
            "/shipping/rates",
            {"recipient": {"country_code": "usa"}, "items": [{"variant_id": 60101, "quantity": 1}]},
            400,
            "country_code",
        ),
        (
            "POST",
            "/shipping/rates",
            {"recipient": {"country_code": "US"}, "items": [{"variant_id": 7, "quantity": 1}]},
            400,
            "variant 7 not found",
        ),
    ],
)
async def test_printful_bad_input_is_a_printful_error_never_a_500(
    http: httpx.AsyncClient, method: str, path: str, body: Any, status: int, fragment: str
) -> None:
    kwargs: dict[str, Any] = {"headers": PF_AUTH}
    if isinstance(body, bytes):
        kwargs["content"] = body
    elif body is not None:
        kwargs["json"] = body
    assert fragment in pf_error(await http.request(method, f"/printful{path}", **kwargs), status)


async def test_printful_catalog_pages_and_variants(http: httpx.AsyncClient) -> None:
    page = (
        await http.get("/printful/products", params={"offset": 15, "limit": 10}, headers=PF_AUTH)
    ).json()
    assert page["paging"] == {"total": 20, "offset": 15, "limit": 10}
    assert len(page["result"]) == 5
    pets = (
        await http.get("/printful/products", params={"category_id": 160}, headers=PF_AUTH)
    ).json()
    assert {p["id"] for p in pets["result"]} == {615, 616, 617}
    tee = (await http.get("/printful/products/601", headers=PF_AUTH)).json()["result"]
    assert tee["product"]["variant_count"] == len(tee["variants"]) == 10
    two_xl = next(v for v in tee["variants"] if v["size"] == "2XL")
    assert (tee["variants"][0]["price"], two_xl["price"]) == ("9.25", "11.25")
    variant = (await http.get("/printful/products/variant/60101", headers=PF_AUTH)).json()["result"]
    assert variant["product"]["id"] == 601
    assert variant["variant"]["in_stock"] is True


async def test_printful_order_lifecycle(http: httpx.AsyncClient, sandbox: SandboxServer) -> None:
    body = {
        "external_id": "pf-life-1",
        "recipient": RECIPIENT,
        "items": [
            {
                "variant_id": 60101,
                "quantity": 2,
                "retail_price": "25.00",
                "files": [{"url": "https://x/design.png"}],
            }
        ],
    }
    draft = (await http.post("/printful/orders", json=body, headers=PF_AUTH)).json()["result"]
    assert draft["status"] == "draft"
    assert draft["costs"]["subtotal"] == "18.50"
    assert draft["retail_costs"]["subtotal"] == "50.00"
    assert "already exists" in pf_error(
        await http.post("/printful/orders", json=body, headers=PF_AUTH), 400
    )
    reread = (await http.get("/printful/orders/@pf-life-1", headers=PF_AUTH)).json()["result"]
    assert reread["status"] == "draft"
    confirmed = (await http.post(f"/printful/orders/{draft['id']}/confirm", headers=PF_AUTH)).json()
    assert confirmed["result"]["status"] == "pending"
    pf_error(await http.post(f"/printful/orders/{draft['id']}/confirm", headers=PF_AUTH), 400)
    statuses = []
    for _ in range(3):
        order = (await http.get(f"/printful/orders/{draft['id']}", headers=PF_AUTH)).json()[
            "result"
        ]
        statuses.append(order["status"])
    assert statuses == ["inprocess", "fulfilled", "fulfilled"]
    (shipment,) = order["shipments"]
    assert shipment["carrier"] == "USPS"
    assert shipment["tracking_url"].endswith(shipment["tracking_number"])
    listed = (
        await http.get("/printful/orders", params={"status": "fulfilled"}, headers=PF_AUTH)
    ).json()
    assert listed["paging"]["total"] == 1
    assert sandbox.sandbox.ledger.counts() == {
        "printful.createOrder": 1,
        "printful.confirmOrder": 1,
    }


async def test_printful_store_products_can_be_ordered(
    http: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    listed = (await http.get("/printful/store/products", headers=PF_AUTH)).json()
    assert listed["paging"]["total"] == 3
    mug = (await http.get("/printful/store/products/@royal-mug", headers=PF_AUTH)).json()["result"]
    sync_variant = mug["sync_variants"][1]
    assert sync_variant["variant_id"] == 61102
    assert sync_variant["retail_price"] == "14.00"
    body = {
        "recipient": RECIPIENT,
        "items": [{"sync_variant_id": sync_variant["id"], "quantity": 1}],
    }
    response = await http.post(
        "/printful/orders", params={"confirm": "true"}, json=body, headers=PF_AUTH
    )
    order = response.json()["result"]
    assert order["status"] == "pending"
    assert order["items"][0]["variant_id"] == 61102
    assert sandbox.sandbox.ledger.counts() == {"printful.createOrder": 1}


async def test_printful_rates_by_destination(http: httpx.AsyncClient) -> None:
    async def rates(country: str, **extra: str) -> list[dict[str, Any]]:
        body = {
            "recipient": {"country_code": country, **extra},
            "items": [{"variant_id": 61101, "quantity": 1}, {"variant_id": 60101, "quantity": 2}],
        }
        result: list[dict[str, Any]] = (
            await http.post("/printful/shipping/rates", json=body, headers=PF_AUTH)
        ).json()["result"]
        return result

    us, de, jp = await rates("US", state_code="TX"), await rates("DE"), await rates("JP")
    assert [r["id"] for r in us] == ["STANDARD", "EXPRESS"]
    assert (us[0]["minDeliveryDays"], us[0]["maxDeliveryDays"]) == (5, 8)
    assert us[0]["rate"] == "12.35"  # 7.95 for the mug, 2 x 2.20 for the tees
    assert [r["id"] for r in jp] == ["STANDARD"]
    assert float(jp[0]["rate"]) > float(de[0]["rate"]) > float(us[0]["rate"])


async def test_printful_limit_answers_429_with_retry_after(http: httpx.AsyncClient) -> None:
    await http.put("/_sandbox/printful/limits", json={"requests": 2, "window_seconds": 60})
    for _ in range(2):
        assert (await http.get("/printful/products/601", headers=PF_AUTH)).status_code == 200
    throttled = await http.get("/printful/products/601", headers=PF_AUTH)
    pf_error(throttled, 429)
    assert throttled.headers["Retry-After"] == "30"
    await http.post("/_sandbox/printful/clock", json={"advance_seconds": 30})
    assert (await http.get("/printful/products/601", headers=PF_AUTH)).status_code == 200
    await http.put("/_sandbox/printful/limits", json={"requests": None})
    for _ in range(5):
        assert (await http.get("/printful/products/601", headers=PF_AUTH)).status_code == 200


async def test_the_emulators_are_documented_in_the_sandbox_openapi(
    http: httpx.AsyncClient,
) -> None:
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert f"{CJ}/shopping/order/createOrderV2" in paths
    assert "/printful/orders/{ref}" in paths
    assert "/_sandbox/cj/limits" in paths
    assert "/_sandbox/printful/clock" in paths
    assert not [p for p in paths if p.startswith(("/cj/", "/printful/")) and "{path}" in p]
