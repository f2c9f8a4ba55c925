"""Retries, waits, auth and error mapping of the transport, against scripted HTTP responses.

The same behaviours are exercised over real HTTP in tests/integration/test_shopify_client.py;
here each branch is pinned down exactly (which wait, how many requests, which error).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.shopify_fakes import FakeClock
from tools.shopify import (
    ShopifyAccessDeniedError,
    ShopifyAuthenticationError,
    ShopifyClient,
    ShopifyConfig,
    ShopifyGraphQLError,
    ShopifyRequestError,
    ShopifyServerError,
    ShopifyThrottledError,
    ShopifyUserError,
)
from tools.shopify.models import (
    InventoryQuantityInput,
    InventorySetQuantitiesInput,
    ProductCreateInput,
    VariantUpdate,
    gid,
)

SHOP = "https://royal-demo.myshopify.com"
TOKEN = "shpat_secret_value"
QUERY = "query { shop { id } }"
MUTATION = "mutation M($input: RefundInput!) { refundCreate(input: $input) { refund { id } } }"

Handler = Callable[[httpx.Request], httpx.Response]


def cost(
    requested: float = 10, actual: float | None = 10, available: float = 990
) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": 1000.0,
                "currentlyAvailable": available,
                "restoreRate": 50.0,
            },
        }
    }


def ok(data: dict[str, Any] | None = None, **kwargs: float) -> httpx.Response:
    return httpx.Response(
        200, json={"data": data or {"shop": {"id": "x"}}, "extensions": cost(**kwargs)}
    )


def throttled(requested: float, available: float) -> httpx.Response:
    body = {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": cost(requested=requested, actual=None, available=available),
    }
    return httpx.Response(200, json=body)


class Script:
    """Answers requests from a list, in order, and keeps what was sent."""

    def __init__(self, *answers: httpx.Response | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        return answer(request) if callable(answer) else answer

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.url.path.endswith(".json")]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_client(
    script: Script, clock: FakeClock, *, max_attempts: int = 4, **config: Any
) -> ShopifyClient:
    settings = {"access_token": SecretStr(TOKEN), **config}
    return ShopifyClient(
        ShopifyConfig(shop_url=SHOP, max_attempts=max_attempts, **settings),
        http=httpx.AsyncClient(transport=httpx.MockTransport(script)),
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(7),
    )


async def test_sends_the_token_and_returns_data(clock: FakeClock) -> None:
    script = Script(ok({"shop": {"id": "gid://shopify/Shop/1"}}))
    async with make_client(script, clock) as client:
        data = await client.execute(QUERY, {"a": 1})
    request = script.requests[0]
    assert request.url == f"{SHOP}/admin/api/2026-01/graphql.json"
    assert request.headers["X-Shopify-Access-Token"] == TOKEN
    assert json.loads(request.content) == {"query": QUERY, "variables": {"a": 1}}
    assert data == {"shop": {"id": "gid://shopify/Shop/1"}}


async def test_throttled_waits_for_the_reported_shortfall(clock: FakeClock) -> None:
    script = Script(throttled(requested=300, available=100), ok(requested=300, actual=280))
    async with make_client(script, clock) as client:
        await client.execute(QUERY)
        assert client.stats.throttled == 1
    # (300 requested - 100 available) / 50 per second; the bucket then covers the retry.
    assert clock.sleeps == [pytest.approx(4.0)]
    assert len(script.requests) == 2


async def test_bucket_makes_a_request_wait_before_it_is_sent(clock: FakeClock) -> None:
    script = Script(ok(requested=200, actual=200, available=50), ok(requested=200, actual=200))
    async with make_client(script, clock) as client:
        await client.execute(QUERY)
        await client.execute(QUERY)
        assert client.stats.bucket_waits == 1
    # Second request: 200 expected (learned from the first), 50 available, 50/s restore.
    assert clock.sleeps == [pytest.approx(3.0)]


async def test_429_honours_retry_after(clock: FakeClock) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "2.5"}), ok())
    async with make_client(script, clock) as client:
        await client.execute(QUERY)
    assert clock.sleeps == [2.5]


async def test_throttling_that_never_ends_raises_after_the_last_attempt(clock: FakeClock) -> None:
    script = Script(*(httpx.Response(429, headers={"Retry-After": "1"}) for _ in range(3)))
    async with make_client(script, clock, max_attempts=3) as client:
        with pytest.raises(ShopifyThrottledError, match=r"\(429\)"):
            await client.execute(QUERY)
    assert clock.sleeps == [1.0, 1.0]
    assert len(script.requests) == 3


async def test_503_without_retry_after_backs_off_exponentially(clock: FakeClock) -> None:
    script = Script(httpx.Response(503), httpx.Response(503), httpx.Response(503), ok())
    async with make_client(script, clock) as client:
        await client.execute(QUERY)
    assert len(clock.sleeps) == 3
    for attempt, wait in enumerate(clock.sleeps, start=1):
        step = 0.5 * 2 ** (attempt - 1)
        assert step / 2 <= wait <= step


async def test_server_errors_exhaust_into_a_typed_error(clock: FakeClock) -> None:
    script = Script(*(httpx.Response(502) for _ in range(2)))
    async with make_client(script, clock, max_attempts=2) as client:
        with pytest.raises(ShopifyServerError, match=r"\(502\)") as raised:
            await client.execute(QUERY)
    assert raised.value.status == 502


async def test_mutation_without_key_is_not_retried_when_it_may_have_applied(
    clock: FakeClock,
) -> None:
    script = Script(httpx.Response(502))
    async with make_client(script, clock) as client:
        with pytest.raises(ShopifyServerError, match="not retried"):
            await client.execute(MUTATION, {"input": {}})
    assert len(script.requests) == 1


async def test_mutation_with_key_is_retried_and_carries_the_directive(clock: FakeClock) -> None:
    script = Script(httpx.Response(502), ok({"refundCreate": {"refund": {"id": "r"}}}))
    async with make_client(script, clock) as client:
        await client.execute(MUTATION, {"input": {}}, idempotency_key="k-1")
    first, second = script.bodies()
    assert first == second
    assert "@idempotent(key: $idempotencyKey)" in first["query"]
    assert first["variables"] == {"input": {}, "idempotencyKey": "k-1"}


async def test_mutation_is_retried_after_a_connect_error(clock: FakeClock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    script = Script(refuse, ok())
    async with make_client(script, clock) as client:
        await client.execute(MUTATION, {"input": {}})
    assert len(script.requests) == 2


async def test_bad_static_token_is_a_one_line_authentication_error(clock: FakeClock) -> None:
    body = {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }
    script = Script(httpx.Response(401, json=body))
    async with make_client(script, clock) as client:
        with pytest.raises(ShopifyAuthenticationError) as raised:
            await client.execute(QUERY)
    message = str(raised.value)
    assert message == (
        "Shopify rejected the access token for royal-demo.myshopify.com (401): "
        "check SHOPIFY_ACCESS_TOKEN"
    )
    assert TOKEN not in message
    assert TOKEN not in repr(raised.value)
    assert len(script.requests) == 1


def grant(token: str, expires_in: int = 86_399) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": token, "scope": "read_products", "expires_in": expires_in}
    )


def credentials() -> dict[str, Any]:
    return {
        "access_token": None,
        "client_id": SecretStr("app-id"),
        "client_secret": SecretStr("app-secret"),
    }


async def test_client_credentials_are_granted_once_then_reused(clock: FakeClock) -> None:
    script = Script(grant("shpat_one"), ok(), ok())
    async with make_client(script, clock, **credentials()) as client:
        await client.execute(QUERY)
        await client.execute(QUERY)
    token_request = script.requests[0]
    assert token_request.url == f"{SHOP}/admin/oauth/access_token"
    assert token_request.content == (
        b"grant_type=client_credentials&client_id=app-id&client_secret=app-secret"
    )
    assert [r.headers.get("X-Shopify-Access-Token") for r in script.requests[1:]] == [
        "shpat_one",
        "shpat_one",
    ]


async def test_granted_token_is_refreshed_before_it_expires(clock: FakeClock) -> None:
    script = Script(grant("shpat_one", expires_in=3600), ok(), grant("shpat_two"), ok())
    async with make_client(script, clock, token_refresh_margin=300, **credentials()) as client:
        await client.execute(QUERY)
        clock.advance(3600 - 300)
        await client.execute(QUERY)
    assert script.requests[-1].headers["X-Shopify-Access-Token"] == "shpat_two"


async def test_401_refreshes_a_granted_token_once(clock: FakeClock) -> None:
    script = Script(grant("shpat_one"), httpx.Response(401), grant("shpat_two"), ok())
    async with make_client(script, clock, **credentials()) as client:
        await client.execute(QUERY)
        assert client.stats.token_refreshes == 1
    assert script.requests[-1].headers["X-Shopify-Access-Token"] == "shpat_two"


async def test_second_401_after_a_refresh_is_an_authentication_error(clock: FakeClock) -> None:
    script = Script(
        grant("shpat_one"), httpx.Response(401), grant("shpat_two"), httpx.Response(401)
    )
    async with make_client(script, clock, **credentials()) as client:
        with pytest.raises(ShopifyAuthenticationError, match="check SHOPIFY_API_KEY"):
            await client.execute(QUERY)


async def test_refused_grant_is_an_authentication_error(clock: FakeClock) -> None:
    script = Script(httpx.Response(400, json={"error": "invalid_client"}))
    async with make_client(script, clock, **credentials()) as client:
        with pytest.raises(ShopifyAuthenticationError, match=r"client-credentials grant .*\(400\)"):
            await client.execute(QUERY)


async def test_access_denied_and_forbidden(clock: FakeClock) -> None:
    denied = {
        "errors": [
            {"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}
        ],
        "extensions": cost(),
    }
    script = Script(httpx.Response(200, json=denied), httpx.Response(403))
    async with make_client(script, clock) as client:
        with pytest.raises(ShopifyAccessDeniedError, match="Access denied for orders field"):
            await client.execute(QUERY)
        with pytest.raises(ShopifyAccessDeniedError, match=r"\(403\)"):
            await client.execute(QUERY)


async def test_graphql_errors_are_typed_with_their_codes(clock: FakeClock) -> None:
    body = {
        "errors": [
            {
                "message": "Query cost is 2512, which exceeds the single query max cost limit.",
                "extensions": {"code": "MAX_COST_EXCEEDED"},
            }
        ]
    }
    script = Script(httpx.Response(200, json=body))
    async with make_client(script, clock) as client:
        with pytest.raises(ShopifyGraphQLError, match="MAX_COST_EXCEEDED") as raised:
            await client.execute(QUERY)
    assert raised.value.codes == ["MAX_COST_EXCEEDED"]
    assert len(script.requests) == 1


async def test_other_client_errors_are_request_errors(clock: FakeClock) -> None:
    script = Script(httpx.Response(423, json={"errors": "Shop is locked"}))
    async with make_client(script, clock) as client:
        with pytest.raises(ShopifyRequestError, match="Shop is locked") as raised:
            await client.execute(QUERY)
    assert raised.value.status == 423


async def test_user_errors_become_typed_exceptions_with_field_paths(clock: FakeClock) -> None:
    payload = {
        "productVariantsBulkUpdate": {
            "productVariants": None,
            "userErrors": [
                {
                    "field": ["variants", "0", "price"],
                    "message": "Price must be positive",
                    "code": "INVALID",
                }
            ],
        }
    }
    script = Script(ok(payload))
    async with make_client(script, clock) as client:
        with pytest.raises(ShopifyUserError) as raised:
            await client.update_variants(
                gid("Product", 1), [VariantUpdate(id=gid("ProductVariant", 2), price=Decimal(1))]
            )
    assert str(raised.value) == (
        "productVariantsBulkUpdate failed: variants.0.price: Price must be positive (INVALID)"
    )
    assert raised.value.mutation == "productVariantsBulkUpdate"
    assert raised.value.errors[0].field == ["variants", "0", "price"]


async def test_absurd_retry_after_gives_up_at_once(clock: FakeClock) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}))
    async with make_client(script, clock) as client:
        with pytest.raises(ShopifyThrottledError, match="asked to wait 3600s"):
            await client.execute(QUERY)
    assert clock.sleeps == []


def restock() -> InventorySetQuantitiesInput:
    return InventorySetQuantitiesInput(
        reason="received",
        quantities=[
            InventoryQuantityInput(
                inventory_item_id=gid("InventoryItem", 1),
                location_id=gid("Location", 1),
                quantity=5,
                change_from_quantity=2,
            )
        ],
    )


INVENTORY_PAYLOAD = {
    "inventorySetQuantities": {
        "inventoryAdjustmentGroup": {
            "id": "gid://shopify/InventoryAdjustmentGroup/1",
            "createdAt": "2026-01-02T03:04:05Z",
            "reason": "received",
            "changes": [{"name": "available", "delta": 3, "quantityAfterChange": 5}],
        },
        "userErrors": [],
    }
}


async def test_idempotent_mutations_get_a_generated_key_when_none_is_given(
    clock: FakeClock,
) -> None:
    script = Script(ok(INVENTORY_PAYLOAD), ok(INVENTORY_PAYLOAD))
    async with make_client(script, clock) as client:
        group = await client.set_inventory_quantities(restock())
        await client.set_inventory_quantities(restock(), idempotency_key="run-7/step-2")
    assert group is not None
    assert group.changes[0].delta == 3
    generated, given = (body["variables"]["idempotencyKey"] for body in script.bodies())
    assert generated.startswith("royal-")
    assert given == "run-7/step-2"
    assert all("@idempotent(key: $idempotencyKey)" in b["query"] for b in script.bodies())


async def test_no_directive_where_the_api_version_or_mutation_has_none(clock: FakeClock) -> None:
    created = {
        "productCreate": {
            "product": None,
            "userErrors": [{"field": ["title"], "message": "Title can't be blank"}],
        }
    }
    script = Script(ok(created), ok(INVENTORY_PAYLOAD))
    async with make_client(script, clock, api_version="2025-10") as client:
        with pytest.raises(ShopifyUserError, match="productCreate failed: title: Title can't be"):
            await client.create_product(ProductCreateInput(title="x"))
        await client.set_inventory_quantities(restock(), idempotency_key="ignored-before-2026-01")
    for body in script.bodies():
        assert "@idempotent" not in body["query"]
        assert "idempotencyKey" not in body["variables"]
