"""The Shopify client over real HTTP against the sandbox store.

Waits are checked with a fake clock: its ``sleep`` records the wait and, where the sandbox's
own bucket must see the time pass, moves that bucket forward through the limits knob.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from settings import Settings
from tests.shopify_fakes import FakeClock
from tools.sandbox import FaultSettings, SandboxServer
from tools.sandbox.shopify.cost import LeakyBucket
from tools.shopify import (
    SANDBOX_ACCESS_TOKEN,
    LocalCostBucket,
    OrderFilter,
    RedisCostBucket,
    ShopifyAuthenticationError,
    ShopifyClient,
    ShopifyConfig,
    ShopifyServerError,
    ShopifyThrottledError,
    ShopifyUserError,
)
from tools.shopify.models import (
    DiscountCodeBasicInput,
    DiscountCustomerGetsInput,
    DiscountValueInput,
    FulfillmentInput,
    FulfillmentOrderLineItems,
    FulfillmentTrackingInput,
    InventoryQuantityInput,
    InventorySetQuantitiesInput,
    OptionSetInput,
    Order,
    Product,
    ProductCreateInput,
    ProductSetIdentifier,
    ProductSetInput,
    ProductStatus,
    ProductUpdateInput,
    ProductVariantSetInput,
    PublicationTarget,
    RefundInput,
    RefundTransactionInput,
    VariantOptionValueInput,
    VariantUpdate,
)

ClientFactory = Callable[..., ShopifyClient]


def shop_url(sandbox: SandboxServer) -> str:
    return f"{sandbox.url}/shopify"


def knob(sandbox: SandboxServer, path: str) -> str:
    return f"{sandbox.url}/_sandbox/shopify/{path}"


async def set_limits(sandbox: SandboxServer, **limits: float) -> dict[str, Any]:
    async with httpx.AsyncClient() as admin:
        response = await admin.put(knob(sandbox, "limits"), json=limits)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
async def make_client(sandbox: SandboxServer) -> AsyncIterator[ClientFactory]:
    """Builds sandbox clients (static token unless told otherwise) and closes them after."""
    clients: list[ShopifyClient] = []

    def build(*, clock: FakeClock | None = None, **config: Any) -> ShopifyClient:
        settings: dict[str, Any] = {"access_token": SecretStr(SANDBOX_ACCESS_TOKEN), **config}
        extra: dict[str, Any] = {}
        if clock is not None:
            extra = {"clock": clock, "sleep": clock.sleep}
        for name in ("bucket", "sleep"):
            if name in settings:
                extra[name] = settings.pop(name)
        client = ShopifyClient(ShopifyConfig(shop_url=shop_url(sandbox), **settings), **extra)
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()


async def test_from_settings_talks_to_the_sandbox_store(sandbox: SandboxServer) -> None:
    settings = Settings(royal_sandbox_port=sandbox.port)
    async with ShopifyClient.from_settings(settings) as client:
        shop = await client.get_shop()
    assert shop.myshopify_domain == "royal-demo.myshopify.com"
    assert client.last_cost is not None
    assert client.last_cost.throttle_status is not None


async def test_pagination_walks_past_250_products(
    sandbox: SandboxServer, make_client: ClientFactory
) -> None:
    emulator: Any = sandbox.sandbox.emulators["shopify"]
    seeded = len([p async for p in make_client().iter_products()])
    emulator.store.add_generated_products(260)
    client = make_client()

    products = [p async for p in client.iter_products(page_size=250)]

    ids = [p.id for p in products]
    assert len(ids) == seeded + 260 > 250
    assert len(set(ids)) == len(ids)
    assert client.stats.requests == 2
    numbers = [int(i.rsplit("/", 1)[1]) for i in ids]
    assert numbers == sorted(numbers)

    limited = make_client()
    first = [p async for p in limited.iter_products(page_size=100, limit=260)]
    assert [p.id for p in first] == ids[:260]
    assert limited.stats.requests == 3


async def test_search_sort_and_reverse(make_client: ClientFactory) -> None:
    client = make_client()
    titles = [p.title async for p in client.iter_products(sort_key="TITLE", reverse=True)]
    assert titles == sorted(titles, reverse=True)
    vendors = {p.vendor async for p in client.iter_products(query="vendor:IronPeak")}
    assert vendors == {"IronPeak"}


async def test_product_by_id_and_handle_with_every_variant(make_client: ClientFactory) -> None:
    client = make_client()
    sizes = [f"S{n:02d}" for n in range(25)]  # more than one page of variants
    created = await client.set_product(
        ProductSetInput(
            title="Many Sizes Tee",
            handle="many-sizes-tee",
            status=ProductStatus.DRAFT,
            product_options=[OptionSetInput(name="Size", values=sizes)],
            variants=[
                ProductVariantSetInput(
                    option_values=[VariantOptionValueInput(option_name="Size", name=size)],
                    price=Decimal("12.50"),
                    sku=f"TEE-{size}",
                )
                for size in sizes
            ],
        ),
        identifier=ProductSetIdentifier(handle="many-sizes-tee"),
    )
    assert [v.sku for v in created.variants] == [f"TEE-{s}" for s in sizes]

    by_id = await client.get_product(created.id)
    by_handle = await client.get_product_by_handle("many-sizes-tee")
    assert by_id == by_handle
    assert by_id is not None
    assert len(by_id.variants) == 25
    assert {v.price for v in by_id.variants} == {Decimal("12.50")}
    assert await client.get_product_by_handle("no-such-product") is None
    assert await client.get_product("gid://shopify/Product/999999999") is None


async def test_throttled_waits_exactly_what_the_throttle_status_asks(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator: Any = sandbox.sandbox.emulators["shopify"]
    emulator.store.add_generated_products(260)
    # One fake clock for the client and the sandbox's bucket: a fake sleep restores points.
    # (A restore rate of 64/s keeps every wait exact in binary floating point.)
    clock = FakeClock()
    bucket = LeakyBucket(maximum=1000, restore_rate=64, clock=clock)
    bucket.configure(available=100)
    monkeypatch.setattr(emulator, "bucket", bucket)
    monkeypatch.setattr(emulator.executor, "bucket", bucket)
    costs: list[dict[str, Any]] = []

    async def keep_cost(response: httpx.Response) -> None:
        await response.aread()
        costs.append(response.json()["extensions"]["cost"])

    http = httpx.AsyncClient(event_hooks={"response": [keep_cost]})
    config = ShopifyConfig(shop_url=shop_url(sandbox), access_token=SecretStr(SANDBOX_ACCESS_TOKEN))
    async with ShopifyClient(config, http=http, clock=clock, sleep=clock.sleep) as client:
        products = [p async for p in client.iter_products(page_size=250)]
        stats = client.stats
    await http.aclose()

    assert len(products) > 250
    throttled, first_page, second_page = costs
    requested = throttled["requestedQueryCost"]
    assert requested == 252  # 2 + 250 products at 1 point each
    assert throttled["actualQueryCost"] is None
    # THROTTLED: wait (requested - available) / restoreRate, as reported: (252 - 100) / 64.
    status = throttled["throttleStatus"]
    throttle_wait = (requested - status["currentlyAvailable"]) / status["restoreRate"]
    # Page two: the client's bucket, in step with page one's status (0 left), waits first.
    status = first_page["throttleStatus"]
    bucket_wait = (requested - status["currentlyAvailable"]) / status["restoreRate"]
    assert (throttle_wait, bucket_wait) == (2.375, 3.9375)
    assert clock.sleeps == [throttle_wait, bucket_wait]
    assert second_page["actualQueryCost"] is not None  # page two was never throttled
    assert (stats.throttled, stats.bucket_waits, stats.retries) == (1, 1, 1)


async def test_429_retry_after_is_honoured(
    sandbox: SandboxServer, make_client: ClientFactory
) -> None:
    sandbox.sandbox.faults.set(
        "shopify", FaultSettings(error_rate=1.0, error_statuses=[429], retry_after=2.5)
    )
    clock = FakeClock()
    client = make_client(clock=clock, max_attempts=3)
    with pytest.raises(ShopifyThrottledError, match=r"\(429\)"):
        await client.get_shop()
    assert clock.sleeps == [2.5, 2.5]

    sandbox.sandbox.faults.set(
        "shopify", FaultSettings(error_rate=0.5, error_statuses=[429], retry_after=1.5)
    )
    clock = FakeClock()
    client = make_client(clock=clock, max_attempts=20)
    for _ in range(5):
        await client.get_shop()
    assert client.stats.throttled > 0
    assert clock.sleeps == [1.5] * client.stats.throttled


async def test_half_the_requests_failing_with_503_still_completes_every_operation(
    sandbox: SandboxServer, make_client: ClientFactory
) -> None:
    client = make_client(max_attempts=12, backoff_base=0.01, backoff_max=0.05)
    order = await _unfulfilled_paid_order(client)
    sandbox.sandbox.faults.set(
        "shopify", FaultSettings(error_rate=0.5, error_statuses=[503], retry_after=0.01)
    )
    run = uuid.uuid4().hex[:8]

    # Reads.
    shop = await client.get_shop()
    products = [p async for p in client.iter_products(page_size=5, limit=12)]
    product = await client.get_product(products[0].id)
    publications = await client.list_publications()
    orders = [o async for o in client.iter_orders(OrderFilter(financial_status="paid"), limit=5)]
    fresh_order = await client.get_order(order.id)
    assert shop.currency_code
    assert product is not None
    assert fresh_order is not None
    assert len(products) == 12
    assert orders

    # Writes.
    created = await client.create_product(ProductCreateInput(title=f"Retry Lamp {run}"))
    await client.update_product(ProductUpdateInput(id=created.id, vendor="Royal Lights"))
    await client.set_product(
        ProductSetInput(title=f"Retry Chair {run}", handle=f"retry-chair-{run}"),
        identifier=ProductSetIdentifier(handle=f"retry-chair-{run}"),
    )
    await client.publish(created.id, [PublicationTarget(publication_id=publications[0].id)])
    variant = product.variants[0]
    await client.update_variants(
        product.id, [VariantUpdate(id=variant.id, price=variant.price + Decimal("1.00"))]
    )
    await client.set_inventory_quantities(_set_available(product, 42), idempotency_key=f"inv-{run}")
    await client.create_fulfillment(_fulfil_all(fresh_order))
    await client.create_refund(_refund(fresh_order, Decimal("5.00")), idempotency_key=f"ref-{run}")
    await client.create_discount_code(_discount(f"SAVE{run}".upper()))

    assert client.stats.server_errors > 0
    counts = sandbox.sandbox.ledger.counts()
    assert counts == {
        f"shopify.{name}": 1
        for name in (
            "productCreate",
            "productUpdate",
            "productSet",
            "publishablePublish",
            "productVariantsBulkUpdate",
            "inventorySetQuantities",
            "fulfillmentCreate",
            "refundCreate",
            "discountCodeBasicCreate",
        )
    }


async def test_a_repeated_idempotency_key_returns_the_first_refund(
    sandbox: SandboxServer, make_client: ClientFactory
) -> None:
    client = make_client()
    order = await client.get_order((await _unfulfilled_paid_order(client)).id)
    assert order is not None
    first = await client.create_refund(_refund(order, Decimal("3.00")), idempotency_key="refund-1")
    again = await client.create_refund(_refund(order, Decimal("3.00")), idempotency_key="refund-1")
    assert again.id == first.id
    assert sandbox.sandbox.ledger.counts() == {"shopify.refundCreate": 1}


async def test_a_bad_token_is_a_one_line_authentication_error(
    sandbox: SandboxServer, make_client: ClientFactory
) -> None:
    client = make_client(access_token=SecretStr("shpat_not_the_right_token"))
    with pytest.raises(ShopifyAuthenticationError) as raised:
        await client.get_shop()
    message = str(raised.value)
    assert message == (
        f"Shopify rejected the access token for 127.0.0.1:{sandbox.port}/shopify (401): "
        "check SHOPIFY_ACCESS_TOKEN"
    )
    assert "\n" not in message
    assert "shpat_not_the_right_token" not in message + repr(raised.value) + repr(client)


async def test_user_errors_are_typed_with_field_paths(make_client: ClientFactory) -> None:
    client = make_client()
    one, other = [p async for p in client.iter_products(limit=2)]
    other_product = await client.get_product(other.id)
    assert other_product is not None
    with pytest.raises(ShopifyUserError) as raised:
        await client.update_variants(
            one.id, [VariantUpdate(id=other_product.variants[0].id, price=Decimal("5"))]
        )
    error = raised.value
    assert error.mutation == "productVariantsBulkUpdate"
    assert [(e.field, e.code) for e in error.errors] == [
        (["variants", "0", "id"], "PRODUCT_VARIANT_DOES_NOT_EXIST")
    ]
    assert str(error) == (
        "productVariantsBulkUpdate failed: variants.0.id: "
        "Product variant does not exist (PRODUCT_VARIANT_DOES_NOT_EXIST)"
    )

    product = await client.get_product(one.id)
    assert product is not None
    stale = _set_available(product, 5, change_from=-1)
    with pytest.raises(ShopifyUserError) as stale_error:
        await client.set_inventory_quantities(stale)
    assert stale_error.value.codes == ["CHANGE_FROM_QUANTITY_STALE"]
    assert stale_error.value.errors[0].field == ["input", "quantities", "0", "changeFromQuantity"]


async def test_client_credentials_grant_refreshes_after_revocation(
    sandbox: SandboxServer, make_client: ClientFactory
) -> None:
    client = make_client(
        access_token=None,
        client_id=SecretStr("sandbox-client-id"),
        client_secret=SecretStr("sandbox-client-secret"),
    )
    await client.get_shop()
    async with httpx.AsyncClient() as admin:
        revoked = await admin.post(knob(sandbox, "auth/revoke"))
    assert revoked.json() == {"revoked": 1}

    await client.get_shop()  # 401, a new grant, the same request again

    assert client.stats.token_refreshes == 1
    assert getattr(client.tokens, "grants", None) == 2


async def test_granted_token_is_renewed_before_it_expires(
    sandbox: SandboxServer, make_client: ClientFactory
) -> None:
    async with httpx.AsyncClient() as admin:
        await admin.put(knob(sandbox, "auth"), json={"tokenLifetimeSeconds": 3600})
    clock = FakeClock()
    client = make_client(
        clock=clock,
        access_token=None,
        client_id=SecretStr("sandbox-client-id"),
        client_secret=SecretStr("sandbox-client-secret"),
        token_refresh_margin=600,
    )
    await client.get_shop()
    clock.advance(3000)  # within the margin of the 3600 s lifetime
    await client.get_shop()
    assert getattr(client.tokens, "grants", None) == 2
    assert client.stats.token_refreshes == 0


async def test_wrong_client_credentials_are_an_authentication_error(
    make_client: ClientFactory,
) -> None:
    client = make_client(
        access_token=None, client_id=SecretStr("sandbox-client-id"), client_secret=SecretStr("no")
    )
    with pytest.raises(
        ShopifyAuthenticationError, match=r"grant for .* \(401\): check SHOPIFY_API"
    ):
        await client.get_shop()


@pytest.mark.redis
async def test_workers_sharing_a_redis_bucket_stay_within_one_budget(
    sandbox: SandboxServer, make_client: ClientFactory, redis_url: str
) -> None:
    await set_limits(sandbox, maximumAvailable=100, restoreRate=100)
    shop_key = f"{sandbox.host}:{sandbox.port}"

    async def burst(clients: list[ShopifyClient]) -> int:
        for client in clients:
            await _page(client)  # learn the page's cost and the bucket
        await asyncio.gather(*(_page(c) for c in clients for _ in range(5)))  # 10 x 22 > 100
        return sum(c.stats.throttled for c in clients)

    buckets = [RedisCostBucket.from_url(redis_url, shop_key) for _ in range(2)]
    shared = [make_client(bucket=bucket, max_attempts=10) for bucket in buckets]
    try:
        assert await burst(shared) == 0
    finally:
        for bucket in buckets:
            await bucket.aclose()

    # The same load from two workers with private buckets overspends the shop's budget.
    await set_limits(sandbox, maximumAvailable=100, restoreRate=100)
    separate = [
        make_client(bucket=LocalCostBucket(time.monotonic), max_attempts=10) for _ in range(2)
    ]
    assert await burst(separate) > 0


# --- helpers ---------------------------------------------------------------------------


async def _page(client: ShopifyClient) -> None:
    async for _ in client.iter_products(page_size=20, limit=20):
        pass


async def _unfulfilled_paid_order(client: ShopifyClient) -> Order:
    search = OrderFilter(financial_status="paid", fulfillment_status="unfulfilled")
    async for summary in client.iter_orders(search):
        order = await client.get_order(summary.id)
        if order and any(fo.status == "OPEN" for fo in order.fulfillment_orders):
            return order
    raise AssertionError("the seeded store has no paid, unfulfilled order")


def _set_available(
    product: Product, quantity: int, change_from: int | None = None
) -> InventorySetQuantitiesInput:
    variant = product.variants[0]
    assert variant.inventory_item is not None
    level = variant.inventory_item.inventory_levels[0]
    current = level.quantities["available"] if change_from is None else change_from
    return InventorySetQuantitiesInput(
        reason="correction",
        reference_document_uri="royal://runs/test",
        quantities=[
            InventoryQuantityInput(
                inventory_item_id=variant.inventory_item.id,
                location_id=level.location_id,
                quantity=quantity,
                change_from_quantity=current,
            )
        ],
    )


def _fulfil_all(order: Order) -> FulfillmentInput:
    open_order = next(fo for fo in order.fulfillment_orders if fo.status == "OPEN")
    return FulfillmentInput(
        line_items_by_fulfillment_order=[
            FulfillmentOrderLineItems(fulfillment_order_id=open_order.id)
        ],
        tracking_info=FulfillmentTrackingInput(company="PostNL", number="3STEST123"),
    )


def _refund(order: Order, amount: Decimal) -> RefundInput:
    sale = next(t for t in order.transactions if t.kind in {"SALE", "CAPTURE"})
    return RefundInput(
        order_id=order.id,
        note="Damaged in transit",
        transactions=[
            RefundTransactionInput(
                order_id=order.id, parent_id=sale.id, amount=amount, gateway=sale.gateway or ""
            )
        ],
    )


def _discount(code: str) -> DiscountCodeBasicInput:
    return DiscountCodeBasicInput(
        title=code,
        code=code,
        starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        customer_gets=DiscountCustomerGetsInput(value=DiscountValueInput(percentage=0.1)),
    )


async def test_state_setting_mutations_are_retried_after_500_502_504_and_apply_once(
    sandbox: SandboxServer, make_client: ClientFactory
) -> None:
    """Publishing and an upsert by handle set a state, so a 5xx that may have applied them is
    retried (30 % of requests failing with 500/502/504); a create without a key is not."""
    client = make_client(max_attempts=12, backoff_base=0.01, backoff_max=0.05)
    publications = await client.list_publications()
    run = uuid.uuid4().hex[:8]
    sandbox.sandbox.faults.set(
        "shopify", FaultSettings(error_rate=0.3, error_statuses=[500, 502, 504])
    )
    for index in range(6):
        handle = f"retry-mug-{run}-{index}"
        product = await client.set_product(
            ProductSetInput(title=f"Retry Mug {index}", handle=handle),
            identifier=ProductSetIdentifier(handle=handle),
        )
        await client.publish(product.id, [PublicationTarget(publication_id=publications[0].id)])
    assert client.stats.server_errors > 0
    assert sandbox.sandbox.ledger.counts() == {
        "shopify.productSet": 6,
        "shopify.publishablePublish": 6,
    }
    sandbox.sandbox.faults.set("shopify", FaultSettings(error_rate=1.0, error_statuses=[502]))
    with pytest.raises(ShopifyServerError, match="not retried"):
        await client.create_product(ProductCreateInput(title=f"Once Lamp {run}"))
