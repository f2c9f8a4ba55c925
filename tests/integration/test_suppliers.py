"""Both supplier adapters over real HTTP against the sandbox emulators."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from decimal import Decimal

import pytest

from tests.integration import supplier_helpers as helpers
from tests.integration.supplier_helpers import RECIPIENT, FakeTime
from tools.sandbox import FaultSettings, SandboxServer
from tools.suppliers import (
    OrderLine,
    Supplier,
    SupplierAuthenticationError,
    SupplierNotFoundError,
    SupplierOrderRequest,
    SupplierOrderStatus,
    SupplierRateLimitError,
    SupplierRequestError,
    SupplierUnavailableError,
)

Factory = Callable[..., Supplier]
ADAPTERS: dict[str, tuple[Factory, str, str]] = {
    # key: (factory, search query, ledger operation)
    "cjdropshipping": (helpers.cj, "resistance bands", "cj.createOrderV2"),
    "printful": (helpers.printful, "hoodie", "printful.createOrder"),
}
PROGRESS = [
    SupplierOrderStatus.PENDING,
    SupplierOrderStatus.PROCESSING,
    SupplierOrderStatus.SHIPPED,
]
SERVICE = {"cjdropshipping": "cj", "printful": "printful"}
"""The sandbox service (fault and ledger name) behind each supplier key."""
UNKNOWN_PRODUCT = {"cjdropshipping": "00000000-0000-0000-0000-000000000000", "printful": "424242"}


@pytest.fixture(params=sorted(ADAPTERS))
def key(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def supplier(key: str, sandbox: SandboxServer) -> AsyncIterator[Supplier]:
    adapter = ADAPTERS[key][0](sandbox.url)
    yield adapter
    await adapter.aclose()


async def place_first_variant(supplier: Supplier, query: str, key: str = "order-1") -> str:
    (item,) = await supplier.search_catalog(query, limit=1)
    product = await supplier.get_product(item.product_id)
    request = SupplierOrderRequest(
        lines=[OrderLine(variant_id=product.variants[0].variant_id, quantity=1)],
        recipient=RECIPIENT,
    )
    return (await supplier.place_order(request, idempotency_key=key)).order_id


async def test_search_read_quote_order_and_track(
    key: str, supplier: Supplier, sandbox: SandboxServer
) -> None:
    _, query, operation = ADAPTERS[key]
    items = await supplier.search_catalog(query, max_price=Decimal("100"))
    assert items, f"{key} found nothing for {query!r}"
    item = items[0]
    assert item.supplier == key
    assert query.split()[0][:5] in item.title.lower()
    assert item.cost.currency == "USD"
    assert item.cost.amount > 0
    assert item.vendor.rating is not None
    assert item.vendor.verified is not None

    product = await supplier.get_product(item.product_id)
    assert product.product_id == item.product_id
    assert product.vendor == item.vendor
    assert len(product.variants) > 1
    assert product.lowest_cost == item.cost
    variant = product.variants[0]

    stock = await supplier.get_stock(variant.variant_id)
    assert stock.available
    assert stock.warehouses

    line = OrderLine(variant_id=variant.variant_id, quantity=2)
    quotes = await supplier.quote_shipping([line], RECIPIENT)
    assert quotes
    assert quotes == sorted(quotes, key=lambda q: (q.price.amount, q.max_days))
    assert all(0 < q.min_days <= q.max_days for q in quotes)

    request = SupplierOrderRequest(lines=[line], recipient=RECIPIENT, note="first order")
    order = await supplier.place_order(request, idempotency_key="run-1:task-7:place")
    assert order.external_id is not None
    assert order.external_id.startswith("ro-")  # ":" is not allowed, so the key is hashed
    again = await supplier.place_order(request, idempotency_key="run-1:task-7:place")
    assert again.order_id == order.order_id
    assert sandbox.sandbox.ledger.counts() == {operation: 1}
    assert order.lines == [line]
    assert order.total is not None
    assert order.total.amount > order.lines[0].quantity

    seen = [order.status]
    for _ in range(4):
        current = await supplier.get_order(order.order_id)
        seen.append(current.status)
    assert seen == sorted(seen, key=PROGRESS.index), "status went backwards"
    assert seen[0] is SupplierOrderStatus.PENDING
    assert seen[-1] is SupplierOrderStatus.SHIPPED
    assert current.tracking
    assert current.tracking[0].number
    assert current.tracking[0].carrier


async def test_unknown_ids_raise_not_found(key: str, supplier: Supplier) -> None:
    with pytest.raises(SupplierNotFoundError) as caught:
        await supplier.get_product(UNKNOWN_PRODUCT[key])
    assert (caught.value.kind, caught.value.identifier) == ("product", UNKNOWN_PRODUCT[key])
    with pytest.raises(SupplierNotFoundError, match="variant"):
        await supplier.get_stock("no-such-variant")
    with pytest.raises(SupplierNotFoundError, match="order"):
        await supplier.get_order("123")


async def test_a_bad_credential_is_a_one_line_authentication_error(
    key: str, sandbox: SandboxServer
) -> None:
    secret = "definitely-wrong-credential"
    adapter = (
        helpers.cj(sandbox.url, api_key=secret)
        if key == "cjdropshipping"
        else helpers.printful(sandbox.url, token=secret)
    )
    async with adapter:
        with pytest.raises(SupplierAuthenticationError) as caught:
            await adapter.search_catalog("mug")
    message = str(caught.value)
    assert "\n" not in message
    assert ("CJ_API_KEY" if key == "cjdropshipping" else "PRINTFUL_TOKEN") in message
    assert secret not in message


async def test_half_the_requests_failing_with_503_still_completes(
    key: str, sandbox: SandboxServer
) -> None:
    sandbox.sandbox.faults.set(SERVICE[key], FaultSettings(error_rate=0.5, error_statuses=[503]))
    time = FakeTime()
    _, query, operation = ADAPTERS[key]
    async with aclosing(ADAPTERS[key][0](sandbox.url, time=time, attempts=12)) as adapter:
        order_id = await place_first_variant(adapter, query)
        for _ in range(4):
            order = await adapter.get_order(order_id)
        await adapter.quote_shipping(order.lines, RECIPIENT)
    assert order.status is SupplierOrderStatus.SHIPPED
    assert sandbox.sandbox.ledger.counts() == {operation: 1}
    assert len(time.sleeps) >= 3, "the injected 503s were never hit"
    assert max(time.sleeps) <= 20


async def test_a_placement_retried_from_another_process_returns_the_first_order(
    key: str, sandbox: SandboxServer
) -> None:
    factory, query, operation = ADAPTERS[key]
    async with aclosing(factory(sandbox.url)) as first, aclosing(factory(sandbox.url)) as second:
        placed = await place_first_variant(first, query, key="crash-safe")
        if key == "cjdropshipping":
            await helpers.admin(sandbox.url, "PUT", "cj/limits", {"token_interval_seconds": 0})
        replayed = await place_first_variant(second, query, key="crash-safe")
    assert replayed == placed
    assert sandbox.sandbox.ledger.counts() == {operation: 1}


async def test_concurrent_placements_with_one_key_make_one_order(
    key: str, supplier: Supplier, sandbox: SandboxServer
) -> None:
    _, query, operation = ADAPTERS[key]
    ids = await asyncio.gather(*(place_first_variant(supplier, query, "same") for _ in range(3)))
    assert len(set(ids)) == 1
    assert sandbox.sandbox.ledger.counts() == {operation: 1}


async def test_profile_probes_the_supplier(key: str, supplier: Supplier) -> None:
    profile = await supplier.profile()
    assert profile.key == key
    assert (profile.mode, profile.base_url) == ("sandbox", supplier.base_url)
    assert profile.vendors_published
    assert profile.status.startswith("answered")


async def test_profile_of_an_unreachable_supplier_fails_at_once(key: str) -> None:
    time = FakeTime()
    async with aclosing(ADAPTERS[key][0]("http://127.0.0.1:9", time=time)) as adapter:
        with pytest.raises(SupplierUnavailableError):
            await adapter.profile()
    assert time.sleeps == []


# --- CJ specifics -----------------------------------------------------------------------------


async def cj_stats(sandbox: SandboxServer) -> dict[str, int]:
    stats: dict[str, int] = await helpers.admin(sandbox.url, "GET", "cj/stats")
    return stats


async def test_cj_profile_never_spends_the_token_window(sandbox: SandboxServer) -> None:
    async with helpers.cj(sandbox.url) as adapter:
        assert "checked on the first call" in (await adapter.profile()).status
        assert "getAccessToken" not in await cj_stats(sandbox)
        await adapter.search_catalog("lantern")
        assert (await adapter.profile()).status == "answered; access token valid"
    assert (await cj_stats(sandbox))["getAccessToken"] == 1


async def test_printful_profile_checks_the_token(sandbox: SandboxServer) -> None:
    async with helpers.printful(sandbox.url, token="wrong") as adapter:
        with pytest.raises(SupplierAuthenticationError, match="PRINTFUL_TOKEN"):
            await adapter.profile()


async def test_cj_token_is_fetched_once_and_reused(sandbox: SandboxServer) -> None:
    async with helpers.cj(sandbox.url) as adapter:
        items = await adapter.search_catalog("", limit=3)
        for item in items:
            await adapter.get_product(item.product_id)
    stats = await cj_stats(sandbox)
    assert stats["getAccessToken"] == 1
    assert "refreshAccessToken" not in stats
    assert stats["calls.product/query"] == 3


async def test_cj_refreshes_the_token_before_it_expires(sandbox: SandboxServer) -> None:
    await helpers.admin(sandbox.url, "PUT", "cj/limits", {"access_token_ttl_seconds": 3600})
    time = FakeTime()
    async with helpers.cj(sandbox.url, time=time) as adapter:
        await adapter.search_catalog("lantern")
        time.now += 3300  # within the last tenth of the token's life
        await adapter.search_catalog("lantern")
        await adapter.search_catalog("hammock")
    stats = await cj_stats(sandbox)
    assert (stats["getAccessToken"], stats["refreshAccessToken"]) == (1, 1)


async def test_cj_refreshes_a_token_the_server_expired(sandbox: SandboxServer) -> None:
    async with helpers.cj(sandbox.url) as adapter:
        await adapter.search_catalog("lantern")
        assert await helpers.admin(sandbox.url, "POST", "cj/tokens/expire") == {"expired": 1}
        items = await adapter.search_catalog("lantern")
    assert items
    stats = await cj_stats(sandbox)
    assert (stats["getAccessToken"], stats["refreshAccessToken"]) == (1, 1)


async def test_cj_token_endpoint_is_not_hammered(sandbox: SandboxServer) -> None:
    async with helpers.cj(sandbox.url) as first, helpers.cj(sandbox.url) as second:
        await first.search_catalog("lantern")
        with pytest.raises(SupplierRateLimitError, match="getAccessToken once per 5 min"):
            await second.search_catalog("lantern")
    assert (await cj_stats(sandbox))["getAccessToken"] == 1


async def test_cj_client_limiter_keeps_under_the_qps_limit(sandbox: SandboxServer) -> None:
    await helpers.admin(sandbox.url, "PUT", "cj/limits", {"qps": 1})
    time = FakeTime(sandbox.url, services=["cj"])
    async with helpers.cj(sandbox.url, time=time, requests_per_second=1.0) as adapter:
        for query in ("lantern", "hammock", "yoga"):
            await adapter.search_catalog(query)
    assert time.sleeps == [1.0, 1.0, 1.0]  # token call, then one second before each search
    assert "throttled" not in await cj_stats(sandbox)


async def test_cj_too_many_requests_waits_one_qps_interval(sandbox: SandboxServer) -> None:
    await helpers.admin(sandbox.url, "PUT", "cj/limits", {"qps": 1})
    time = FakeTime(sandbox.url, services=["cj"])
    async with helpers.cj(sandbox.url, time=time) as adapter:
        await adapter.search_catalog("lantern")
        await adapter.search_catalog("hammock")
    assert time.sleeps == [1.0]
    assert (await cj_stats(sandbox))["throttled"] == 1


async def test_cj_used_up_daily_quota_fails_without_retrying(sandbox: SandboxServer) -> None:
    await helpers.admin(sandbox.url, "PUT", "cj/limits", {"daily_quota": 1})
    time = FakeTime()
    async with helpers.cj(sandbox.url, time=time) as adapter:
        await adapter.search_catalog("lantern")
        with pytest.raises(SupplierRateLimitError, match="daily call quota"):
            await adapter.search_catalog("lantern")
    assert time.sleeps == []


async def test_cj_order_refusals_are_typed(sandbox: SandboxServer) -> None:
    async with helpers.cj(sandbox.url) as adapter:
        (harness,) = await adapter.search_catalog("dog harness")
        product = await adapter.get_product(harness.product_id)
        sold_out = next(v for v in product.variants if v.options == {"Color": "Red", "Size": "L"})
        assert not (await adapter.get_stock(sold_out.variant_id)).available
        request = SupplierOrderRequest(
            lines=[OrderLine(variant_id=sold_out.variant_id, quantity=1)], recipient=RECIPIENT
        )
        with pytest.raises(SupplierRequestError, match="insufficient inventory"):
            await adapter.place_order(request, idempotency_key="sold-out")
        in_stock = request.model_copy(
            update={
                "lines": [OrderLine(variant_id=product.variants[0].variant_id, quantity=1)],
                "shipping_method": "Teleport",
            }
        )
        with pytest.raises(SupplierRequestError, match="Logistic not found"):
            await adapter.place_order(in_stock, idempotency_key="teleport")
    assert sandbox.sandbox.ledger.counts() == {}


async def test_cj_orders_ship_with_the_cheapest_method_unless_told(sandbox: SandboxServer) -> None:
    async with helpers.cj(sandbox.url) as adapter:
        (lantern,) = await adapter.search_catalog("camping lantern")
        vid = (await adapter.get_product(lantern.product_id)).variants[0].variant_id
        line = OrderLine(variant_id=vid, quantity=1)
        from_us = await adapter.quote_shipping([line], RECIPIENT, origin="US")
        assert [q.method for q in from_us] == ["USPS+"]
        cheapest = await adapter.place_order(
            SupplierOrderRequest(lines=[line], recipient=RECIPIENT), idempotency_key="a"
        )
        express = await adapter.place_order(
            SupplierOrderRequest(lines=[line], recipient=RECIPIENT, shipping_method="DHL Official"),
            idempotency_key="b",
        )
    assert cheapest.shipping_cost is not None
    assert express.shipping_cost is not None
    assert cheapest.shipping_cost.amount < express.shipping_cost.amount


# --- Printful specifics -------------------------------------------------------------------------


async def test_printful_429_waits_for_retry_after(sandbox: SandboxServer) -> None:
    await helpers.admin(
        sandbox.url, "PUT", "printful/limits", {"requests": 2, "window_seconds": 60}
    )
    time = FakeTime(sandbox.url, services=["printful"])
    async with helpers.printful(sandbox.url, time=time, requests_per_minute=None) as adapter:
        for product_id in ("601", "602", "603"):
            await adapter.get_product(product_id)
    assert time.sleeps == [30.0]
    assert await helpers.admin(sandbox.url, "GET", "printful/stats") == {"throttled": 1}


async def test_printful_client_bucket_avoids_the_429(sandbox: SandboxServer) -> None:
    await helpers.admin(
        sandbox.url, "PUT", "printful/limits", {"requests": 2, "window_seconds": 60}
    )
    time = FakeTime(sandbox.url, services=["printful"])
    async with helpers.printful(sandbox.url, time=time, requests_per_minute=2) as adapter:
        for product_id in ("601", "602", "603", "604"):
            await adapter.get_product(product_id)
    assert time.sleeps == [30.0, 30.0]
    assert await helpers.admin(sandbox.url, "GET", "printful/stats") == {"throttled": 0}


async def test_printful_long_retry_after_fails_fast(sandbox: SandboxServer) -> None:
    await helpers.admin(
        sandbox.url, "PUT", "printful/limits", {"requests": 1, "window_seconds": 3600}
    )
    time = FakeTime()
    async with helpers.printful(sandbox.url, time=time, requests_per_minute=None) as adapter:
        await adapter.get_product("601")
        with pytest.raises(SupplierRateLimitError) as caught:
            await adapter.get_product("602")
    assert caught.value.retry_after == 3600
    assert time.sleeps == []


async def test_printful_search_respects_the_price_ceiling(sandbox: SandboxServer) -> None:
    async with helpers.printful(sandbox.url) as adapter:
        cheap = await adapter.search_catalog("", max_price=Decimal("10"))
        pets = await adapter.search_catalog("pet")
        limited = await adapter.search_catalog("", limit=2)
    assert cheap
    assert all(item.cost.amount <= 10 for item in cheap)
    assert {item.title for item in pets} == {
        "All-Over Print Pet Bandana",
        "Pet Bowl",
        "All-Over Print Pet Bed",
    }
    assert len(limited) == 2


async def test_printful_store_id_must_match(sandbox: SandboxServer) -> None:
    async with helpers.printful(sandbox.url, store_id="999") as adapter:
        with pytest.raises(SupplierAuthenticationError, match="PRINTFUL_STORE_ID"):
            await adapter.get_product("601")


async def test_find_order_finds_a_placement_by_its_key_and_nothing_under_another(
    key: str, supplier: Supplier, sandbox: SandboxServer
) -> None:
    """The effects sweeper's question: did the placement with this key reach the supplier?"""
    _, query, operation = ADAPTERS[key]
    placed = await place_first_variant(supplier, query, key="sweep:placed")
    before = sandbox.sandbox.ledger.counts().get(operation, 0)
    found = await supplier.find_order("sweep:placed")
    assert found is not None
    assert found.order_id == placed
    assert await supplier.find_order("sweep:never-placed") is None
    assert sandbox.sandbox.ledger.counts().get(operation, 0) == before  # a read
